package org.exemplar.solver;

/**
 * Settings of {@link Lbfgs}.
 *
 * @param memory        number of correction pairs kept (m)
 * @param maxIterations iteration cap
 * @param tolerance     stop when the {@link StationarityMeasure} is at most this
 * @param c1            sufficient-decrease constant of the Wolfe conditions
 * @param c2            curvature constant of the strong Wolfe conditions
 */
public record LbfgsOptions(int memory, int maxIterations, double tolerance, double c1, double c2) {
    public LbfgsOptions {
        if (memory < 1) {
            throw new IllegalArgumentException("memory must be >= 1, got " + memory);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        if (!(0 < c1 && c1 < c2 && c2 < 1)) {
            throw new IllegalArgumentException("need 0 < c1 < c2 < 1, got c1=" + c1 + " c2=" + c2);
        }
    }

    public static LbfgsOptions defaults() {
        return new LbfgsOptions(20, 5000, 1e-10, 1e-4, 0.9);
    }

    public LbfgsOptions withTolerance(double t) {
        return new LbfgsOptions(memory, maxIterations, t, c1, c2);
    }

    public LbfgsOptions withMaxIterations(int it) {
        return new LbfgsOptions(memory, it, tolerance, c1, c2);
    }
}
