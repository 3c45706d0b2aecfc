package org.exemplar.solver;

import org.exemplar.linalg.DenseMatrix;

/**
 * Solutions of A x_k = b_k for a batch of right-hand sides (rows of {@code solutions} match rows of the
 * right-hand-side matrix).
 *
 * @param solutions          x_k, one per row
 * @param iterations         per right-hand side: iterations (CG), recursion steps times repeats (LiSSA), Krylov
 *                           dimension (Arnoldi), 0 (exact)
 * @param residualNorms      true residuals ||A x_k - b_k||, recomputed with the full operator after the solve
 * @param relativeResiduals  ||A x_k - b_k|| / ||b_k|| (0 when b_k = 0)
 * @param converged          whether each solve met its method's criterion (CG: tolerance; LiSSA: no divergence and true
 *                           relative residual within its tolerance;
 *                           exact and Arnoldi: always, their error shows in the residual)
 * @param diagnostics        a human-readable note (divergence and a suggested LiSSA scale, Arnoldi eigenvalues)
 */
public record BatchSolveResult(DenseMatrix solutions, int[] iterations, double[] residualNorms,
                               double[] relativeResiduals, boolean[] converged, String diagnostics)
        implements PerRightHandSide {

    /** Fills residualNorms/relativeResiduals with the true residuals of {@code x} against A and the rows of b. */
    static void trueResiduals(CurvatureOperator a, DenseMatrix b, DenseMatrix x, double[] abs, double[] rel) {
        int p = a.dim();
        double[] xi = new double[p];
        double[] ax = new double[p];
        for (int k = 0; k < b.rows(); k++) {
            System.arraycopy(x.data(), k * p, xi, 0, p);
            a.apply(xi, ax);
            double r2 = 0;
            double b2 = 0;
            for (int j = 0; j < p; j++) {
                double bj = b.data()[k * p + j];
                double d = ax[j] - bj;
                r2 += d * d;
                b2 += bj * bj;
            }
            abs[k] = Math.sqrt(r2);
            rel[k] = b2 == 0 ? (r2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(r2 / b2);
        }
    }
}
