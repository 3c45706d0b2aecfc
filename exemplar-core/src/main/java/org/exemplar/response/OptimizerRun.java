package org.exemplar.response;

/**
 * One optimizer run on a {@link ResponseObjective}.
 *
 * @param theta        the final parameters
 * @param optimizer    "sgd" or "lbfgs"
 * @param steps        SGD steps or L-BFGS iterations
 * @param gradientNorm ||grad Q(theta)|| of the run's own full-batch objective at the final parameters
 * @param objective    Q(theta) at the final parameters
 * @param converged    L-BFGS: whether the tolerance was reached; SGD: true (a fixed budget of epochs, reported
 *                     through the gradient norm, as the paper's protocol runs)
 * @param seconds      wall-clock time
 */
public record OptimizerRun(double[] theta, String optimizer, int steps, double gradientNorm, double objective,
                           boolean converged, double seconds) {
}
