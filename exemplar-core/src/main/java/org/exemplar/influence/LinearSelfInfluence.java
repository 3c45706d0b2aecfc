package org.exemplar.influence;

import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.ExplicitCurvature;
import org.exemplar.model.Mlp;

/**
 * Self-influence of the training points of a linear model ({@link org.exemplar.model.LinearModels}),
 * (1/n) grad L_i^T (H + damping I)^{-1} grad L_i with H the Hessian of J = (1/n) sum_i L_i + (l2/2)||theta||^2
 * (Koh &amp; Liang 2017, eq. 2 with z_test = z_i), split into the pieces a distributed engine runs where the data is:
 * {@link #hessianDataTerm} per block of rows (summed once over all blocks), {@link #factor} once on the driver, and
 * {@link #values} per block with the factor shipped to every machine. Equal to
 * {@link InfluenceFunctions#selfInfluence} with the exact solver on the Hessian.
 */
public final class LinearSelfInfluence {
    private LinearSelfInfluence() {
    }

    /** (1/n) sum over the block's rows of the per-example Hessians (no l2); n = the whole training set's size. */
    public static DenseMatrix hessianDataTerm(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, long n) {
        return ExplicitCurvature.linearModelDataTerm(model, x, targets, loss, n);
    }

    /**
     * Cholesky factor of A = (sum of the blocks' data terms) + (l2 + damping) I.
     *
     * @throws ArithmeticException when A is not positive definite
     */
    public static Cholesky factor(DenseMatrix hessianDataSum, double l2, double damping) {
        DenseMatrix a = hessianDataSum.copy();
        for (int k = 0; k < a.rows(); k++) {
            a.add(k, k, l2);
        }
        for (int k = 0; k < a.rows(); k++) {
            a.add(k, k, damping);
        }
        return Cholesky.factorize(ExplicitCurvature.symmetrize(a));
    }

    /** (1/n) grad L_i^T A^{-1} grad L_i for every row of the block. */
    public static double[] values(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, Cholesky a, long n) {
        DenseMatrix g = model.perExampleGradients(x, targets, loss);
        DenseMatrix s = a.solveRows(g);
        int p = g.cols();
        double[] out = new double[g.rows()];
        for (int r = 0; r < out.length; r++) {
            out[r] = org.exemplar.linalg.Vectors.dot(g.data(), r * p, s.data(), r * p, p) / n;
        }
        return out;
    }
}
