package org.exemplar.data;

import java.nio.file.Path;
import org.exemplar.linalg.DenseMatrix;

/** Checks on loaded data that report problems as {@link DataException}s naming the file. */
public final class Validation {
    private Validation() {
    }

    /**
     * Fails if {@code m} contains NaN or infinity, naming the first one by row and column and counting all.
     *
     * @param what what the matrix is, for the message (e.g. {@code "features"})
     */
    public static DenseMatrix requireFinite(DenseMatrix m, Path file, String what) {
        double[] d = m.data();
        int cols = m.cols();
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                long total = 0;
                for (int k = i; k < d.length; k++) {
                    if (!Double.isFinite(d[k])) {
                        total++;
                    }
                }
                throw new DataException(file, what + " " + m.shapeString() + " contain a non-finite value: "
                        + d[i] + " at row " + (i / cols) + ", column " + (i % cols) + " (0-based; " + total
                        + " non-finite value" + (total == 1 ? "" : "s") + " in total)");
            }
        }
        return m;
    }

    /** Fails if {@code v} contains NaN or infinity, naming the first one by index and counting all. */
    public static double[] requireFinite(double[] v, Path file, String what) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                long total = 0;
                for (int k = i; k < v.length; k++) {
                    if (!Double.isFinite(v[k])) {
                        total++;
                    }
                }
                throw new DataException(file, what + " (length " + v.length + ") contain a non-finite value: "
                        + v[i] + " at index " + i + " (0-based; " + total + " non-finite value"
                        + (total == 1 ? "" : "s") + " in total)");
            }
        }
        return v;
    }

    /** Fails unless {@code m} has {@code rows} rows, e.g. labels matching features. */
    public static DenseMatrix requireRows(DenseMatrix m, int rows, Path file, String what) {
        if (m.rows() != rows) {
            throw new DataException(file, what + " has " + m.rows() + " rows " + m.shapeString() + ", expected "
                    + rows);
        }
        return m;
    }
}
