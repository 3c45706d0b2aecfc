package org.exemplar.ntk;

import org.exemplar.linalg.DenseMatrix;

/**
 * The input normalization the NTK theory assumes: every row x is mapped to x / ||x||_2. The record keeps the
 * row norms, so {@link #invert} restores the original rows exactly up to rounding.
 *
 * @param norms the Euclidean norm of each original row
 */
public record UnitSphere(double[] norms) {

    /** Tolerance on | ||x|| - 1 | for inputs accepted as already normalized: float32 storage gives ~1e-7. */
    public static final double DEFAULT_TOLERANCE = 1e-5;

    /**
     * Measures the rows of x.
     *
     * @throws IllegalArgumentException naming the row when a row is all zeros (it has no direction)
     */
    public static UnitSphere fit(DenseMatrix x) {
        double[] norms = new double[x.rows()];
        int c = x.cols();
        double[] d = x.data();
        for (int i = 0; i < x.rows(); i++) {
            double s = 0;
            for (int j = 0; j < c; j++) {
                double v = d[i * c + j];
                s += v * v;
            }
            norms[i] = Math.sqrt(s);
            if (!(norms[i] > 0)) {
                throw new IllegalArgumentException("row " + i + " is all zeros and cannot be put on the unit sphere");
            }
        }
        return new UnitSphere(norms);
    }

    /** x_i / ||x_i|| for every row (new matrix). */
    public DenseMatrix apply(DenseMatrix x) {
        return scaleRows(x, false);
    }

    /** The original rows: x_i * ||x_i|| (new matrix). */
    public DenseMatrix invert(DenseMatrix normalized) {
        return scaleRows(normalized, true);
    }

    private DenseMatrix scaleRows(DenseMatrix x, boolean multiply) {
        if (x.rows() != norms.length) {
            throw new IllegalArgumentException("expected " + norms.length + " rows, got " + x.rows());
        }
        DenseMatrix out = x.copy();
        double[] d = out.data();
        int c = x.cols();
        for (int i = 0; i < norms.length; i++) {
            double s = multiply ? norms[i] : 1.0 / norms[i];
            for (int j = 0; j < c; j++) {
                d[i * c + j] *= s;
            }
        }
        return out;
    }

    /**
     * The first row whose norm differs from 1 by more than tol, or -1 when all rows are unit vectors.
     */
    public static int firstRowOffSphere(DenseMatrix x, double tol) {
        int c = x.cols();
        double[] d = x.data();
        for (int i = 0; i < x.rows(); i++) {
            if (Math.abs(rowNorm(d, i, c) - 1.0) > tol) {
                return i;
            }
        }
        return -1;
    }

    /** The Euclidean norm of row i. */
    public static double rowNorm(DenseMatrix x, int i) {
        return rowNorm(x.data(), i, x.cols());
    }

    private static double rowNorm(double[] d, int i, int c) {
        double s = 0;
        for (int j = 0; j < c; j++) {
            double v = d[i * c + j];
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
