package org.exemplar.eval;

import org.exemplar.linalg.DenseMatrix;

/**
 * Leave-one-out ground truth.
 *
 * @param removed       training indices removed, one per row of {@code changes}
 * @param changes       actual f_t(theta_{-i}) - f_t(theta^s), shape (removed.length, n_test)
 * @param gradientNorms ||grad J_{-i}|| at each retrained optimum
 * @param converged     whether each retraining met the tolerance
 * @param seconds       total wall time
 */
public record LooResult(int[] removed, DenseMatrix changes, double[] gradientNorms, boolean[] converged,
                        LooOptions options, double seconds) {

    public boolean allConverged() {
        for (boolean c : converged) {
            if (!c) {
                return false;
            }
        }
        return true;
    }

    public double maxGradientNorm() {
        double m = 0;
        for (double g : gradientNorms) {
            m = Math.max(m, g);
        }
        return m;
    }
}
