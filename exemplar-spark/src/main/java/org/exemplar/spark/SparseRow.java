package org.exemplar.spark;

import java.io.Serializable;

/**
 * One sparse row as read from a Spark source: id, strictly increasing 0-based feature indices with their values,
 * the vector's declared size (-1 for array columns, which declare none) and the label (NaN when the data has none).
 */
record SparseRow(long id, int[] indices, double[] values, int size, double label) implements Serializable {
    /**
     * Checks the row against a width (the length of the model's weights): a Vector of another size, an index out
     * of [0, width), indices not strictly increasing, arrays of different lengths, a non-finite value; every message
     * names the row's id.
     */
    void check(int width, String what) {
        if (indices == null || values == null) {
            throw new InputException(what + " row id " + id + " has no features (null)");
        }
        if (size >= 0 && size != width) {
            throw new InputException(what + " row id " + id + " has a feature vector of size " + size + ", expected "
                    + width + " (the length of the weights)");
        }
        if (indices.length != values.length) {
            throw new InputException(what + " row id " + id + " has " + indices.length + " indices but "
                    + values.length + " values");
        }
        for (int k = 0; k < indices.length; k++) {
            int j = indices[k];
            if (j < 0 || j >= width) {
                throw new InputException(what + " row id " + id + " has feature index " + j + " outside [0, " + width
                        + ") (the weights have " + width + " entries)");
            }
            if (k > 0 && j <= indices[k - 1]) {
                throw new InputException(what + " row id " + id + " has feature indices not strictly increasing ("
                        + indices[k - 1] + " then " + j + ")");
            }
            if (!Double.isFinite(values[k])) {
                throw new InputException(what + " row id " + id + " has a non-finite value " + values[k]
                        + " at feature index " + j);
            }
        }
    }

    /** The order-invariant content hash of {@link RowDigest} for a sparse row (id, indices, values, label). */
    long digest() {
        return RowDigest.ofSparse(id, indices, values, 0, indices.length, label);
    }
}
