package org.exemplar.model;

import org.exemplar.eval.DeletionTarget;
import org.exemplar.linalg.CsrMatrix;

/**
 * Case-deletion target for sparse logistic regression: the prediction score is the test margin x'^T theta + b;
 * retraining refits the same objective (same lambda, bias setting, tolerance) without the removed rows, started
 * from the full-data optimum (a convex problem: the start changes the path, not the optimum). Objective keeps
 * the (1/n') average over the n' remaining points, as LIBLINEAR-style retraining does with the same C.
 */
public final class SparseLogisticDeletionTarget implements DeletionTarget {
    private final CsrMatrix x;
    private final double[] y;
    private final CsrMatrix test;
    private final SparseLogisticRegression trainer;
    private final SparseFit fit;

    public SparseLogisticDeletionTarget(CsrMatrix x, double[] y, CsrMatrix test, SparseLogisticRegression trainer,
                                        SparseFit fit) {
        this.x = x;
        this.y = y;
        this.test = test;
        this.trainer = trainer;
        this.fit = fit;
    }

    @Override
    public int trainSize() {
        return x.rows();
    }

    @Override
    public int testSize() {
        return test.rows();
    }

    @Override
    public double score(int t) {
        return test.rowDot(t, fit.theta()) + fit.bias();
    }

    @Override
    public double scoreWithout(int t, int[] removed) {
        boolean[] drop = new boolean[y.length];
        for (int r : removed) {
            drop[r] = true;
        }
        double[] yk = new double[y.length - removed.length];
        int k = 0;
        for (int i = 0; i < y.length; i++) {
            if (!drop[i]) {
                yk[k++] = y[i];
            }
        }
        SparseFit refit = trainer.fit(x.withoutRows(removed), yk, fit.theta());
        if (!refit.converged()) {
            throw new ArithmeticException("retraining without " + removed.length + " points did not converge: "
                    + refit.message());
        }
        return test.rowDot(t, refit.theta()) + refit.bias();
    }
}
