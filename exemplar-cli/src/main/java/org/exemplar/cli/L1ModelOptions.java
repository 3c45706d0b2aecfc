package org.exemplar.cli;

import org.exemplar.model.SparseLogisticRegression;
import picocli.CommandLine.Option;

/** The L1 logistic-regression settings shared by {@code hdrep l1} and {@code evaluate deletion l1}. */
final class L1ModelOptions {
    @Option(names = "--lambda", required = true, description = "L1 strength lambda.")
    double lambda;

    @Option(names = "--bias", description = "Fit an unpenalized bias; it is reported as a separate additive term, never decomposed.")
    boolean bias;

    @Option(names = "--tolerance", defaultValue = "1e-8",
            description = "KKT residual target of every (re)fit, relative to lambda; the decomposition is exact up to "
                    + "about this (default ${DEFAULT-VALUE}; 1e-9 and below cost much more time at small lambda).")
    double tolerance;

    @Option(names = "--max-iterations", defaultValue = "20000", description = "Solver iteration cap (default ${DEFAULT-VALUE}).")
    int maxIterations;

    /** Labels as -1/+1, the trainer, and its fit on the training set. */
    record Fitted(double[] labels, SparseLogisticRegression model, org.exemplar.model.SparseFit fit) {
    }

    Fitted fit(SparseInputs.Loaded d) {
        double[] y = SparseLogisticRegression.signedLabels(d.labels(), d.trainSource());
        SparseLogisticRegression m = model();
        return new Fitted(y, m, m.fit(d.x(), y, null));
    }

    SparseLogisticRegression model() {
        return new SparseLogisticRegression(SparseLogisticRegression.Penalty.L1, lambda, bias, tolerance, maxIterations);
    }
}
