package org.exemplar.solver;

/**
 * Settings of {@link Lissa}.
 *
 * @param depth     T, recursion steps per repeat
 * @param repeats   R, independent recursions averaged
 * @param scale     sigma; the recursion contracts when every mini-batch operator's eigenvalues lie in (0, 2 sigma)
 * @param batchSize examples per mini-batch estimate H_B (ignored by operators that are not sums over examples)
 * @param seed      seed of the mini-batch stream
 */
public record LissaOptions(int depth, int repeats, double scale, int batchSize, long seed) {
    public LissaOptions {
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
