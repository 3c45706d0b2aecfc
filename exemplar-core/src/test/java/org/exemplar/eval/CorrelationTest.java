package org.exemplar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CorrelationTest {
    /** A few roundings of O(1) sums: results within 4 ulps of 1. */
    private static final double ULPS = 4 * Math.ulp(1.0);

    @Test
    void pearsonHandComputed() {
        // a - 3 = (-2, -1, 0, 1, 2), b - 4 = (-2, 0, 1, 0, 1): S_ab = 6, S_aa = 10, S_bb = 6,
        // r = 6 / sqrt(60) = sqrt(0.6)
        double[] a = {1, 2, 3, 4, 5};
        double[] b = {2, 4, 5, 4, 5};
        assertEquals(Math.sqrt(0.6), Correlation.pearson(a, b), ULPS);
        assertEquals(Math.sqrt(0.6), Correlation.pearson(b, a), ULPS);
        assertEquals(1.0, Correlation.pearson(a, a), ULPS);
        assertEquals(-1.0, Correlation.pearson(a, new double[] {5, 4, 3, 2, 1}), ULPS);
        // orthogonal after centring: (-1, 1, -1, 1) . (-1, -1, 1, 1) = 0, exact in binary
        assertEquals(0.0, Correlation.pearson(new double[] {0, 2, 0, 2}, new double[] {0, 0, 2, 2}), 0.0);
    }

    @Test
    void pearsonIsInvariantToAffineTransforms() {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 40;
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextGaussian();
            b[i] = 0.5 * a[i] + rnd.nextGaussian();
        }
        double r = Correlation.pearson(a, b);
        assertTrue(Math.abs(r) > 0.1 && Math.abs(r) < 0.9, "a non-trivial correlation: " + r);
        double[][] maps = {{3, 7}, {1e-3, -2}, {-2.5, 1}, {1e6, 1e6}, {0.1, 0}, {1e200, 0}, {1e-200, 0}};
        for (double[] ab : maps) {
            for (double[] cd : maps) {
                double[] ta = affine(a, ab[0], ab[1]);
                double[] tb = affine(b, cd[0], cd[1]);
                double expected = Math.signum(ab[0]) * Math.signum(cd[0]) * r;
                // A shift s on data of spread ~1 costs ~eps |s| / spread in the centred values; the largest shift
                // relative to the scale is 2 / 1e-3 = 2e3, so 1e-12 bounds the change with margin.
                assertEquals(expected, Correlation.pearson(ta, tb), 1e-12,
                        "a -> " + ab[0] + " a + " + ab[1] + ", b -> " + cd[0] + " b + " + cd[1]);
            }
        }
    }

    private static double[] affine(double[] v, double scale, double shift) {
        double[] w = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            w[i] = scale * v[i] + shift;
        }
        return w;
    }

    @Test
    void averageRanksWithTies() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4, 5}, Correlation.ranks(new double[] {10, 20, 20, 30, 40}));
        assertArrayEquals(new double[] {1, 4, 2.5, 2.5, 5}, Correlation.ranks(new double[] {1, 3, 2, 2, 5}));
        assertArrayEquals(new double[] {2, 2, 2, 4}, Correlation.ranks(new double[] {-1, -1, -1, 0}));
        assertArrayEquals(new double[] {3, 1, 2}, Correlation.ranks(new double[] {9, -4, 0.5}));
    }

    @Test
    void spearmanWithTiesHandComputed() {
        // ranks (1, 2.5, 2.5, 4, 5) and (1, 4, 2.5, 2.5, 5); centred (-2, -0.5, -0.5, 1, 2) and
        // (-2, 1, -0.5, -0.5, 2): S_ab = 4 - 0.5 + 0.25 - 0.5 + 4 = 7.25, S_aa = S_bb = 9.5, rho = 7.25 / 9.5
        double[] a = {10, 20, 20, 30, 40};
        double[] b = {1, 3, 2, 2, 5};
        assertEquals(7.25 / 9.5, Correlation.spearman(a, b), ULPS);
        // a strictly monotone transform of either input leaves it unchanged (the ranks are identical)
        double[] expB = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            expB[i] = Math.exp(b[i]);
        }
        assertEquals(Correlation.spearman(a, b), Correlation.spearman(a, expB), 0.0);
        // any increasing relation gives 1
        assertEquals(1.0, Correlation.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 8, 27, 1000}), ULPS);
    }

    @Test
    void constantInputGivesNaN() {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the computed mean of a constant 0.1 is not 0.1: the
        // deviations are tiny but nonzero and a sums-based test would not see a constant
        double[][][] pairs = {
            {{0.1, 0.1, 0.1}, {0.1, 0.2, 0.4}},
            {{0.7, 0.7, 0.7}, {3, 1, 2}},
            {{5, 5, 5, 5}, {1, 2, 4, 3}},
            {{-1e-300, -1e-300}, {1, 2}},
        };
        for (double[][] pair : pairs) {
            double[] constant = pair[0];
            double[] other = pair[1];
            String what = java.util.Arrays.toString(constant);
            assertTrue(Double.isNaN(Correlation.pearson(constant, other)), what);
            assertTrue(Double.isNaN(Correlation.pearson(other, constant)), what);
            assertTrue(Double.isNaN(Correlation.spearman(constant, other)), what);
        }
        assertTrue(Double.isNaN(Correlation.pearson(new double[] {3}, new double[] {4})));
        assertTrue(Double.isNaN(Correlation.pearson(new double[0], new double[0])));
    }

    @Test
    void lengthMismatchIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Correlation.pearson(new double[3], new double[4]));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Correlation.spearman(new double[3], new double[4]));
    }
}
