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

    /**
     * The leading {@code k} singular triplets of A by block subspace iteration with Rayleigh-Ritz extraction
     * (Halko, Martinsson and Tropp 2011, Alg. 4.4 and 5.1; the partial SVD Soft-Impute is designed around,
     * Mazumder et al. 2010 Sec. 5): a block of b = k + 8 vectors, Q = orth(A V), then repeatedly
     * V = orth(A^T Q), Q = orth(A V), B = Q^T A = U_B S V_B^T, until every one of the k triplets has residual
     * ||A v_i - s_i u_i|| &lt;= tol * s_1 (A^T u_i = s_i v_i holds by construction). Cost per round
     * ~8 m n b flops instead of a full SVD's O(m n min(m, n)).
     *
     * @param start    n x c starting block (e.g. the previous Soft-Impute iterate's V; c &lt;= b columns used) or null
     * @param seed     seed of the Gaussian columns that fill the block
     * @param tol      relative residual tolerance
     * @param maxRounds cap on rounds; not reaching the tolerance is an ArithmeticException with the residual
     * @return k triplets, singular values descending (fewer when k &gt; min(m, n))
     */
    public static ThinSvd top(DenseMatrix a, int k, DenseMatrix start, long seed, double tol, int maxRounds) {
        return top(a, k, Double.NEGATIVE_INFINITY, start, seed, tol, maxRounds);
    }

    /**
     * As {@link #top(DenseMatrix, int, DenseMatrix, long, double, int)}, but only the triplets whose singular values
     * exceed {@code threshold} are wanted (Soft-Impute keeps exactly those): it returns them (at most k), converged to
     * the tolerance, once the next Ritz value is certified below the threshold (Ritz value + residual &lt;=
     * threshold; Ritz values never exceed the singular values they approximate). Triplets near the noise floor,
     * which converge slowly and are not used, are not iterated to full accuracy.
     */
    public static ThinSvd top(DenseMatrix a, int k, double threshold, DenseMatrix start, long seed, double tol,
                              int maxRounds) {
        int m = a.rows();
        int n = a.cols();
        int r = Math.min(m, n);
        k = Math.min(k, r);
        int b = Math.min(r, k + 8);
        if (k == 0) {
            return new ThinSvd(new DenseMatrix(m, 0), new double[0], new DenseMatrix(n, 0));
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        DenseMatrix v = new DenseMatrix(n, b);
        for (int j = 0; j < n; j++) {
            for (int c = 0; c < b; c++) {
                v.set(j, c, start != null && c < start.cols() && start.rows() == n ? start.get(j, c)
                        : rng.nextGaussian());
            }
        }
        orthonormalizeColumns(v, rng);
        DenseMatrix q = Blas.multiply(a, v);
        orthonormalizeColumns(q, rng);
        double worst = Double.POSITIVE_INFINITY;
        for (int round = 1; round <= maxRounds; round++) {
            v = Blas.multiply(org.exemplar.linalg.Transpose.YES, a, org.exemplar.linalg.Transpose.NO, q);
            orthonormalizeColumns(v, rng);
            q = Blas.multiply(a, v);
            orthonormalizeColumns(q, rng);
            // Rayleigh-Ritz: B = Q^T A (b x n) = U_B S V_B^T; U = Q U_B, V = V_B
            DenseMatrix bm = Blas.multiply(org.exemplar.linalg.Transpose.YES, q, org.exemplar.linalg.Transpose.NO, a);
            ThinSvd small = of(bm);
            DenseMatrix u = Blas.multiply(q, small.u());
            DenseMatrix av = Blas.multiply(a, small.v());
            double[] res = new double[b];
            for (int i = 0; i < b; i++) {
                double sum = 0;
                for (int row = 0; row < m; row++) {
                    double d = av.get(row, i) - small.s()[i] * u.get(row, i);
                    sum += d * d;
                }
                res[i] = Math.sqrt(sum);
            }
            int want = 0;
            while (want < k && small.s()[want] > threshold) {
                want++;
            }
            worst = 0;
            for (int i = 0; i < want; i++) {
                worst = Math.max(worst, res[i]);
            }
            double scale = small.s()[0];
            boolean restBelow = want == k || small.s()[want] + res[want] <= threshold;
            if ((worst <= tol * scale && restBelow) || scale == 0) {
                k = want;
                DenseMatrix uk = new DenseMatrix(m, k);
                DenseMatrix vk = new DenseMatrix(n, k);
                for (int i = 0; i < m; i++) {
                    System.arraycopy(u.data(), i * b, uk.data(), i * k, k);
                }
                for (int j = 0; j < n; j++) {
                    System.arraycopy(small.v().data(), j * b, vk.data(), j * k, k);
                }
                return new ThinSvd(uk, java.util.Arrays.copyOf(small.s(), k), vk);
            }
            q = u; // the Ritz vectors span the same space, ordered: continue from them
        }
        throw new ArithmeticException("truncated SVD: residual " + worst + " above tolerance " + tol + " x s_1 after "
                + maxRounds + " rounds (k = " + k + ", " + m + " x " + n + ")");
    }

    /**
     * Modified Gram-Schmidt with one re-orthogonalization pass over the columns of a row-major matrix; a column
     * that vanishes (rank deficiency) is replaced by a Gaussian one and orthogonalized again.
     */
    static void orthonormalizeColumns(DenseMatrix x, java.util.SplittableRandom rng) {
        int rows = x.rows();
        int cols = x.cols();
        double[] d = x.data();
        for (int c = 0; c < cols; c++) {
            double before = 0;
            for (int i = 0; i < rows; i++) {
                before += d[i * cols + c] * d[i * cols + c];
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                for (int pass = 0; pass < 2; pass++) {
                    for (int p = 0; p < c; p++) {
                        double dot = 0;
                        for (int i = 0; i < rows; i++) {
                            dot += d[i * cols + p] * d[i * cols + c];
                        }
                        for (int i = 0; i < rows; i++) {
                            d[i * cols + c] -= dot * d[i * cols + p];
                        }
                    }
                }
                double norm = 0;
                for (int i = 0; i < rows; i++) {
                    norm += d[i * cols + c] * d[i * cols + c];
                }
                norm = Math.sqrt(norm);
                if (norm > 1e-10 * Math.sqrt(before) && norm > 0) {
                    for (int i = 0; i < rows; i++) {
                        d[i * cols + c] /= norm;
                    }
                    break;
                }
                before = 0;
                for (int i = 0; i < rows; i++) {
                    d[i * cols + c] = rng.nextGaussian();
                    before += d[i * cols + c] * d[i * cols + c];
                }
            }
        }
    }
}
