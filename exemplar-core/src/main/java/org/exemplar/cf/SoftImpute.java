package org.exemplar.cf;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * Soft-Impute (Mazumder, Hastie and Tibshirani 2010, Algorithm 1) for the nuclear-norm model of eq. (12) of
 * Tsai et al. (2023) with l(y, t) = (t - y)^2 / 2:
 * <pre>
 *   Theta^ = argmin (1/|D|) sum_{(i,j) in D} (Theta_ij - y_ij)^2 / 2 + lambda ||Theta||_*,
 * </pre>
 * i.e. Mazumder's (1/2)||P_D(Y - Z)||_F^2 + lambda_M ||Z||_* with lambda_M = lambda |D|. One iteration:
 * Z &lt;- S_{lambda_M}(P_D(Y) + P_D^perp(Z)), where S soft-thresholds the singular values (full dense SVD through
 * LAPACK dgesdd: fine for MovieLens-100k's 943 x 1682). Stops when ||Z_new - Z||_F &lt;= tolerance ||Z||_F or after
 * maxIterations. At most maxRank singular values are kept; when more than maxRank exceed lambda_M the cap binds and
 * the result is NOT the minimizer of eq. (12) (reported as {@code rankCapBinding}).
 *
 * <p>Optimality is reported through the quantity the representer identity (Corollary 4) rests on: with
 * G = -(1/(lambda |D|)) P_D(Theta - Y) = P_D(Y - Theta) / lambda_M, the KKT condition requires
 * G = U V^T + W with U^T W = 0, W V = 0, ||W||_2 &lt;= 1, so {@code kktResidual} =
 * max(||U^T G - V^T||_F, ||G V - U||_F) / sqrt(r) and {@code spectralSlack} = ||G - U V^T||_2 (must be &lt;= 1).
 */
public final class SoftImpute {
    private SoftImpute() {
    }

    /**
     * @param lambda        lambda of eq. (12) (per-rating scale); lambda_M = lambda |D|
     * @param maxRank       rank cap (the paper: 12 on MovieLens-1M)
     * @param maxIterations iteration cap (the paper: 20)
     * @param tolerance     relative change stopping rule
     */
    public record Options(double lambda, int maxRank, int maxIterations, double tolerance) {
        public Options {
            if (!(lambda > 0)) {
                throw new IllegalArgumentException("lambda must be > 0, got " + lambda);
            }
            if (maxRank < 1) {
                throw new IllegalArgumentException("max rank must be >= 1, got " + maxRank);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("max iterations must be >= 1, got " + maxIterations);
            }
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
            }
        }
    }

    /**
     * @param theta          the completed matrix U diag(s) V^T (|U| x |I|)
     * @param u              left singular vectors of the kept (non-zero) singular values
     * @param s              kept singular values, descending
     * @param v              right singular vectors
     * @param relativeChange ||Z_new - Z||_F / ||Z||_F at the last iteration
     * @param kktResidual    see the class comment
     * @param spectralSlack  ||G - U V^T||_2 (optimality requires &lt;= 1)
     */
    public record Result(Options options, DenseMatrix theta, DenseMatrix u, double[] s, DenseMatrix v,
                         int iterations, double relativeChange, boolean converged, boolean rankCapBinding,
                         double kktResidual, double spectralSlack, double objective, double seconds) {
        /** U^ = U sqrt(S), V^ = V sqrt(S). */
        public Factorization factors() {
            NormalizedEmbeddings e = embeddings();
            return new Factorization(e.users(), e.items());
        }

        public NormalizedEmbeddings embeddings() {
            return NormalizedEmbeddings.fromSvd(u, s, v);
        }

        public int rank() {
            return s.length;
        }
    }

    public static Result fit(Ratings r, Options o) {
        return fit(r, o, null);
    }

    /**
     * @param excluded ratings to leave out (null = none)
     *
     * <p>Each iteration needs only the singular values above lambda_M, at most maxRank + 1 of them: on matrices
     * much larger than the rank cap they come from a warm-started truncated SVD ({@link ThinSvd#top}, residual
     * 1e-11 s_1), otherwise from a full one.
     */
    public static Result fit(Ratings r, Options o, boolean[] excluded) {
        return fit(r, o, excluded, Math.min(r.numUsers(), r.numItems()) > 4 * (o.maxRank() + 9));
    }

    /**
     * As {@link #fit(Ratings, Options, boolean[])} with the SVD chosen explicitly: {@code truncated} = the
     * warm-started partial SVD, otherwise a full LAPACK SVD per iteration (for comparisons and benchmarks).
     */
    public static Result fit(Ratings r, Options o, boolean[] excluded, boolean truncated) {
        long t0 = System.nanoTime();
        int m = r.numUsers();
        int n = r.numItems();
        int nObs = 0;
        for (int t = 0; t < r.size(); t++) {
            nObs += excluded != null && excluded[t] ? 0 : 1;
        }
        double lamM = o.lambda() * nObs;
        DenseMatrix z = new DenseMatrix(m, n);
        ThinSvd svd = null;
        int kept = 0;
        boolean capBinding = false;
        double rel = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < o.maxIterations()) {
            it++;
            DenseMatrix x = z.copy();
            for (int t = 0; t < r.size(); t++) {
                if (excluded == null || !excluded[t]) {
                    x.set(r.user(t), r.item(t), r.value(t));
                }
            }
            svd = truncated
                    ? ThinSvd.top(x, o.maxRank() + 1, lamM, svd == null ? null : svd.v(), 1L + it, 1e-11, 500)
                    : ThinSvd.of(x);
            int above = 0;
            while (above < svd.s().length && svd.s()[above] > lamM) {
                above++;
            }
            capBinding = above > o.maxRank();
            kept = Math.min(above, o.maxRank());
            DenseMatrix zNew = lowRank(svd, kept, lamM);
            double diff = 0;
            double norm = 0;
            double[] a = zNew.data();
            double[] b = z.data();
            for (int p = 0; p < a.length; p++) {
                diff += (a[p] - b[p]) * (a[p] - b[p]);
                norm += b[p] * b[p];
            }
            z = zNew;
            rel = norm == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm);
            if (rel <= o.tolerance()) {
                break;
            }
        }
        DenseMatrix u = new DenseMatrix(m, kept);
        DenseMatrix v = new DenseMatrix(n, kept);
        double[] s = new double[kept];
        for (int p = 0; p < kept; p++) {
            s[p] = svd.s()[p] - lamM;
            for (int i = 0; i < m; i++) {
                u.set(i, p, svd.u().get(i, p));
            }
            for (int j = 0; j < n; j++) {
                v.set(j, p, svd.v().get(j, p));
            }
        }
        // Theta from the reported factors, so that theta = U diag(s) V^T exactly
        ThinSvd fin = new ThinSvd(u, s, v);
        DenseMatrix theta = kept == 0 ? new DenseMatrix(m, n) : fin.reconstruct();
        // G = P_D(Y - Theta) / lambda_M
        DenseMatrix g = new DenseMatrix(m, n);
        double loss = 0;
        for (int t = 0; t < r.size(); t++) {
            if (excluded == null || !excluded[t]) {
                double res = r.value(t) - theta.get(r.user(t), r.item(t));
                g.set(r.user(t), r.item(t), res / lamM);
                loss += 0.5 * res * res;
            }
        }
        double kkt = 0;
        if (kept > 0) {
            DenseMatrix utg = Blas.multiply(Transpose.YES, u, Transpose.NO, g);   // r x n, should be V^T
            DenseMatrix gv = Blas.multiply(g, v);                                  // m x r, should be U
            double a1 = 0;
            for (int p = 0; p < kept; p++) {
                for (int j = 0; j < n; j++) {
                    double d = utg.get(p, j) - v.get(j, p);
                    a1 += d * d;
                }
            }
            double a2 = 0;
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < kept; p++) {
                    double d = gv.get(i, p) - u.get(i, p);
                    a2 += d * d;
                }
            }
            kkt = Math.sqrt(Math.max(a1, a2) / kept);
            DenseMatrix uvt = Blas.multiply(Transpose.NO, u, Transpose.YES, v);
            for (int p = 0; p < g.data().length; p++) {
                g.data()[p] -= uvt.data()[p];
            }
        }
        double[] gs = truncated ? largestSingularValue(g) : ThinSvd.of(g).s();
        double slack = gs.length == 0 ? 0 : gs[0];
        double nuc = 0;
        for (double x : s) {
            nuc += x;
        }
        double objective = loss / Math.max(1, nObs) + o.lambda() * nuc;
        return new Result(o, theta, u, s, v, it, rel, rel <= o.tolerance(), capBinding, kkt, slack, objective,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * ||G||_2 for the spectral slack, a diagnostic compared with 1: to 1e-4 relative by subspace iteration, or by a
     * full SVD when G's leading singular values are too close for that to converge quickly.
     */
    private static double[] largestSingularValue(DenseMatrix g) {
        try {
            return ThinSvd.top(g, 1, null, 0L, 1e-4, 300).s();
        } catch (ArithmeticException slow) {
            return ThinSvd.of(g).s();
        }
    }

    private static DenseMatrix lowRank(ThinSvd svd, int kept, double shrink) {
        int m = svd.u().rows();
        int n = svd.v().rows();
        DenseMatrix us = new DenseMatrix(m, kept);
        DenseMatrix vk = new DenseMatrix(n, kept);
        for (int p = 0; p < kept; p++) {
            double sp = svd.s()[p] - shrink;
            for (int i = 0; i < m; i++) {
                us.set(i, p, svd.u().get(i, p) * sp);
            }
            for (int j = 0; j < n; j++) {
                vk.set(j, p, svd.v().get(j, p));
            }
        }
        if (kept == 0) {
            return new DenseMatrix(m, n);
        }
        return Blas.multiply(Transpose.NO, us, Transpose.YES, vk);
    }
}
