package org.exemplar.examples;

import java.nio.file.Path;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.Solver;
import org.exemplar.data.Npy;
import org.exemplar.model.LinearModels;

/**
 * The README's Java quick start: load .npy files, prepare an influence attributor for an L2 logistic regression
 * (trained by {@code prepare}), print the top-5 supporting training points of every test point.
 * Run with a directory holding train_x.npy (n x d), train_y.npy (n labels 0/1), test_x.npy and test_y.npy.
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        var train = Examples.labeled(Npy.readMatrix(dir.resolve("train_x.npy")), Npy.read(dir.resolve("train_y.npy")).toIntArray());
        var test = Examples.labeled(Npy.readMatrix(dir.resolve("test_x.npy")), Npy.read(dir.resolve("test_y.npy")).toIntArray());
        var influence = Attributors.influence(LinearModels.Kind.LOGISTIC).solver(Solver.CG).damping(1e-3).prepare(train);
        var top = influence.topK(test, 5);   // streamed: never the full test x train matrix
        for (int t = 0; t < test.size(); t++) {
            System.out.print("test " + t + ":");
            for (RankedPoint p : top.supporting(t)) {
                System.out.printf(" #%d (%.3g)", p.trainIndex(), p.score());
            }
            System.out.println();
        }
        System.out.println(top.convention().explained() + "; " + top.diagnostics());
    }
}
