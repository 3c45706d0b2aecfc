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

    /**
     * The class count c = max label + 1 of integer labels, refusing what would silently allocate or fit nonsense
     * (issue 15, item 11): no labels, a negative label, a single class, more classes than labels (one stray
     * label of 10^6 would otherwise mean a million classes), and a class in [0, c) with no example.
     *
     * @param what what the labels are, for the message (e.g. {@code "training labels"})
     */
    public static int classCount(int[] labels, Path file, String what) {
        if (labels.length == 0) {
            throw new DataException(file, what + " are empty (0 rows); at least one example per class is needed");
        }
        int max = -1;
        int maxRow = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new DataException(file, "negative label " + labels[i] + " at row " + i + " (" + what
                        + " must be 0..c-1)");
            }
            if (labels[i] > max) {
                max = labels[i];
                maxRow = i;
            }
        }
        if (max < 1) {
            throw new DataException(file, what + " hold a single class (" + max + "); at least two are needed");
        }
        if (max >= labels.length) {
            throw new DataException(file, "label " + max + " at row " + maxRow + " implies " + ((long) max + 1)
                    + " classes but there are only " + labels.length + " " + what + "; class labels must be 0..c-1 with "
                    + "every class present");
        }
        int[] count = new int[max + 1];
        for (int y : labels) {
            count[y]++;
        }
        for (int k = 0; k <= max; k++) {
            if (count[k] == 0) {
                throw new DataException(file, "class " + k + " has no example among the " + labels.length + " " + what
                        + " (labels 0.." + max + "; largest at row " + maxRow + "); class labels must be 0..c-1 with every "
                        + "class present");
            }
        }
        return max + 1;
    }

    /**
     * The first column whose every entry is exactly 1 (a bias column appended to the features), or -1; matrices of
     * fewer than two rows have none (one row cannot tell a bias column from data).
     */
    public static int constantOneColumn(DenseMatrix x) {
        if (x.rows() < 2) {
            return -1;
        }
        for (int j = 0; j < x.cols(); j++) {
            boolean ones = true;
            for (int i = 0; i < x.rows() && ones; i++) {
                ones = x.get(i, j) == 1.0;
            }
            if (ones) {
                return j;
            }
        }
        return -1;
    }

    /**
     * Class labels of an .npy file for the rows of a features file: a 1-D integer array with one non-negative label
     * per row; the message names the file, the shape or the offending row.
     */
    public static int[] classLabels(Path file, int rows, Path featuresFile) {
        NpyArray arr = Npy.read(file);
        if (arr.ndim() != 1) {
            throw new DataException(file, "labels must be a 1-D array, got shape " + arr.shapeString());
        }
        if (arr.rows() != rows) {
            throw new DataException(file, "has " + arr.rows() + " labels but " + featuresFile + " has " + rows + " rows");
        }
        int[] y;
        try {
            y = arr.toIntArray();
        } catch (IllegalArgumentException e) {
            throw new DataException(file, "labels must be integers: " + e.getMessage());
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0) {
                throw new DataException(file, "label " + y[i] + " at row " + i + " is negative");
            }
        }
        return y;
    }
}
