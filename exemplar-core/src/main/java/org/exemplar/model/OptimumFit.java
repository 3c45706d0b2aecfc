package org.exemplar.model;

/**
 * Outcome of {@link TightTrainer#fit}.
 *
 * @param theta                the parameters reached
 * @param objective            J(theta)
 * @param gradientNorm         ||grad J(theta)||
 * @param gradientScale        the scale of the stopping rule, max(1, ||grad J(theta_0)||) of the base fit
 * @param relativeGradientNorm gradientNorm / gradientScale (the stopping measure)
 * @param lbfgsIterations      L-BFGS iterations run
 * @param newtonIterations     Newton-CG polish iterations run
 * @param converged            whether relativeGradientNorm reached the tolerance
 * @param message              the optimizer's last word (why it stopped)
 * @param seconds              wall time
 */
public record OptimumFit(double[] theta, double objective, double gradientNorm, double gradientScale,
                         double relativeGradientNorm, int lbfgsIterations, int newtonIterations, boolean converged,
                         String message, double seconds) {
}
