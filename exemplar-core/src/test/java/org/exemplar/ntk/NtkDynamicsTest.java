package org.exemplar.ntk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class NtkDynamicsTest {

    /** Classic RK4 on dc/dt = Y - (K + lambda I) c from c(0) = 0, returning K_test c(t). */
    static double[] integrate(DenseMatrix k, double[] y, double lambda, DenseMatrix kTest, double t, int steps) {
        int n = y.length;
        double[] c = new double[n];
        double h = t / steps;
        for (int s = 0; s < steps; s++) {
            double[] k1 = rhs(k, y, lambda, c);
            double[] k2 = rhs(k, y, lambda, axpy(c, k1, h / 2));
            double[] k3 = rhs(k, y, lambda, axpy(c, k2, h / 2));
            double[] k4 = rhs(k, y, lambda, axpy(c, k3, h));
            for (int i = 0; i < n; i++) {
                c[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
            }
        }
        double[] f = new double[kTest.rows()];
        for (int r = 0; r < f.length; r++) {
            f[r] = NtkInfluenceTest.dot(kTest.row(r), c);
        }
        return f;
    }

    private static double[] rhs(DenseMatrix k, double[] y, double lambda, double[] c) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] - NtkInfluenceTest.dot(k.row(i), c) - lambda * c[i];
        }
        return out;
    }

    private static double[] axpy(double[] c, double[] d, double h) {
        double[] o = c.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] += h * d[i];
        }
        return o;
    }

    /** Closed-form dynamics (full and leave-one-out) equal explicit gradient-flow integration. */
    @Test
    void closedFormMatchesOdeIntegration() {
        DenseMatrix x = NtkTestData.sphere(12, 4, 31);
        double[] y = NtkTestData.targets(x, 32);
        DenseMatrix xt = NtkTestData.sphere(3, 4, 33);
        double[] yt = NtkTestData.targets(xt, 34);
        double lambda = 0.1;
        DenseMatrix k = NtkKernel.gram(x);
        DenseMatrix kt = NtkKernel.matrix(xt, x);
        double[] times = {0.3, 2.0, 7.0};
        NtkDynamics.Result r = new NtkDynamics(k, y, lambda).influence(times, kt, yt);
        int removed = 4;
        int[] keep = java.util.stream.IntStream.range(0, 12).filter(i -> i != removed).toArray();
        DenseMatrix kSub = k.selectRows(keep).transpose().selectRows(keep);
        DenseMatrix ktSub = kt.transpose().selectRows(keep).transpose();
        double[] ySub = java.util.Arrays.stream(keep).mapToDouble(i -> y[i]).toArray();
        for (int s = 0; s < times.length; s++) {
            // RK4 with h = 1e-3 and h ||K + lambda I|| < 0.01: global error ~ (h L)^4 t / 120 < 1e-12; 1e-9 is safe.
            int steps = (int) Math.round(times[s] / 1e-3);
            double[] f = integrate(k, y, lambda, kt, times[s], steps);
            double[] fLoo = integrate(kSub, ySub, lambda, ktSub, times[s], steps);
            for (int t = 0; t < yt.length; t++) {
                assertEquals(f[t], r.predictions().get(s, t), 1e-9);
                double expected = 0.5 * (fLoo[t] - yt[t]) * (fLoo[t] - yt[t]) - 0.5 * (f[t] - yt[t]) * (f[t] - yt[t]);
                assertEquals(expected, r.influence()[s].get(t, removed), 1e-9);
            }
        }
    }

    /** At t = infinity the dynamics are the ridge predictor and eq. (9). */
    @Test
    void infiniteTimeIsTheClosedFormLeaveOneOut() {
        DenseMatrix x = NtkTestData.sphere(15, 4, 41);
        double[] y = NtkTestData.targets(x, 42);
        DenseMatrix xt = NtkTestData.sphere(4, 4, 43);
        double[] yt = NtkTestData.targets(xt, 44);
        DenseMatrix k = NtkKernel.gram(x);
        DenseMatrix kt = NtkKernel.matrix(xt, x);
        NtkDynamics.Result r = new NtkDynamics(k, y, 0.2).influence(new double[] {Double.POSITIVE_INFINITY}, kt, yt);
        InfluenceScores s = NtkInfluence.fit(k, y, 0.2).score(kt, yt);
        for (int t = 0; t < 4; t++) {
            assertEquals(s.predictions()[t], r.predictions().get(0, t), 1e-10);
            for (int i = 0; i < 15; i++) {
                // eigen-decomposition vs Cholesky of a matrix with condition < 1e2: 1e-10 absolute.
                assertEquals(s.exact().get(t, i), r.influence()[0].get(t, i), 1e-10);
            }
        }
    }

    @Test
    void shareOfFlaggedPointsAmongTop() {
        DenseMatrix m = DenseMatrix.fromRows(new double[][] {{0.1, -5, 0.2, 3}, {4, 0, 0, 0}});
        NtkDynamics.Result r = new NtkDynamics.Result(new double[] {1}, new DenseMatrix[] {m},
                new DenseMatrix(1, 2));
        boolean[] flagged = {false, true, false, false};
        // row 0: top-2 by |I| = {1 (flagged), 3}; row 1: {0, then 1 by index order among ties}
        assertEquals((0.5 + 0.5) / 2, r.shareFlaggedAmongTop(flagged, 2)[0], 1e-15);
        assertEquals(0.5, r.shareFlaggedAmongTop(flagged, 1)[0], 1e-15);
        assertTrue(NtkDynamics.phi(0, 3) == 3);
    }
}
