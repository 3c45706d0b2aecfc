package org.exemplar.cf;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.netlib.util.intW;

/**
 * Thin SVD A = U diag(s) V^T of a row-major m x n matrix through LAPACK {@code dgesdd} (divide and conquer):
 * U is m x r, V is n x r, r = min(m, n), s descending and non-negative.
 *
 * <p>Row-major A is column-major A^T; LAPACK factors A^T = U_B S V_B^T, so U = V_B (whose column-major r x m
 * {@code VT} buffer is already U in row-major order) and V = U_B (transposed out of its column-major buffer).
 */
public record ThinSvd(DenseMatrix u, double[] s, DenseMatrix v) {

    public static ThinSvd of(DenseMatrix a) {
        int m = a.rows();
        int n = a.cols();
        int r = Math.min(m, n);
        if (r == 0) {
            return new ThinSvd(new DenseMatrix(m, 0), new double[0], new DenseMatrix(n, 0));
        }
        // column-major B = A^T is n x m, lda = n
        double[] b = a.data().clone();
        double[] s = new double[r];
        double[] ub = new double[n * r];     // n x r column-major
        double[] vtb = new double[r * m];    // r x m column-major
        int[] iwork = new int[8 * r];
        intW info = new intW(0);
        double[] q = new double[1];
        Blas.lapack().dgesdd("S", n, m, b, n, s, ub, n, vtb, r, q, -1, iwork, info);
        int lwork = Math.max(1, (int) q[0]);
        double[] work = new double[lwork];
        Blas.lapack().dgesdd("S", n, m, b, n, s, ub, n, vtb, r, work, lwork, iwork, info);
        if (info.val != 0) {
            throw new ArithmeticException("dgesdd failed (info " + info.val + ") on a " + m + " x " + n + " matrix");
        }
        DenseMatrix u = new DenseMatrix(m, r, vtb);
        DenseMatrix v = new DenseMatrix(r, n, ub).transpose();
        return new ThinSvd(u, s, v);
    }

    /** U diag(s) V^T (for tests and small problems). */
    public DenseMatrix reconstruct() {
        DenseMatrix us = u.copy();
        int r = s.length;
        for (int i = 0; i < us.rows(); i++) {
            for (int p = 0; p < r; p++) {
                us.set(i, p, us.get(i, p) * s[p]);
            }
        }
        return Blas.multiply(org.exemplar.linalg.Transpose.NO, us, org.exemplar.linalg.Transpose.YES, v);
    }
}
