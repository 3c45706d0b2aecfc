package org.exemplar.ntk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.SymmetricEigen;
import org.junit.jupiter.api.Test;

class NtkInfluenceTest {

    @Test
    void kernelMatchesClosedFormValues() {
        assertEquals(0.5, NtkKernel.value(1.0), 0.0);
        assertEquals(0.0, NtkKernel.value(0.0), 0.0);
        assertEquals(0.0, NtkKernel.value(-1.0), 0.0);
        // u = 1/2: arccos = pi/3, K = 1/2 (2pi/3) / (2pi) = 1/6
        assertEquals(1.0 / 6, NtkKernel.value(0.5), 1e-15);
        assertEquals(0.5, NtkKernel.value(1 + 1e-15), 0.0); // clipped, no NaN
    }

    /** Brute force: refit kernel ridge without point i and predict; eq. (9) must agree to 1e-9. */
    @Test
    void closedFormLeaveOneOutEqualsRefitting() {
        DenseMatrix x = NtkTestData.sphere(30, 5, 1);
        double[] y = NtkTestData.targets(x, 2);
        DenseMatrix xt = NtkTestData.sphere(4, 5, 3);
        double[] yt = NtkTestData.targets(xt, 4);
        double lambda = 0.1;
        NtkInfluence fit = NtkInfluence.fit(NtkKernel.gram(x), y, lambda);
        InfluenceScores s = fit.score(NtkKernel.matrix(xt, x), yt);
        double[] e = fit.leaveOneOutResiduals();
        int n = x.rows();
        for (int i = 0; i < n; i++) {
            int[] keep = new int[n - 1];
            for (int j = 0, k = 0; j < n; j++) {
                if (j != i) {
                    keep[k++] = j;
                }
            }
            DenseMatrix xs = x.selectRows(keep);
            double[] ys = new double[n - 1];
            for (int k = 0; k < n - 1; k++) {
                ys[k] = y[keep[k]];
            }
            DenseMatrix m = NtkKernel.gram(xs);
            for (int k = 0; k < n - 1; k++) {
                m.add(k, k, lambda);
            }
            double[] beta = Cholesky.factorize(m).solve(ys);
            double fi = dot(NtkKernel.matrix(x.selectRows(new int[] {i}), xs).row(0), beta);
            // Values are O(1); the solves are well conditioned (cond(K + 0.1 I) < 1e3), so agreement to 1e-9
            // absolute leaves ~4 digits of margin over double rounding.
            assertEquals(fi - y[i], e[i], 1e-9);
            for (int t = 0; t < xt.rows(); t++) {
                double ft = dot(NtkKernel.matrix(xt.selectRows(new int[] {t}), xs).row(0), beta);
                double brute = 0.5 * (ft - yt[t]) * (ft - yt[t])
                        - 0.5 * (s.predictions()[t] - yt[t]) * (s.predictions()[t] - yt[t]);
                assertEquals(brute, s.exact().get(t, i), 1e-9);
            }
        }
    }

    @Test
    void predictionsAreKernelRidge() {
        DenseMatrix x = NtkTestData.sphere(20, 4, 5);
        double[] y = NtkTestData.targets(x, 6);
        DenseMatrix k = NtkKernel.gram(x);
        NtkInfluence fit = NtkInfluence.fit(k, y, 0.5);
        InfluenceScores s = fit.score(k, y); // test = train: f(x_i) two ways
        double[] tp = fit.trainingPredictions();
        for (int i = 0; i < y.length; i++) {
            assertEquals(tp[i], s.predictions()[i], 1e-12);
        }
    }

    /** Prop. 2 is an algebraic identity: terms I + II reproduce the exact influence to rounding. */
    @Test
    void prop2IdentityHoldsExactly() {
        DenseMatrix x = NtkTestData.sphere(40, 6, 7);
        double[] y = NtkTestData.targets(x, 8);
        DenseMatrix xt = NtkTestData.sphere(10, 6, 9);
        InfluenceScores s = NtkInfluence.fit(NtkKernel.gram(x), y, 0.05)
                .score(NtkKernel.matrix(xt, x), NtkTestData.targets(xt, 10));
        // Both sides are built from the same O(1) doubles with a handful of operations: 1e-13 relative.
        assertTrue(s.decomposition().maxRelativeResidual(s.exact()) < 1e-13);
    }

    /** Theorem 3 holds on random problems for every lambda of the Fig. 2 sweep. */
    @Test
    void theorem3BoundHoldsOnRandomProblems() {
        for (long seed = 0; seed < 3; seed++) {
            DenseMatrix x = NtkTestData.sphere(35, 4, 100 + seed);
            double[] y = NtkTestData.targets(x, 200 + seed);
            DenseMatrix xt = NtkTestData.sphere(8, 4, 300 + seed);
            double[] yt = NtkTestData.targets(xt, 400 + seed);
            DenseMatrix k = NtkKernel.gram(x);
            double lmin = SymmetricEigen.smallestValue(k);
            for (int p = -4; p <= 4; p++) {
                double lambda = Math.pow(2, p);
                InfluenceScores s = NtkInfluence.fit(k, y, lambda).score(NtkKernel.matrix(xt, x), yt);
                IhvpErrorBound b = IhvpErrorBound.evaluate(s, lambda, lmin, 10);
                assertEquals(0, b.violations(), "seed " + seed + ", lambda " + lambda + ": " + b);
                assertEquals(lmin / (lmin + lambda), b.rateLowerBound(), 1e-15);
            }
        }
    }

    @Test
    void duplicateInputsWithoutRidgeAreReported() {
        DenseMatrix x = NtkTestData.sphere(6, 3, 11);
        x.setRow(5, x.row(2));
        double[] y = NtkTestData.targets(x, 12);
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> NtkInfluence.fit(NtkKernel.gram(x), y, 0.0));
        assertTrue(e.getMessage().contains("not positive definite"), e.getMessage());
        NtkInfluence.fit(NtkKernel.gram(x), y, 0.1); // any ridge makes it well posed
    }

    @Test
    void rejectsBadArguments() {
        DenseMatrix k = NtkKernel.gram(NtkTestData.sphere(3, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> NtkInfluence.fit(k, new double[2], 0.1));
        assertThrows(IllegalArgumentException.class, () -> NtkInfluence.fit(k, new double[3], -1));
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
