package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * {@link DenseLayer}: the affine map and the three back-propagation products against explicit scalar sums.
 *
 * <p>The sums run in another order than gemm; entries are sums of at most 5 products of O(1) numbers, so they
 * agree to a few ulps: 1e-13 absolute is a wide margin that still catches any wrong index or missing term
 * (an O(0.1..1) change).
 */
class DenseLayerTest {
    private static final double TOL = 1e-13;
    private static final int N = 5;
    private static final int IN = 4;
    private static final int OUT = 3;

    private static DenseLayer layer() {
        return new DenseLayer(ModelTestSupport.uniform(OUT, IN, -1, 1, 11), ModelTestSupport.uniform(OUT, -1, 1, 12));
    }

    @Test
    void affineIsTheRowWiseMapAWTransposePlusB() {
        DenseLayer l = layer();
        DenseMatrix a = ModelTestSupport.uniform(N, IN, -2, 2, 13);
        DenseMatrix z = l.affine(a);
        assertEquals(N, z.rows());
        assertEquals(OUT, z.cols());
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < OUT; j++) {
                double s = l.bias()[j];
                for (int q = 0; q < IN; q++) {
                    s += a.get(i, q) * l.weight().get(j, q);
                }
                assertEquals(s, z.get(i, j), TOL, "z[" + i + "][" + j + "]");
            }
        }
        assertEquals(IN, l.inputWidth());
        assertEquals(OUT, l.outputWidth());
        assertEquals(OUT * (IN + 1), l.parameterCount());
    }

    /** S = sum_ij delta_ij z_ij is linear in a, W and b, so its gradients are these explicit sums exactly. */
    @Test
    void backpropagationProductsAreTheGradientsOfSumDeltaTimesZ() {
        DenseLayer l = layer();
        DenseMatrix a = ModelTestSupport.uniform(N, IN, -2, 2, 14);
        DenseMatrix delta = ModelTestSupport.uniform(N, OUT, -1, 1, 15);
        DenseMatrix da = l.inputCotangent(delta);
        DenseMatrix dw = l.weightGradient(delta, a);
        double[] db = DenseLayer.biasGradient(delta);
        assertEquals(N, da.rows());
        assertEquals(IN, da.cols());
        assertEquals(OUT, dw.rows());
        assertEquals(IN, dw.cols());
        for (int i = 0; i < N; i++) {
            for (int q = 0; q < IN; q++) {
                double s = 0; // dS/da_iq = sum_j delta_ij W_jq
                for (int j = 0; j < OUT; j++) {
                    s += delta.get(i, j) * l.weight().get(j, q);
                }
                assertEquals(s, da.get(i, q), TOL, "dS/da[" + i + "][" + q + "]");
            }
        }
        for (int j = 0; j < OUT; j++) {
            double sb = 0; // dS/db_j = sum_i delta_ij
            for (int i = 0; i < N; i++) {
                sb += delta.get(i, j);
            }
            assertEquals(sb, db[j], TOL, "dS/db[" + j + "]");
            for (int q = 0; q < IN; q++) {
                double s = 0; // dS/dW_jq = sum_i delta_ij a_iq
                for (int i = 0; i < N; i++) {
                    s += delta.get(i, j) * a.get(i, q);
                }
                assertEquals(s, dw.get(j, q), TOL, "dS/dW[" + j + "][" + q + "]");
            }
        }
        // and S itself changes accordingly: S(a + e_iq) - S(a) = dS/da_iq (linear, so exact up to rounding)
        DenseMatrix a2 = a.copy();
        a2.set(2, 1, a2.get(2, 1) + 1.0);
        assertEquals(da.get(2, 1), sumProduct(delta, l.affine(a2)) - sumProduct(delta, l.affine(a)), 1e-12);
    }

    private static double sumProduct(DenseMatrix d, DenseMatrix z) {
        double s = 0;
        for (int k = 0; k < d.data().length; k++) {
            s += d.data()[k] * z.data()[k];
        }
        return s;
    }

    @Test
    void copyOfValidatesTheShapesAndCopiesDeeply() {
        DenseMatrix w = ModelTestSupport.uniform(OUT, IN, -1, 1, 16);
        double[] b = ModelTestSupport.uniform(OUT, -1, 1, 17);
        DenseLayer l = DenseLayer.copyOf(0, IN, OUT, w, b);
        assertNotSame(w, l.weight());
        assertNotSame(b, l.bias());
        assertArrayEquals(w.data(), l.weight().data());
        w.data()[0] += 1;
        assertTrue(l.weight().data()[0] != w.data()[0], "copyOf must not alias the caller's weight");
        DenseLayer c = l.copy();
        c.bias()[0] += 1;
        assertTrue(c.bias()[0] != l.bias()[0], "copy must not alias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DenseLayer.copyOf(2, IN, OUT, new DenseMatrix(IN, OUT), b));
        assertEquals("weight 2 must have shape (3, 4) (out, in), got (4, 3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseLayer.copyOf(1, IN, OUT, w, new double[2]));
        assertEquals("bias 1 must have length 3, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseLayer.copyOf(1, IN, OUT, null, b));
        assertEquals("weight 1 must have shape (3, 4) (out, in), got null", e.getMessage());
    }
}
