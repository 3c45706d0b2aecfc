package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** FIA against a brute-force restricted influence computation written independently of {@link Fia}. */
class FiaTest {

    /**
     * Restricted objective L(theta) = sum over ALL ratings of w l(y, pred) where pred uses theta for user iu's
     * and item jv's embeddings, + (reg/2)|theta|^2. Ratings touching neither are constant in theta, so including
     * them changes nothing but confirms the restriction is exact.
     */
    static double objective(Ratings r, Factorization f, CfLoss loss, double[] w, double reg, int iu, int jv,
                            double[] theta) {
        int k = f.rank();
        double s = 0;
        for (int t = 0; t < r.size(); t++) {
            double[] u = r.user(t) == iu ? java.util.Arrays.copyOfRange(theta, 0, k) : f.users().row(r.user(t));
            double[] v = r.item(t) == jv ? java.util.Arrays.copyOfRange(theta, k, 2 * k) : f.items().row(r.item(t));
            double p = 0;
            for (int q = 0; q < k; q++) {
                p += u[q] * v[q];
            }
            s += w[t] * loss.value(r.value(t), p);
        }
        double n2 = 0;
        for (double x : theta) {
            n2 += x * x;
        }
        return s + 0.5 * reg * n2;
    }

    static double ratingLoss(Ratings r, Factorization f, CfLoss loss, double[] w, int t, int iu, int jv,
                             double[] theta) {
        int k = f.rank();
        double[] u = r.user(t) == iu ? java.util.Arrays.copyOfRange(theta, 0, k) : f.users().row(r.user(t));
        double[] v = r.item(t) == jv ? java.util.Arrays.copyOfRange(theta, k, 2 * k) : f.items().row(r.item(t));
        double p = 0;
        for (int q = 0; q < k; q++) {
            p += u[q] * v[q];
        }
        return w[t] * loss.value(r.value(t), p);
    }

    /** Naive Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = java.util.Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int i = c + 1; i < n; i++) {
                if (Math.abs(m[i][c]) > Math.abs(m[piv][c])) {
                    piv = i;
                }
            }
            double[] tmp = m[c];
            m[c] = m[piv];
            m[piv] = tmp;
            for (int i = c + 1; i < n; i++) {
                double f = m[i][c] / m[c][c];
                for (int j = c; j <= n; j++) {
                    m[i][j] -= f * m[c][j];
                }
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int j = i + 1; j < n; j++) {
                s -= m[i][j] * x[j];
            }
            x[i] = s / m[i][i];
        }
        return x;
    }

    static void check(Ratings r, MfOptions o, int iu, int jv) {
        Factorization f = MfTrainer.train(r, o, MfTrainer.Algorithm.SGD).factors();
        double[] w = CfRepresenter.weights(r, o);
        int k = f.rank();
        int d = 2 * k;
        double[] theta = new double[d];
        System.arraycopy(f.users().row(iu), 0, theta, 0, k);
        System.arraycopy(f.items().row(jv), 0, theta, k, k);
        // Hessian by central second differences of the objective (h = 1e-4: truncation O(h^2 L'''') ~ 1e-8,
        // rounding ~ eps L / h^2 ~ 1e-8 for L ~ 10)
        double h = 1e-4;
        double[][] hess = new double[d][d];
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                double[] pp = theta.clone();
                pp[p] += h;
                pp[q] += h;
                double[] pm = theta.clone();
                pm[p] += h;
                pm[q] -= h;
                double[] mp = theta.clone();
                mp[p] -= h;
                mp[q] += h;
                double[] mm = theta.clone();
                mm[p] -= h;
                mm[q] -= h;
                hess[p][q] = (objective(r, f, o.loss(), w, o.reg(), iu, jv, pp)
                        - objective(r, f, o.loss(), w, o.reg(), iu, jv, pm)
                        - objective(r, f, o.loss(), w, o.reg(), iu, jv, mp)
                        + objective(r, f, o.loss(), w, o.reg(), iu, jv, mm)) / (4 * h * h);
            }
        }
        double[] gf = new double[d];
        System.arraycopy(f.items().row(jv), 0, gf, 0, k);
        System.arraycopy(f.users().row(iu), 0, gf, k, k);
        double[] x = solve(hess, gf);
        double[] want = new double[r.size()];
        double scale = 0;
        for (int t = 0; t < r.size(); t++) {
            double dot = 0;
            for (int p = 0; p < d; p++) {
                double[] a = theta.clone();
                a[p] += 1e-6;
                double[] b = theta.clone();
                b[p] -= 1e-6;
                double g = (ratingLoss(r, f, o.loss(), w, t, iu, jv, a) - ratingLoss(r, f, o.loss(), w, t, iu, jv, b))
                        / 2e-6;
                dot += x[p] * g;
            }
            want[t] = -dot;
            scale = Math.max(scale, Math.abs(want[t]));
        }
        double[] got = new Fia(r, f, o.loss(), w, o.reg(), 0).scores(iu, jv);
        assertTrue(scale > 1e-3, "degenerate example");
        for (int t = 0; t < r.size(); t++) {
            // finite-difference Hessian (~1e-7 relative) and gradients (~1e-9) bound the agreement: 1e-5 relative
            assertEquals(want[t], got[t], 1e-5 * scale, "rating " + t);
            if (r.user(t) != iu && r.item(t) != jv) {
                assertEquals(0.0, got[t]);
            }
        }
    }

    @Test
    void squaredLossUnobservedPair() {
        Ratings r = CfTestData.lowRank(7, 6, 2, 0.6, 21);
        MfOptions o = MfOptions.squared(2, 3).withEpochs(40).withBatchSize(8).withLearningRate(0.1).withReg(0.3);
        int iu = 0;
        int jv = 0;
        while (r.find(iu, jv) >= 0) {
            jv++;
        }
        check(r, o, iu, jv);
    }

    @Test
    void squaredLossObservedPairUsesTheCrossTerms() {
        Ratings r = CfTestData.lowRank(7, 6, 2, 0.6, 21);
        MfOptions o = MfOptions.squared(2, 3).withEpochs(40).withBatchSize(8).withLearningRate(0.1).withReg(0.3);
        int t0 = 4;
        check(r, o, r.user(t0), r.item(t0));
    }

    @Test
    void weightedLogisticLoss() {
        Ratings pos = CfTestData.lowRank(7, 6, 2, 0.3, 5);
        Ratings d = NegativeSampling.withNegatives(new Ratings(7, 6, pos.users(), pos.items(),
                new double[pos.size()]), 1, 9);
        MfOptions o = new MfOptions(CfLoss.LOGISTIC, 2, 0.5, 30, 0.2, 8, 0.3, 0.05, 4);
        check(d, o, d.user(0), d.item(1));
        check(d, o, d.user(d.size() - 1), d.item(d.size() - 1));
    }
}
