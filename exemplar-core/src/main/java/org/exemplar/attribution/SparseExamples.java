package org.exemplar.attribution;

import java.util.Arrays;
import java.util.Objects;
import org.exemplar.linalg.CsrMatrix;

/**
 * Sparse examples (CSR rows) with binary labels {-1, +1} (or none for test points), for the sparse representers.
 *
 * @param x      one sparse row per point
 * @param labels -1/+1 per row, or null
 */
public record SparseExamples(CsrMatrix x, double[] labels) implements TestSet<SparseExamples> {
    public SparseExamples {
        Objects.requireNonNull(x, "x");
        if (labels != null) {
            if (labels.length != x.rows()) {
                throw new IllegalArgumentException(labels.length + " labels for " + x.rows() + " rows");
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != 1 && labels[i] != -1) {
                    throw new IllegalArgumentException("labels must be -1 or +1; row " + i + " has " + labels[i]);
                }
            }
        }
    }

    public static SparseExamples unlabeled(CsrMatrix x) {
        return new SparseExamples(x, null);
    }

    @Override
    public int size() {
        return x.rows();
    }

    @Override
    public SparseExamples rows(int from, int to) {
        int[] idx = java.util.stream.IntStream.range(from, to).toArray();
        return new SparseExamples(x.selectRows(idx), labels == null ? null : Arrays.copyOfRange(labels, from, to));
    }

    /** The same examples without the listed rows. */
    public SparseExamples without(int... removed) {
        boolean[] drop = new boolean[size()];
        for (int i : removed) {
            drop[i] = true;
        }
        int[] keep = java.util.stream.IntStream.range(0, size()).filter(i -> !drop[i]).toArray();
        double[] l = null;
        if (labels != null) {
            l = new double[keep.length];
            for (int k = 0; k < keep.length; k++) {
                l[k] = labels[keep[k]];
            }
        }
        return new SparseExamples(x.selectRows(keep), l);
    }

    String sha256() {
        Artifact.Digest d = new Artifact.Digest().addInts(new int[] {x.rows(), x.cols()}).addInts(x.indptr())
                .addInts(x.indices()).add(x.values());
        if (labels != null) {
            d.add(labels);
        }
        return d.hex();
    }
}
