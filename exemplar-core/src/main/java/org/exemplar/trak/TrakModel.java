package org.exemplar.trak;

import java.util.Objects;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.model.DifferentiableModel;

/**
 * One model of a TRAK ensemble, prepared (Park et al. 2023, Alg. 1, one iteration of its loop over models): the
 * projected training gradients Phi = G P (n x k, G the per-example gradients of {@link MarginOutput}), the damped
 * kernel (Phi^T Phi + damping I), and A = Phi (Phi^T Phi + damping I)^{-1} (n x k), so that one model's score of a
 * test point z is phi(z)^T (Phi^T Phi + damping I)^{-1} Phi^T = phi(z)^T A^T, one product per block of test points.
 * Also Q's diagonal 1 - p_i of this model.
 *
 * @param model      the trained model (not copied; do not modify)
 * @param projection its projection
 * @param weighted   A = Phi (Phi^T Phi + damping I)^{-1}, n x k
 * @param oneMinusP  1 - p_i (the correct-class probability of training point i under this model)
 */
public record TrakModel(DifferentiableModel model, RandomProjection projection, DenseMatrix weighted,
                        double[] oneMinusP) {
    public TrakModel {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(projection, "projection");
        if (weighted.cols() != projection.dimension() || weighted.rows() != oneMinusP.length) {
            throw new IllegalArgumentException("A has shape " + weighted.shapeString() + " for k = "
                    + projection.dimension() + " and " + oneMinusP.length + " training points");
        }
    }

    /**
     * Projects the training gradients in blocks of rows (so that at most {@code gradientBudget} gradient entries are
     * held at once) and factors the damped kernel.
     *
     * @param damping lambda &gt;= 0 added to Phi^T Phi (&gt; 0 needed when k exceeds the rank of Phi)
     * @throws ArithmeticException when Phi^T Phi + damping I is not positive definite (message names the remedy)
     */
    public static TrakModel prepare(DifferentiableModel model, DenseMatrix x, int[] labels, RandomProjection projection,
                                    double damping, long gradientBudget) {
        if (projection.inputDimension() != model.parameterCount()) {
            throw new IllegalArgumentException("projection input dimension " + projection.inputDimension()
                    + " != the model's " + model.parameterCount() + " parameters");
        }
        DenseMatrix phi = projectedGradients(model, x, labels, projection, gradientBudget);
        int k = projection.dimension();
        DenseMatrix kernel = Blas.multiply(Transpose.YES, phi, Transpose.NO, phi);
        for (int c = 0; c < k; c++) {
            kernel.add(c, c, damping);
        }
        Cholesky chol;
        try {
            chol = Cholesky.factorize(kernel);
        } catch (RuntimeException e) {
            throw new ArithmeticException("the projected-gradient kernel Phi^T Phi + " + damping + " I (k = " + k
                    + ", n = " + x.rows() + ") is not positive definite: raise the damping or lower k ("
                    + e.getMessage() + ")");
        }
        // A^T = K^{-1} Phi^T: the rows of Phi are the right-hand sides (K symmetric)
        DenseMatrix a = chol.solveRows(phi);
        double[] q = MarginOutput.oneMinusProbability(MarginOutput.values(model, x, labels));
        return new TrakModel(model, projection, a, q);
    }

    /** phi = G P for the rows of x, gradients computed in row blocks of at most gradientBudget entries. */
    public static DenseMatrix projectedGradients(DifferentiableModel model, DenseMatrix x, int[] labels,
                                                 RandomProjection projection, long gradientBudget) {
        int n = x.rows();
        int p = model.parameterCount();
        int rows = (int) Math.max(1, Math.min(n, gradientBudget / Math.max(1, p)));
        DenseMatrix out = new DenseMatrix(n, projection.dimension());
        for (int r0 = 0; r0 < n; r0 += rows) {
            int r1 = Math.min(n, r0 + rows);
            int[] yb = labels == null ? null : java.util.Arrays.copyOfRange(labels, r0, r1);
            DenseMatrix g = MarginOutput.gradients(model, x.rowRange(r0, r1), yb);
            DenseMatrix pr = projection.project(g);
            System.arraycopy(pr.data(), 0, out.data(), r0 * out.cols(), pr.data().length);
        }
        return out;
    }

    /** Adds phi(z)^T A^T (b x n) for the test rows into {@code acc}. */
    public void accumulateScores(DenseMatrix x, int[] labels, long gradientBudget, DenseMatrix acc) {
        DenseMatrix phi = projectedGradients(model, x, labels, projection, gradientBudget);
        Blas.gemm(Transpose.NO, Transpose.YES, 1.0, phi, weighted, 1.0, acc);
    }
}
