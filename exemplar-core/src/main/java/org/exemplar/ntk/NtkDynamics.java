package org.exemplar.ntk;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.SymmetricEigen;
import org.exemplar.linalg.Transpose;

/**
 * Predictions and influence along gradient flow in the NTK regime (SPEC.md section 3, from eq. 3 with
 * f(W(0)) = 0). The coefficients c(t) of f_t(x) = K_x^T c(t) obey dc/dt = Y - (K + lambda I) c, c(0) = 0, so
 * with K + lambda I = V diag(mu) V^T
 * <pre>
 *   c(t) = V diag((1 - exp(-mu t)) / mu) V^T Y,     f_t(x) = K_x^T c(t),
 * </pre>
 * which tends to the ridge predictor of eq. (6) as t grows. The influence at time t is eq. (8) with the
 * predictor at time t trained with and without point i.
 *
 * <p>Leave-one-out at time t is computed <b>exactly</b> by one eigen-decomposition of the (n-1) x (n-1) matrix
 * K_{\i} + lambda I per training point: the matrix function phi_t(M) = M^{-1}(I - e^{-M t}) has no rank-one
 * downdate formula like the inverse (eq. 9) has, so this costs O(n^4 + n^2 n_test T) in all (about 9 n^4
 * flops); it is meant for n up to about a thousand. At t = infinity it reduces to eq. (9), which the tests check.
 */
public final class NtkDynamics {
    private final DenseMatrix kTrain;
    private final double[] y;
    private final double lambda;

    /**
     * @param kTrain training NTK (n x n)
     * @param y      training targets
     * @param lambda ridge strength lambda >= 0
     */
    public NtkDynamics(DenseMatrix kTrain, double[] y, double lambda) {
        if (kTrain.rows() != kTrain.cols() || y.length != kTrain.rows()) {
            throw new IllegalArgumentException("kernel " + kTrain.shapeString() + " and " + y.length + " targets");
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
        this.kTrain = kTrain;
        this.y = y.clone();
        this.lambda = lambda;
    }

    /** phi_t(mu) = (1 - exp(-mu t)) / mu, with the limit t at mu = 0 (computed through expm1 for small mu t). */
    static double phi(double mu, double t) {
        if (Double.isInfinite(t)) {
            return 1.0 / mu;
        }
        double x = mu * t;
        return x == 0 ? t : -Math.expm1(-x) / mu;
    }

    /**
     * Influence and predictions at the given times.
     *
     * @param times   training times t >= 0 (Double.POSITIVE_INFINITY allowed: the converged ridge predictor)
     * @param kTest   n_test x n kernel between test and training inputs
     * @param yTest   test targets
     * @return per time the n_test x n influence matrix and the predictions
     */
    public Result influence(double[] times, DenseMatrix kTest, double[] yTest) {
        return influence(times, kTest, yTest, null);
    }

    /** As {@link #influence(double[], DenseMatrix, double[])}, calling {@code progress} after each point i. */
    public Result influence(double[] times, DenseMatrix kTest, double[] yTest, Runnable progress) {
        int n = y.length;
        int nt = kTest.rows();
        if (kTest.cols() != n || yTest.length != nt) {
            throw new IllegalArgumentException("test kernel " + kTest.shapeString() + ", " + yTest.length
                    + " test targets, " + n + " training points");
        }
        for (double t : times) {
            if (!(t >= 0)) {
                throw new IllegalArgumentException("times must be >= 0, got " + t);
            }
        }
        DenseMatrix[] full = predictAll(kTrain, y, kTest, times); // per time: 1 x nt
        DenseMatrix[] infl = new DenseMatrix[times.length];
        DenseMatrix pred = new DenseMatrix(times.length, nt);
        for (int s = 0; s < times.length; s++) {
            infl[s] = new DenseMatrix(nt, n);
            pred.setRow(s, full[s].data());
        }
        int[] keep = new int[n - 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0, k = 0; j < n; j++) {
                if (j != i) {
                    keep[k++] = j;
                }
            }
            DenseMatrix kSub = submatrix(kTrain, keep, keep);
            DenseMatrix kTestSub = submatrix(kTest, null, keep);
            double[] ySub = new double[n - 1];
            for (int k = 0; k < n - 1; k++) {
                ySub[k] = y[keep[k]];
            }
            DenseMatrix[] loo = predictAll(kSub, ySub, kTestSub, times);
            for (int s = 0; s < times.length; s++) {
                double[] f = full[s].data();
                double[] g = loo[s].data();
                for (int r = 0; r < nt; r++) {
                    double a = g[r] - yTest[r];
                    double b = f[r] - yTest[r];
                    infl[s].set(r, i, 0.5 * (a * a - b * b));
                }
            }
            if (progress != null) {
                progress.run();
            }
        }
        return new Result(times.clone(), infl, pred);
    }

    /** f_t(x_te) for every time (row s = time s) without leave-one-out: one eigen-decomposition. */
    public DenseMatrix predictions(double[] times, DenseMatrix kTest) {
        DenseMatrix[] p = predictAll(kTrain, y, kTest, times);
        DenseMatrix out = new DenseMatrix(times.length, kTest.rows());
        for (int s = 0; s < times.length; s++) {
            out.setRow(s, p[s].data());
        }
        return out;
    }

    /** The coefficients c(t) (one eigen-decomposition of K + lambda I). */
    public double[] coefficients(double t) {
        SymmetricEigen e = SymmetricEigen.of(kTrain);
        return coefficients(e, y, lambda, t);
    }

    private static double[] coefficients(SymmetricEigen e, double[] y, double lambda, double t) {
        int n = y.length;
        double[] proj = new double[n];
        Blas.gemv(Transpose.YES, 1.0, e.vectors(), y, 0.0, proj); // V^T Y
        for (int k = 0; k < n; k++) {
            proj[k] *= phi(e.values()[k] + lambda, t);
        }
        double[] c = new double[n];
        Blas.gemv(Transpose.NO, 1.0, e.vectors(), proj, 0.0, c);
        return c;
    }

    private DenseMatrix[] predictAll(DenseMatrix k, double[] targets, DenseMatrix kTest, double[] times) {
        SymmetricEigen e = SymmetricEigen.of(k);
        int n = targets.length;
        double[] vy = new double[n];
        Blas.gemv(Transpose.YES, 1.0, e.vectors(), targets, 0.0, vy);
        // P = kTest V (nt x n), then f_t = P diag(phi) V^T Y
        DenseMatrix p = Blas.multiply(kTest, e.vectors());
        DenseMatrix[] out = new DenseMatrix[times.length];
        double[] w = new double[n];
        for (int s = 0; s < times.length; s++) {
            for (int j = 0; j < n; j++) {
                w[j] = vy[j] * phi(e.values()[j] + lambda, times[s]);
            }
            double[] f = new double[kTest.rows()];
            Blas.gemv(Transpose.NO, 1.0, p, w, 0.0, f);
            out[s] = new DenseMatrix(1, f.length, f);
        }
        return out;
    }

    private static DenseMatrix submatrix(DenseMatrix m, int[] rows, int[] cols) {
        int r = rows == null ? m.rows() : rows.length;
        DenseMatrix out = new DenseMatrix(r, cols.length);
        for (int a = 0; a < r; a++) {
            int src = rows == null ? a : rows[a];
            for (int b = 0; b < cols.length; b++) {
                out.set(a, b, m.get(src, cols[b]));
            }
        }
        return out;
    }

    /**
     * Influence along training.
     *
     * @param times       the times, in the order given
     * @param influence   per time, the n_test x n influence matrix (package convention)
     * @param predictions times x n_test predictions f_t(x_te)
     */
    public record Result(double[] times, DenseMatrix[] influence, DenseMatrix predictions) {

        /**
         * Fig. 7: for each time, the share of flagged (for example label-flipped) training points among the
         * {@code k} most influential (largest |I|) training points of each test point, averaged over test points.
         */
        public double[] shareFlaggedAmongTop(boolean[] flagged, int k) {
            double[] share = new double[times.length];
            for (int s = 0; s < times.length; s++) {
                DenseMatrix m = influence[s];
                int n = m.cols();
                if (flagged.length != n) {
                    throw new IllegalArgumentException(flagged.length + " flags for " + n + " training points");
                }
                int kk = Math.min(k, n);
                double total = 0;
                for (int r = 0; r < m.rows(); r++) {
                    double[] abs = new double[n];
                    for (int i = 0; i < n; i++) {
                        abs[i] = Math.abs(m.get(r, i));
                    }
                    int[] top = topIndices(abs, kk);
                    int hit = 0;
                    for (int i : top) {
                        hit += flagged[i] ? 1 : 0;
                    }
                    total += hit / (double) kk;
                }
                share[s] = total / Math.max(1, m.rows());
            }
            return share;
        }

        private static int[] topIndices(double[] v, int k) {
            int[] idx = org.exemplar.linalg.Ranking.descending(v, null);
            int[] out = new int[k];
            for (int j = 0; j < k; j++) {
                out[j] = idx[j];
            }
            return out;
        }
    }
}
