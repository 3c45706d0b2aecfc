package org.exemplar.spark;

import java.util.Iterator;
import org.exemplar.linalg.DenseMatrix;

/**
 * Cuts a partition's rows into dense row blocks (the unit the library's BLAS kernels work on), checking every row:
 * features present, of the expected width, finite.
 */
final class Chunks {
    /** Rows per block: 2048 x 512 doubles = 8 MB, large enough for BLAS, small next to an executor's memory. */
    static final int DEFAULT_ROWS = 2048;

    private Chunks() {
    }

    /**
     * One block: features (rows x width, row-major, contiguous), ids and labels of its rows. Plain arrays, so a
     * block can be cached, spilled or shipped as it is.
     */
    record Chunk(double[] data, int width, long[] ids, int[] labels) implements java.io.Serializable {
        int rows() {
            return ids.length;
        }

        /** The features as a matrix (wraps the array, no copy). */
        DenseMatrix features() {
            return new DenseMatrix(ids.length, width, data);
        }
    }

    interface Consumer {
        void accept(Chunk c) throws Exception;
    }

    /**
     * @param width expected feature width; rows of another width fail with the row's id
     * @param what  "training" or "test", for messages
     */
    static void forEach(Iterator<TrainRow> it, int width, int chunkRows, String what, Consumer consumer)
            throws Exception {
        double[] buf = new double[chunkRows * width];
        long[] ids = new long[chunkRows];
        int[] labels = new int[chunkRows];
        int m = 0;
        while (it.hasNext()) {
            TrainRow r = it.next();
            check(r, width, what);
            System.arraycopy(r.getFeatures(), 0, buf, m * width, width);
            ids[m] = r.getId();
            labels[m] = r.getLabel();
            m++;
            if (m == chunkRows) {
                consumer.accept(new Chunk(buf.clone(), width, ids.clone(), labels.clone()));
                m = 0;
            }
        }
        if (m > 0) {
            consumer.accept(new Chunk(java.util.Arrays.copyOf(buf, m * width), width, java.util.Arrays.copyOf(ids, m),
                    java.util.Arrays.copyOf(labels, m)));
        }
    }

    static void check(TrainRow r, int width, String what) {
        double[] f = r.getFeatures();
        if (f == null) {
            throw new InputException(what + " row id " + r.getId() + " has no features (null)");
        }
        if (f.length != width) {
            throw new InputException(what + " row id " + r.getId() + " has " + f.length
                    + " features, expected " + width);
        }
        for (int j = 0; j < f.length; j++) {
            if (!Double.isFinite(f[j])) {
                throw new InputException(what + " row id " + r.getId() + " has a non-finite feature " + f[j]
                        + " at position " + j);
            }
        }
    }
}
