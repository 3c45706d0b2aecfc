package org.exemplar.linalg;

import org.netlib.util.intW;

/**
 * A symmetric positive-definite matrix M = L L^T factored by LAPACK {@code dpotrf}, with the pieces of
 * A = M^{-1} that leave-one-out formulas need: solves A B ({@code dpotrs}), the diagonal of A and principal
 * sub-blocks A[I, I] from L^{-1} ({@code dtrtri}, A = L^{-T} L^{-1}, so A_ij = (L^{-1} e_i) . (L^{-1} e_j)).
 *
 * <p>Cost: n^3/3 flops for the factor, n^3/3 more the first time the inverse factor is needed, 2 n^2 k per
 * k right-hand sides, 2 n s^2 per s x s block. Memory: two n x n arrays (factor and inverse factor).
 */
public final class SpdInverse {
    private final int n;
    private final double[] factor;   // column-major lower L
    private double[] inverseFactor; // column-major lower L^{-1}, computed lazily

    private SpdInverse(int n, double[] factor) {
        this.n = n;
        this.factor = factor;
    }

    /**
     * Factors M (which must be symmetric; only its lower triangle in column-major terms is read).
     *
     * @throws ArithmeticException naming the leading minor that is not positive
     */
    public static SpdInverse factorize(DenseMatrix m) {
        if (m.rows() != m.cols()) {
            throw new IllegalArgumentException("needs a square matrix, got " + m.shapeString());
        }
        int n = m.rows();
        double[] f = m.data().clone();
        intW info = new intW(0);
        Blas.lapack().dpotrf("L", n, f, 0, Math.max(1, n), info);
        if (info.val > 0) {
            throw new ArithmeticException("matrix is not positive definite: leading minor " + info.val + " of " + n
                    + " is not positive");
        }
        if (info.val < 0) {
            throw new IllegalArgumentException("dpotrf: illegal argument " + (-info.val));
        }
        return new SpdInverse(n, f);
    }

    public int dim() {
        return n;
    }

    /** Solves M x = b. */
    public double[] solve(double[] b) {
        if (b.length != n) {
            throw new IllegalArgumentException("right-hand side length " + b.length + " != " + n);
        }
        double[] x = b.clone();
        potrs(x, 1);
        return x;
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

    /** log det M = 2 sum log L_ii. */
    public double logDeterminant() {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.log(factor[i * n + i]);
        }
        return 2 * s;
    }
}
