package org.exemplar.representer;

/**
 * Settings of the last-layer fit.
 *
 * @param lambda        L2 strength of eq. (3): the objective carries lambda ||Theta||_F^2 (not lambda/2)
 * @param tolerance     target stationarity residual ||Theta - sum_i alpha_i f_i^T||_F / ||Theta||_F
 * @param maxIterations L-BFGS iteration cap
 * @param newtonPolish  finish with Newton-CG on exact Hessian-vector products when L-BFGS stops short
 */
public record FitOptions(double lambda, double tolerance, int maxIterations, boolean newtonPolish) {
    public FitOptions {
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a positive number, got " + lambda);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
    }

    public static FitOptions of(double lambda) {
        return new FitOptions(lambda, 1e-10, 5000, true);
    }
}
