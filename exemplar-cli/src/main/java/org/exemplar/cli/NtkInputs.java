package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.TargetScaling;
import org.exemplar.ntk.UnitSphere;
import picocli.CommandLine.Option;

/** The inputs shared by the three commands, and their checks. */
final class NtkInputs {
    @Option(names = "--train-features", paramLabel = "X.npy", description = "Training inputs, shape (n, d).")
    Path trainFeatures;

    @Option(names = "--train-targets", paramLabel = "y.npy", description = "Training targets, shape (n,).")
    Path trainTargets;

    @Option(names = "--test-features", paramLabel = "Xt.npy", description = "Test inputs, shape (n_test, d).")
    Path testFeatures;

    @Option(names = "--test-targets", paramLabel = "yt.npy", description = "Test targets, shape (n_test,).")
    Path testTargets;

    @Option(names = "--lambda", defaultValue = "0.1", description = "Ridge strength lambda >= 0 of eq. (2) (default ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--normalize",
            description = "Put every input row on the unit sphere (x / ||x||) and map the training targets' range "
                    + "onto [-1, 1] (y -> (y - center) / halfRange, recorded in summary.json; predictions.npy is "
                    + "mapped back). Without it, inputs off the sphere or targets outside [-1, 1] are an error.")
    boolean normalize;

    @Option(names = "--progress", description = "Show progress bars even when stderr is not a terminal.")
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory.")
    Path out;

    NtkProblem load(PrintWriter log) {
        List<String> missing = new ArrayList<>();
        if (trainFeatures == null) {
            missing.add("--train-features");
        }
        if (trainTargets == null) {
            missing.add("--train-targets");
        }
        if (testFeatures == null) {
            missing.add("--test-features");
        }
        if (testTargets == null) {
            missing.add("--test-targets");
        }
        if (out == null) {
            missing.add("--out");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing required option(s): " + String.join(", ", missing));
        }
        OutputDirectory.check(out);
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("--lambda must be finite and >= 0, got " + lambda);
        }
        if (!quiet) {
            log.println(Blas.backendNotice());
        }
        DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training inputs");
        DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test inputs");
        double[] y = Validation.requireFinite(Npy.read(trainTargets).toDoubleArray(), trainTargets, "training targets");
        double[] yt = Validation.requireFinite(Npy.read(testTargets).toDoubleArray(), testTargets, "test targets");
        if (x.rows() < 2) {
            throw new DataException(trainFeatures, "needs at least 2 training rows, has " + x.rows());
        }
        if (y.length != x.rows()) {
            throw new DataException(trainTargets, "has " + y.length + " targets but " + trainFeatures + " has "
                    + x.rows() + " rows");
        }
        if (yt.length != xt.rows()) {
            throw new DataException(testTargets, "has " + yt.length + " targets but " + testFeatures + " has "
                    + xt.rows() + " rows");
        }
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has " + x.cols());
        }
        TargetScaling scaling = TargetScaling.identity();
        if (normalize) {
            x = unit(x, trainFeatures);
            xt = unit(xt, testFeatures);
            scaling = TargetScaling.fit(y);
            y = scaling.apply(y);
            yt = scaling.apply(yt);
        } else {
            requireSphere(x, trainFeatures);
            requireSphere(xt, testFeatures);
            requireUnitInterval(y, trainTargets);
            requireUnitInterval(yt, testTargets);
        }
        List<int[]> dup = duplicates(x);
        if (!dup.isEmpty() && !quiet) {
            log.printf("note: %d training row(s) duplicate an earlier row (first: row %d = row %d); with lambda = 0 "
                    + "the kernel is singular, with lambda > 0 a duplicate's influence is shared with its twin%n",
                    dup.size(), dup.get(0)[1], dup.get(0)[0]);
        }
        return new NtkProblem(this, x, y, xt, yt, scaling, dup);
    }

    private static DenseMatrix unit(DenseMatrix x, Path file) {
        try {
            return UnitSphere.fit(x).apply(x);
        } catch (IllegalArgumentException e) {
            throw new DataException(file, e.getMessage());
        }
    }

    private static void requireSphere(DenseMatrix x, Path file) {
        int r = UnitSphere.firstRowOffSphere(x, UnitSphere.DEFAULT_TOLERANCE);
        if (r >= 0) {
            throw new DataException(file, "row " + r + " has norm " + UnitSphere.rowNorm(x, r) + "; the NTK "
                    + "theory needs unit-norm inputs (|norm - 1| <= " + UnitSphere.DEFAULT_TOLERANCE
                    + "): normalize them or pass --normalize");
        }
    }

    private static void requireUnitInterval(double[] y, Path file) {
        int r = TargetScaling.firstOutsideUnitInterval(y, 0);
        if (r >= 0) {
            throw new DataException(file, "row " + r + " has target " + y[r] + " outside [-1, 1]: rescale the "
                    + "targets or pass --normalize");
        }
    }

    /** Pairs (first row, later identical row) of exactly equal training rows. */
    private static List<int[]> duplicates(DenseMatrix x) {
        Map<Integer, List<Integer>> byHash = new HashMap<>();
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < x.rows(); i++) {
            double[] row = x.row(i);
            int h = Arrays.hashCode(row);
            List<Integer> same = byHash.computeIfAbsent(h, k -> new ArrayList<>());
            for (int j : same) {
                if (Arrays.equals(row, x.row(j))) {
                    out.add(new int[] {j, i});
                    break;
                }
            }
            same.add(i);
        }
        return out;
    }

    Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("lambda", lambda);
        s.put("normalize", normalize);
        return s;
    }

    Map<String, Path> inputs() {
        Map<String, Path> m = new LinkedHashMap<>();
        m.put("train_features", trainFeatures);
        m.put("train_targets", trainTargets);
        m.put("test_features", testFeatures);
        m.put("test_targets", testTargets);
        return m;
    }
}
