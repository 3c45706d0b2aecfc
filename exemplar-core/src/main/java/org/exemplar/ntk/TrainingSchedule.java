package org.exemplar.ntk;

/**
 * How {@link ReluNetworkTrainer} minimizes eq. (2).
 *
 * @param method            the algorithm
 * @param learningRate      step size (gradient descent only)
 * @param maxSteps          gradient steps, or Gauss-Newton iterations
 * @param gradientTolerance Gauss-Newton stops when an iteration lowers eq. (2) by less than this fraction of its
 *                          value. (The ReLU objective is piecewise quadratic with kinks where a unit's
 *                          pre-activation crosses 0; at a minimizer on a kink the gradient, with relu'(0) = 0,
 *                          does not vanish, so a gradient-norm rule cannot be met and the loss decrease is the
 *                          stopping rule. The final relative gradient norm is still reported.) Gradient descent
 *                          always takes its steps.
 */
public record TrainingSchedule(Method method, double learningRate, int maxSteps, double gradientTolerance) {

    /** The minimizer. */
    public enum Method {
        /** Full-batch gradient descent W -= lr grad L(W): the paper's discretized gradient flow (eq. 3). */
        GRADIENT_DESCENT,
        /**
         * Gauss-Newton with backtracking: in a fixed ReLU activation pattern f is linear in W and eq. (2) is
         * quadratic, so each iteration jumps to the exact minimizer for the current pattern; a pattern that no
         * longer changes is an exact stationary point, the one gradient flow from W(0) converges to in the
         * NTK regime.
         */
        GAUSS_NEWTON
    }

    public TrainingSchedule {
        if (method == null) {
            throw new IllegalArgumentException("method is required");
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
        }
        if (method == Method.GRADIENT_DESCENT && !(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        }
        if (!(gradientTolerance >= 0)) {
            throw new IllegalArgumentException("gradientTolerance must be >= 0, got " + gradientTolerance);
        }
    }

    /**
     * Gradient descent that tracks gradient flow: lr = 1 / (lmax + lambda), half the largest stable step of the
     * linearized model (2 / (lmax + lambda)), and enough steps for the slowest mode, which decays as
     * exp(-(lmin + lambda) t), to shrink by {@code decay}: steps = ceil(ln(1/decay) (lmax + lambda) / (lmin +
     * lambda)), i.e. flow time t = ln(1/decay) / (lmin + lambda).
     *
     * @param lmax   largest eigenvalue of the training NTK
     * @param lmin   smallest eigenvalue of the training NTK
     * @param lambda ridge strength
     * @param decay  residual factor of the slowest mode, in (0, 1)
     */
    public static TrainingSchedule gradientFlow(double lmax, double lmin, double lambda, double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1), got " + decay);
        }
        double lr = 1.0 / (lmax + lambda);
        double steps = Math.ceil(Math.log(1 / decay) * (lmax + lambda) / (Math.max(lmin, 0) + lambda));
        if (!(steps <= Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("gradient flow needs " + steps + " steps (lmin + lambda = "
                    + (lmin + lambda) + "); raise lambda");
        }
        return new TrainingSchedule(Method.GRADIENT_DESCENT, lr, (int) steps, 0.0);
    }

    /** Gauss-Newton to a relative gradient norm {@code tol}, at most {@code maxIterations} iterations. */
    public static TrainingSchedule gaussNewton(int maxIterations, double tol) {
        return new TrainingSchedule(Method.GAUSS_NEWTON, 0.0, maxIterations, tol);
    }
}
