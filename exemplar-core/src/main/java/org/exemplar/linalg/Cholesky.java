package org.exemplar.linalg;

import org.netlib.util.intW;

/**
 * Cholesky factorization A = L L^T of a symmetric positive-definite matrix through LAPACK {@code dpotrf},
 * and solves with {@code dpotrs}. Row-major storage of a symmetric matrix is its own column-major storage,
 * so the factor is computed in place on a copy without transposition. For leave-one-out formulas it also
 * gives pieces of A^{-1} from L^{-1} ({@code dtrtri}, A^{-1} = L^{-T} L^{-1}): the diagonal and principal
 * sub-blocks. Cost: n^3/3 flops for the factor, n^3/3 more the first time the inverse factor is needed.
 */
public final class Cholesky {
    private final int n;
    private final double[] factor;   // column-major lower L
    private double[] inverseFactor; // column-major lower L^{-1}, computed lazily

    private Cholesky(int n, double[] factor) {
        this.n = n;
        this.factor = factor;
    }

    /**
     * Factorizes a symmetric positive-definite matrix.
     *
     * @throws ArithmeticException naming the leading minor that is not positive when A is not positive
     *                             definite (for example a singular Hessian without damping)
     */
    public static Cholesky factorize(DenseMatrix a) {
        if (a.rows() != a.cols()) {
            throw new IllegalArgumentException("Cholesky needs a square matrix, got " + a.shapeString());
        }
        int n = a.rows();
        double[] f = a.data().clone();
        intW info = new intW(0);
        Blas.lapack().dpotrf("L", n, f, 0, Math.max(1, n), info);
        if (info.val > 0) {
            throw new ArithmeticException("matrix is not positive definite: leading minor " + info.val + " of " + n
                    + " is not positive (add damping or regularization)");
        }
        if (info.val < 0) {
            throw new IllegalArgumentException("dpotrf: illegal argument " + (-info.val));
        }
        return new Cholesky(n, f);
    }

    /** The lower factor L, column-major n x n (a copy), e.g. to ship it to other machines. */
    public double[] factorColumnMajor() {
        return factor.clone();
    }

    /** A factorization from a lower factor that {@link #factorColumnMajor} returned (not re-checked). */
    public static Cholesky fromFactor(int n, double[] lowerColumnMajor) {
        if (lowerColumnMajor.length != (long) n * n) {
            throw new IllegalArgumentException("factor has " + lowerColumnMajor.length + " entries for n = " + n);
        }
        return new Cholesky(n, lowerColumnMajor.clone());
    }

    public int dim() {
        return n;
    }

    /** Solves A x = b for one right-hand side. */
    public double[] solve(double[] b) {
        if (b.length != n) {
            throw new IllegalArgumentException("right-hand side length " + b.length + " != " + n);
        }
        double[] x = b.clone();
        intW info = new intW(0);
        Blas.lapack().dpotrs("L", n, 1, factor, 0, Math.max(1, n), x, 0, Math.max(1, n), info);
        if (info.val != 0) {
            throw new IllegalStateException("dpotrs failed: info=" + info.val);
        }
        return x;
    }

    /** Solves A X = B for the columns of B (row-major n x k); returns a new matrix. */
    public DenseMatrix solve(DenseMatrix b) {
        if (b.rows() != n) {
            throw new IllegalArgumentException("right-hand side rows " + b.rows() + " != " + n);
        }
        // LAPACK wants column-major B: solve on B^T's storage.
        DenseMatrix bt = b.transpose();
        intW info = new intW(0);
        Blas.lapack().dpotrs("L", n, b.cols(), factor, 0, Math.max(1, n), bt.data(), 0, Math.max(1, n), info);
        if (info.val != 0) {
            throw new IllegalStateException("dpotrs failed: info=" + info.val);
        }
        return bt.transpose();
    }

    /**
     * Solves M X^T = B^T for a row-major k x n matrix B whose <b>rows</b> are right-hand sides (row-major
     * k x n is column-major n x k, so no transpose is made); returns the k x n solutions, one per row.
     */
    public DenseMatrix solveRows(DenseMatrix b) {
        if (b.cols() != n) {
            throw new IllegalArgumentException("right-hand sides have " + b.cols() + " columns, expected " + n);
        }
        double[] x = b.data().clone();
        potrs(x, b.rows());
        return new DenseMatrix(b.rows(), n, x);
    }

    private void potrs(double[] x, int k) {
        if (n == 0 || k == 0) {
            return;
        }
        intW info = new intW(0);
        Blas.lapack().dpotrs("L", n, k, factor, 0, n, x, 0, n, info);
        if (info.val != 0) {
            throw new IllegalStateException("dpotrs failed: info=" + info.val);
        }
    }

    private double[] inverseFactor() {
        if (inverseFactor == null) {
            double[] f = factor.clone();
            intW info = new intW(0);
            if (n > 0) {
                Blas.lapack().dtrtri("L", "N", n, f, 0, n, info);
            }
            if (info.val != 0) {
                throw new ArithmeticException("dtrtri: the Cholesky factor is singular at " + info.val);
            }
            for (int j = 0; j < n; j++) { // clear the strict upper triangle (entries (k, j), k < j): it held M
                java.util.Arrays.fill(f, j * n, j * n + j, 0.0);
            }
            inverseFactor = f;
        }
        return inverseFactor;
    }

    /** diag(M^{-1}): A_ii = sum_{k >= i} (L^{-1})_{ki}^2 (column i of L^{-1} is contiguous). */
    public double[] inverseDiagonal() {
        double[] li = inverseFactor();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int base = i * n;
            for (int k = i; k < n; k++) {
                double v = li[base + k];
                s += v * v;
            }
            d[i] = s;
        }
        return d;
    }

    /** The principal block (M^{-1})[I, I] for the index set I, as an s x s matrix (s = index.length). */
    public DenseMatrix inverseBlock(int[] index) {
        double[] li = inverseFactor();
        int s = index.length;
        DenseMatrix cols = new DenseMatrix(s, n); // row j = column index[j] of L^{-1}
        for (int j = 0; j < s; j++) {
            System.arraycopy(li, index[j] * n, cols.data(), j * n, n);
        }
        return Blas.multiply(Transpose.NO, cols, Transpose.YES, cols);
    }

    /** log det A = 2 sum log L_ii. */
    public double logDeterminant() {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.log(factor[i * n + i]);
        }
        return 2 * s;
    }
}
