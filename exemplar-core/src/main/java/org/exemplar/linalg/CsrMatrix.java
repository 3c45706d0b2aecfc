package org.exemplar.linalg;

import java.util.Arrays;

/**
 * A sparse float64 matrix in compressed sparse row form (CSR, as scipy.sparse.csr_matrix): row i's entries are
 * {@code values[indptr[i] .. indptr[i+1])} in columns {@code indices[...]}, column indices sorted and unique
 * within a row. Immutable; kernels never densify.
 */
public final class CsrMatrix {
    private final int rows;
    private final int cols;
    private final int[] indptr;
    private final int[] indices;
    private final double[] values;

    /** Wraps the arrays after checking them (sorted, unique, in-range column indices). */
    public CsrMatrix(int rows, int cols, int[] indptr, int[] indices, double[] values) {
        if (indptr.length != rows + 1 || indptr[0] != 0 || indptr[rows] != indices.length
                || indices.length != values.length) {
            throw new IllegalArgumentException("inconsistent CSR arrays: rows " + rows + ", indptr " + indptr.length
                    + " (last " + indptr[indptr.length - 1] + "), indices " + indices.length + ", values " + values.length);
        }
        for (int i = 0; i < rows; i++) {
            if (indptr[i + 1] < indptr[i]) {
                throw new IllegalArgumentException("indptr decreases at row " + i);
            }
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                int j = indices[k];
                if (j < 0 || j >= cols) {
                    throw new IllegalArgumentException("column " + j + " out of range [0, " + cols + ") in row " + i);
                }
                if (k > indptr[i] && j <= indices[k - 1]) {
                    throw new IllegalArgumentException("row " + i + ": column indices not strictly increasing");
                }
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.indptr = indptr;
        this.indices = indices;
        this.values = values;
    }

    public static CsrMatrix fromDense(DenseMatrix m) {
        int nnz = 0;
        for (double v : m.data()) {
            if (v != 0) {
                nnz++;
            }
        }
        int[] ptr = new int[m.rows() + 1];
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int k = 0;
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                double v = m.get(i, j);
                if (v != 0) {
                    idx[k] = j;
                    val[k++] = v;
                }
            }
            ptr[i + 1] = k;
        }
        return new CsrMatrix(m.rows(), m.cols(), ptr, idx, val);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int nnz() {
        return values.length;
    }

    public int[] indptr() {
        return indptr;
    }

    public int[] indices() {
        return indices;
    }

    public double[] values() {
        return values;
    }

    public DenseMatrix toDense() {
        DenseMatrix m = new DenseMatrix(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                m.set(i, indices[k], values[k]);
            }
        }
        return m;
    }

    /** y = A x. */
    public double[] multiply(double[] x) {
        if (x.length != cols) {
            throw new IllegalArgumentException("vector length " + x.length + " != cols " + cols);
        }
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                s += values[k] * x[indices[k]];
            }
            y[i] = s;
        }
        return y;
    }

    /** y = A^T v. */
    public double[] transposeMultiply(double[] v) {
        if (v.length != rows) {
            throw new IllegalArgumentException("vector length " + v.length + " != rows " + rows);
        }
        double[] y = new double[cols];
        for (int i = 0; i < rows; i++) {
            double vi = v[i];
            if (vi == 0) {
                continue;
            }
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                y[indices[k]] += values[k] * vi;
            }
        }
        return y;
    }

    /** Dot product of row i with a dense vector. */
    public double rowDot(int i, double[] x) {
        double s = 0;
        for (int k = indptr[i]; k < indptr[i + 1]; k++) {
            s += values[k] * x[indices[k]];
        }
        return s;
    }

    /** Dot product of row i of this with row j of {@code other} (merge of sorted index lists). */
    public double rowDot(int i, CsrMatrix other, int j) {
        int a = indptr[i];
        int ae = indptr[i + 1];
        int b = other.indptr[j];
        int be = other.indptr[j + 1];
        double s = 0;
        while (a < ae && b < be) {
            int ca = indices[a];
            int cb = other.indices[b];
            if (ca == cb) {
                s += values[a++] * other.values[b++];
            } else if (ca < cb) {
                a++;
            } else {
                b++;
            }
        }
        return s;
    }

    /** Row i as a dense vector. */
    public double[] denseRow(int i) {
        double[] r = new double[cols];
        for (int k = indptr[i]; k < indptr[i + 1]; k++) {
            r[indices[k]] = values[k];
        }
        return r;
    }

    /** The listed rows, in order. */
    public CsrMatrix selectRows(int[] rowIndex) {
        int nnz = 0;
        for (int r : rowIndex) {
            nnz += indptr[r + 1] - indptr[r];
        }
        int[] ptr = new int[rowIndex.length + 1];
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int k = 0;
        for (int t = 0; t < rowIndex.length; t++) {
            int r = rowIndex[t];
            int len = indptr[r + 1] - indptr[r];
            System.arraycopy(indices, indptr[r], idx, k, len);
            System.arraycopy(values, indptr[r], val, k, len);
            k += len;
            ptr[t + 1] = k;
        }
        return new CsrMatrix(rowIndex.length, cols, ptr, idx, val);
    }

    /**
     * The listed columns, renumbered: column k of the result is column {@code columns[k]} of this matrix
     * ({@code columns} strictly increasing). One pass over the non-zeros.
     */
    public CsrMatrix selectColumns(int[] columns) {
        int[] position = new int[cols];
        Arrays.fill(position, -1);
        for (int k = 0; k < columns.length; k++) {
            if (columns[k] < 0 || columns[k] >= cols || (k > 0 && columns[k] <= columns[k - 1])) {
                throw new IllegalArgumentException("columns must be strictly increasing in [0, " + cols + "), got "
                        + columns[k] + " at position " + k);
            }
            position[columns[k]] = k;
        }
        int nnz = 0;
        for (int k = 0; k < indices.length; k++) {
            nnz += position[indices[k]] >= 0 ? 1 : 0;
        }
        int[] ptr = new int[rows + 1];
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int m = 0;
        for (int i = 0; i < rows; i++) {
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                int pos = position[indices[k]];
                if (pos >= 0) {
                    idx[m] = pos;
                    val[m++] = values[k];
                }
            }
            ptr[i + 1] = m;
        }
        return new CsrMatrix(rows, columns.length, ptr, idx, val);
    }

    /** The transpose in CSR form (equivalently, this matrix in compressed sparse column form). O(nnz). */
    public CsrMatrix transpose() {
        int[] ptr = new int[cols + 1];
        for (int k = 0; k < indices.length; k++) {
            ptr[indices[k] + 1]++;
        }
        for (int j = 0; j < cols; j++) {
            ptr[j + 1] += ptr[j];
        }
        int[] next = Arrays.copyOf(ptr, cols);
        int[] idx = new int[indices.length];
        double[] val = new double[indices.length];
        for (int i = 0; i < rows; i++) {     // rows in increasing order: each column's row indices come out sorted
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                int at = next[indices[k]]++;
                idx[at] = i;
                val[at] = values[k];
            }
        }
        return new CsrMatrix(cols, rows, ptr, idx, val);
    }

    /** All rows except the listed ones. */
    public CsrMatrix withoutRows(int[] removed) {
        boolean[] drop = new boolean[rows];
        for (int r : removed) {
            drop[r] = true;
        }
        int[] keep = new int[rows - (int) java.util.stream.IntStream.range(0, rows).filter(r -> drop[r]).count()];
        int t = 0;
        for (int r = 0; r < rows; r++) {
            if (!drop[r]) {
                keep[t++] = r;
            }
        }
        return selectRows(keep);
    }

    /** A copy whose rows have unit Euclidean norm (empty rows stay empty). */
    public CsrMatrix rowNormalized() {
        double[] val = values.clone();
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                s += val[k] * val[k];
            }
            if (s > 0) {
                double inv = 1 / Math.sqrt(s);
                for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                    val[k] *= inv;
                }
            }
        }
        return new CsrMatrix(rows, cols, indptr, indices, val);
    }

    @Override
    public String toString() {
        return "CsrMatrix(" + rows + ", " + cols + ", nnz=" + nnz() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CsrMatrix c && rows == c.rows && cols == c.cols && Arrays.equals(indptr, c.indptr)
                && Arrays.equals(indices, c.indices) && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + rows;
    }
}
