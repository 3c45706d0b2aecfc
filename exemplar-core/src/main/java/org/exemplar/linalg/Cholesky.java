package org.exemplar.linalg;

import org.netlib.util.intW;

/**
 * Cholesky factorization A = L L^T of a symmetric positive-definite matrix through LAPACK {@code dpotrf},
 * and solves with {@code dpotrs}. Row-major storage of a symmetric matrix is its own column-major storage,
 * so the factor is computed in place on a copy without transposition.
 */
public final class Cholesky {
    private final int n;
    private final double[] factor;

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

    /** log det A = 2 sum log L_ii. */
    public double logDeterminant() {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.log(factor[i * n + i]);
        }
        return 2 * s;
    }
}
