package org.exemplar.spark;

/**
 * A 64-bit content hash of one row (id, every feature's bits, label), summed over rows: the sum does not depend on
 * the order of rows or partitions, so it identifies the data wherever it is split. Not cryptographic; it is recorded
 * in the provenance next to the input paths (a SHA-256 of the files would need one machine to read them all).
 */
final class RowDigest {
    private RowDigest() {
    }

    static long of(TrainRow r) {
        double[] f = r.getFeatures();
        return of(r.getId(), f, 0, f.length, r.getLabel());
    }

    /** The same hash for a row stored at {@code data[offset .. offset + width)}. */
    static long of(long id, double[] data, int offset, int width, int label) {
        long h = mix(id ^ 0x9E3779B97F4A7C15L);
        for (int j = offset; j < offset + width; j++) {
            h = mix(h ^ Double.doubleToLongBits(data[j]));
        }
        return mix(h ^ label);
    }

    /** The same hash for a sparse row: id, every (index, value bits) pair, the label's bits. */
    static long ofSparse(long id, int[] indices, double[] values, int from, int to, double label) {
        long h = mix(id ^ 0x9E3779B97F4A7C15L);
        for (int k = from; k < to; k++) {
            h = mix(h ^ indices[k]);
            h = mix(h ^ Double.doubleToLongBits(values[k]));
        }
        return mix(h ^ Double.doubleToLongBits(label));
    }

    /** A rating (user, item, value), for an interaction log. */
    static long ofRating(long user, long item, double value) {
        return mix(mix(mix(user ^ 0x9E3779B97F4A7C15L) ^ item) ^ Double.doubleToLongBits(value));
    }

    /** splitmix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
