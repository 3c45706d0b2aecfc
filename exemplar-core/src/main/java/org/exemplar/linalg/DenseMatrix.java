package org.exemplar.linalg;

import java.util.Arrays;

/**
 * A dense float64 matrix stored in <b>row-major</b> order (C order, like NumPy's default): entry (i, j)
 * lives at {@code data[i * cols + j]}. Rows are examples throughout Exemplar, so a row is one contiguous
 * block of memory and a NumPy {@code (n, p)} float64 array maps onto it without a copy or transpose.
 *
 * <p>The class is a plain, mutable container for kernels; results that leave the library are wrapped in
 * records. Products go through {@link Blas}.
 */
public final class DenseMatrix {
    private final int rows;
    private final int cols;
    private final double[] data;

    public DenseMatrix(int rows, int cols) {
        this(rows, cols, new double[checkedSize(rows, cols)]);
    }

    /** Wraps {@code data} (row-major, length rows*cols) without copying. */
    public DenseMatrix(int rows, int cols, double[] data) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + " x " + cols);
        }
        if (data.length != checkedSize(rows, cols)) {
            throw new IllegalArgumentException("data length " + data.length + " does not match shape "
                    + rows + " x " + cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    private static int checkedSize(int rows, int cols) {
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matrix " + rows + " x " + cols
                    + " exceeds the 2^31 elements one Java array holds; process it in row blocks");
        }
        return (int) size;
    }

    public static DenseMatrix fromRows(double[][] rows) {
        int r = rows.length;
        int c = r == 0 ? 0 : rows[0].length;
        DenseMatrix m = new DenseMatrix(r, c);
        for (int i = 0; i < r; i++) {
            if (rows[i].length != c) {
                throw new IllegalArgumentException("ragged rows: row 0 has " + c + " entries, row " + i + " has "
                        + rows[i].length);
            }
            System.arraycopy(rows[i], 0, m.data, i * c, c);
        }
        return m;
    }

    public static DenseMatrix identity(int n) {
        DenseMatrix m = new DenseMatrix(n, n);
        for (int i = 0; i < n; i++) {
            m.data[i * n + i] = 1.0;
        }
        return m;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The backing row-major array (not a copy). */
    public double[] data() {
        return data;
    }

    public double get(int i, int j) {
        return data[i * cols + j];
    }

    public void set(int i, int j, double v) {
        data[i * cols + j] = v;
    }

    public void add(int i, int j, double v) {
        data[i * cols + j] += v;
    }

    /** Copy of row i. */
    public double[] row(int i) {
        return Arrays.copyOfRange(data, i * cols, (i + 1) * cols);
    }

    public void setRow(int i, double[] values) {
        if (values.length != cols) {
            throw new IllegalArgumentException("row length " + values.length + " != cols " + cols);
        }
        System.arraycopy(values, 0, data, i * cols, cols);
    }

    /** Copy of column j. */
    public double[] column(int j) {
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = data[i * cols + j];
        }
        return out;
    }

    public DenseMatrix copy() {
        return new DenseMatrix(rows, cols, data.clone());
    }

    public DenseMatrix transpose() {
        DenseMatrix t = new DenseMatrix(cols, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t.data[j * rows + i] = data[i * cols + j];
            }
        }
        return t;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as a new matrix. */
    public DenseMatrix rowRange(int from, int to) {
        return new DenseMatrix(to - from, cols, Arrays.copyOfRange(data, from * cols, to * cols));
    }

    /** The rows listed in {@code index}, in that order. */
    public DenseMatrix selectRows(int[] index) {
        DenseMatrix m = new DenseMatrix(index.length, cols);
        for (int k = 0; k < index.length; k++) {
            System.arraycopy(data, index[k] * cols, m.data, k * cols, cols);
        }
        return m;
    }

    /** A copy with a constant-1 column appended (the bias convention of the representer theorem). */
    public DenseMatrix withOnesColumn() {
        DenseMatrix m = new DenseMatrix(rows, cols + 1);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(data, i * cols, m.data, i * (cols + 1), cols);
            m.data[i * (cols + 1) + cols] = 1.0;
        }
        return m;
    }

    public double frobeniusNorm() {
        return Vectors.norm2(data);
    }

    /** this := this * s. */
    public DenseMatrix scaleInPlace(double s) {
        for (int i = 0; i < data.length; i++) {
            data[i] *= s;
        }
        return this;
    }

    public boolean sameShape(DenseMatrix o) {
        return rows == o.rows && cols == o.cols;
    }

    public String shapeString() {
        return "(" + rows + ", " + cols + ")";
    }

    @Override
    public String toString() {
        return "DenseMatrix" + shapeString();
    }
}
