package org.exemplar.ntk;

import org.exemplar.linalg.DenseMatrix;

/**
 * All-pairs NTK influence for one test set. Every matrix is n_test x n_train (rows = test points); entry (t, i)
 * follows the convention of the package: positive = training point i helps test point t.
 *
 * @param exact              I(x_i, x_t) by the closed-form leave-one-out (eq. 8-9)
 * @param ihvp               the IHVP approximation Î = alpha_i (f(x_t) - y_t)(f(x_i) - y_i) (eq. 13)
 * @param alpha              alpha(x_i, x_t) = [K_te^T (K + lambda I)^{-1}]_i (eq. 13)
 * @param predictions        f(x_t) = K_te^T beta (eq. 6)
 * @param testTargets        y_t
 * @param looResiduals       f^{\i}(x_i) - y_i = -beta_i / A_ii, per training point
 * @param trainResiduals     f(x_i) - y_i = -lambda beta_i, per training point
 * @param secondsSolve       time of the multi-right-hand-side solve for alpha
 * @param secondsScores      time of the O(1)-per-pair loop
 */
public record InfluenceScores(DenseMatrix exact, DenseMatrix ihvp, DenseMatrix alpha, double[] predictions,
                              double[] testTargets, double[] looResiduals, double[] trainResiduals,
                              double secondsSolve, double secondsScores) {

    /**
     * The two terms of Prop. 2: I = alpha_i (f(x_t) - y_t)(f^{\i}(x_i) - y_i) + 1/2 alpha_i^2 (f^{\i}(x_i) - y_i)^2.
     * Their sum equals {@link #exact()} up to rounding (the identity is algebraic; see the test).
     */
    public Prop2Decomposition decomposition() {
        int t = exact.rows();
        int n = exact.cols();
        DenseMatrix one = new DenseMatrix(t, n);
        DenseMatrix two = new DenseMatrix(t, n);
        for (int r = 0; r < t; r++) {
            double res = predictions[r] - testTargets[r];
            for (int i = 0; i < n; i++) {
                double a = alpha.get(r, i);
                double e = looResiduals[i];
                one.set(r, i, a * res * e);
                two.set(r, i, 0.5 * a * a * e * e);
            }
        }
        return new Prop2Decomposition(one, two);
    }

    /** Aggregate influence of each training point: the mean of column i over the test points. */
    public double[] meanOverTestPoints() {
        int t = exact.rows();
        int n = exact.cols();
        double[] m = new double[n];
        double[] d = exact.data();
        for (int r = 0; r < t; r++) {
            for (int i = 0; i < n; i++) {
                m[i] += d[r * n + i];
            }
        }
        for (int i = 0; i < n; i++) {
            m[i] /= Math.max(1, t);
        }
        return m;
    }

    /**
     * Prop. 2 (eq. 14) term by term.
     *
     * @param termI  alpha_i (f(x_t) - y_t)(f^{\i}(x_i) - y_i)
     * @param termII 1/2 alpha_i^2 (f^{\i}(x_i) - y_i)^2 (never negative)
     */
    public record Prop2Decomposition(DenseMatrix termI, DenseMatrix termII) {
        /** max over pairs of |termI + termII - exact| / max(1, |exact|). */
        public double maxRelativeResidual(DenseMatrix exact) {
            double worst = 0;
            double[] a = termI.data();
            double[] b = termII.data();
            double[] x = exact.data();
            for (int k = 0; k < x.length; k++) {
                worst = Math.max(worst, Math.abs(a[k] + b[k] - x[k]) / Math.max(1.0, Math.abs(x[k])));
            }
            return worst;
        }
    }
}
