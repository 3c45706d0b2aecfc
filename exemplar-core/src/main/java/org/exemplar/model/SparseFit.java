package org.exemplar.model;

/**
 * A fitted sparse linear model: weights theta (length p), an optional unpenalized bias (0 when not fitted), and how
 * well its optimality conditions hold.
 *
 * @param kktResidual max over coordinates of the KKT violation divided by lambda: on the support
 *                    |grad_j L + lambda sign(theta_j)|, off the support max(0, |grad_j L| - lambda), and |grad_b L| for
 *                    the bias (for L2: ||grad|| / (lambda ||theta||)). The L1 representer identity holds up to it.
 */
public record SparseFit(double[] theta, double bias, boolean hasBias, double objective, double kktResidual,
                        int support, int iterations, boolean converged, String message, double seconds) {
}
