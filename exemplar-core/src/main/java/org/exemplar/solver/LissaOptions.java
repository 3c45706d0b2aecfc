package org.exemplar.solver;

/**
 * Settings of {@link Lissa}.
 *
 * @param depth     T, recursion steps per repeat
 * @param repeats   R, independent recursions averaged
 * @param scale     sigma; the recursion contracts when every mini-batch operator's eigenvalues lie in (0, 2 sigma)
 * @param batchSize examples per mini-batch estimate H_B (ignored by operators that are not sums over examples)
 * @param seed      seed of the mini-batch stream
 * @param tolerance a solve counts as converged only when it did not diverge and its true relative residual
 *                  ||A x - b|| / ||b|| (recomputed with the full operator) is at most this
 */
public record LissaOptions(int depth, int repeats, double scale, int batchSize, long seed, double tolerance) {
    /**
     * Default bar on the true relative residual: 1e-2. LiSSA is stochastic and its truncation error decays
     * slowly, so this is looser than CG's; a solve above it is reported as not converged (issue 15).
     */
    public static final double DEFAULT_TOLERANCE = 1e-2;

    /** Options with the {@link #DEFAULT_TOLERANCE default residual tolerance}. */
    public LissaOptions(int depth, int repeats, double scale, int batchSize, long seed) {
        this(depth, repeats, scale, batchSize, seed, DEFAULT_TOLERANCE);
    }

    public LissaOptions {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("LiSSA tolerance must be > 0, got " + tolerance);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("LiSSA depth must be >= 1, got " + depth);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("LiSSA repeats must be >= 1, got " + repeats);
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("LiSSA scale must be finite and > 0, got " + scale);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("LiSSA batch size must be >= 1, got " + batchSize);
        }
    }
}
