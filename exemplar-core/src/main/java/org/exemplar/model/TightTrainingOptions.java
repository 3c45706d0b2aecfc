package org.exemplar.model;

/**
 * Settings of {@link TightTrainer}.
 *
 * @param tolerance           stop when ||grad J|| / scale &lt;= tolerance, with scale = max(1, ||grad J(theta_0)||)
 *                            of the base fit (issue 3 asks for 1e-10)
 * @param maxLbfgsIterations  L-BFGS iteration cap
 * @param maxNewtonIterations Newton-CG polish iteration cap (0: no polish)
 */
public record TightTrainingOptions(double tolerance, int maxLbfgsIterations, int maxNewtonIterations) {
    public TightTrainingOptions {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        if (maxLbfgsIterations < 1) {
            throw new IllegalArgumentException("maxLbfgsIterations must be >= 1, got " + maxLbfgsIterations);
        }
        if (maxNewtonIterations < 0) {
            throw new IllegalArgumentException("maxNewtonIterations must be >= 0, got " + maxNewtonIterations);
        }
    }

    /** Tolerance 1e-10, 5000 L-BFGS iterations, 100 Newton-CG iterations. */
    public static TightTrainingOptions defaults() {
        return new TightTrainingOptions(1e-10, 5000, 100);
    }

    public TightTrainingOptions withTolerance(double t) {
        return new TightTrainingOptions(t, maxLbfgsIterations, maxNewtonIterations);
    }
}
