package org.exemplar.model;

import java.util.Objects;

/**
 * The flat parameter vector theta of an {@link Mlp} over widths [d_0, ..., d_L]: W_0 row-major, b_0, W_1
 * row-major, b_1, ..., W_{L-1}, b_{L-1}, so P = sum_k d_{k+1} (d_k + 1). Gives the offsets of each block and
 * flattens per-layer blocks into theta and back (the order of {@code torch.nn.utils.parameters_to_vector} over
 * {@code nn.Linear} layers).
 */
final class ParameterLayout {
    private final int[] widths;

    /** The layout of a network with these widths (held, not copied). */
    ParameterLayout(int[] widths) {
        this.widths = widths;
    }

    /** Number of dense layers L. */
    int layerCount() {
        return widths.length - 1;
    }

    /**
     * P = sum_k d_{k+1} (d_k + 1).
     *
     * @throws IllegalStateException when P does not fit in one Java array
     */
    int count() {
        long p = 0;
        for (int k = 0; k + 1 < widths.length; k++) {
            p += (long) widths[k + 1] * (widths[k] + 1);
        }
        if (p > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("model has " + p + " parameters, more than one Java array holds");
        }
        return (int) p;
    }

    /** Offset of W_k in theta (b_k follows W_k directly). */
    int weightOffset(int k) {
        int off = 0;
        for (int j = 0; j < k; j++) {
            off += widths[j + 1] * (widths[j] + 1);
        }
        return off;
    }

    /** Offset of b_k in theta. */
    int biasOffset(int k) {
        return weightOffset(k) + widths[k + 1] * widths[k];
    }

    /** theta from blocks in flat order [W_0.data, b_0, W_1.data, b_1, ...], of total length {@code total}. */
    static double[] flatten(double[][] blocks, int total) {
        double[] out = new double[total];
        int off = 0;
        for (double[] b : blocks) {
            System.arraycopy(b, 0, out, off, b.length);
            off += b.length;
        }
        return out;
    }

    /** Copies theta into the blocks, in flat order (the inverse of {@link #flatten}). */
    static void unflatten(double[] theta, double[][] blocks) {
        int off = 0;
        for (double[] block : blocks) {
            System.arraycopy(theta, off, block, 0, block.length);
            off += block.length;
        }
    }

    /**
     * Checks that {@code v} is a vector of length P.
     *
     * @throws IllegalArgumentException naming {@code what}, its length and P
     */
    void checkLength(double[] v, String what) {
        Objects.requireNonNull(v, what);
        if (v.length != count()) {
            throw new IllegalArgumentException(what + " has length " + v.length + " but the model has "
                    + count() + " parameters");
        }
    }
}
