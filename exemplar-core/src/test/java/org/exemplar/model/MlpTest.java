package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.junit.jupiter.api.Test;

class MlpTest {

    /** An independent scalar forward pass: triple loops and Activation.apply, no BLAS. */
    static double[] naiveLogits(Mlp m, double[] x) {
        double[] a = x;
        Activation[] acts = m.activations();
        for (int k = 0; k < m.layerCount(); k++) {
            DenseMatrix w = m.weight(k);
            double[] b = m.bias(k);
            double[] z = new double[w.rows()];
            for (int o = 0; o < w.rows(); o++) {
                double s = b[o];
                for (int j = 0; j < w.cols(); j++) {
                    s += w.get(o, j) * a[j];
                }
                z[o] = k + 1 < m.layerCount() ? acts[k].apply(s) : s;
            }
            a = z;
        }
        return a;
    }

    @Test
    void architectureAccessorsAndParameterCount() {
        Mlp m = Mlp.initialize(new int[] {6, 8, 4, 3}, new Activation[] {Activation.RELU, Activation.TANH}, 1);
        assertArrayEquals(new int[] {6, 8, 4, 3}, m.widths());
        assertArrayEquals(new Activation[] {Activation.RELU, Activation.TANH}, m.activations());
        assertEquals(3, m.layerCount());
        assertEquals(6, m.inputWidth());
        assertEquals(4, m.featureWidth());
        assertEquals(3, m.outputWidth());
        assertEquals(8 * 7 + 4 * 9 + 3 * 5, m.parameterCount());
        assertEquals(8, m.weight(0).rows());
        assertEquals(6, m.weight(0).cols());
        assertEquals(3, m.lastLayerWeight().rows());
        assertEquals(4, m.lastLayerWeight().cols());
        assertEquals(3, m.lastLayerBias().length);
        assertEquals(0, m.weightOffset(0));
        assertEquals(48, m.biasOffset(0));
        assertEquals(56, m.weightOffset(1));
        assertEquals(56 + 32, m.biasOffset(1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.weight(3));
        assertTrue(m.toString().contains("[6, 8, 4, 3]"), m.toString());
    }

    @Test
    void flatParameterOrderIsWeightRowMajorThenBiasPerLayer() {
        Mlp m = ModelTestSupport.tinyNet(Activation.TANH, 2, ModelTestSupport.uniform(3, 4, -1, 1, 5), 3);
        double[] theta = m.parameters();
        int p = 0;
        for (int k = 0; k < m.layerCount(); k++) {
            DenseMatrix w = m.weight(k);
            for (int o = 0; o < w.rows(); o++) {
                for (int j = 0; j < w.cols(); j++) {
                    assertEquals(w.get(o, j), theta[p++], 0.0);
                }
            }
            for (double b : m.bias(k)) {
                assertEquals(b, theta[p++], 0.0);
            }
        }
        assertEquals(theta.length, p);
    }

    @Test
    void setParametersRoundTripsAndCopiesAreIndependent() {
        Mlp m = Mlp.initialize(new int[] {3, 4, 2}, new Activation[] {Activation.SIGMOID}, 9);
        double[] theta = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 10);
        m.setParameters(theta);
        assertArrayEquals(theta, m.parameters(), 0.0);
        Mlp c = m.copy();
        theta[0] = 42;
        assertEquals(theta[1], m.parameters()[1], 0.0);
        assertFalse(m.parameters()[0] == 42, "setParameters must copy its argument");
        m.weight(0).set(0, 0, 99);
        m.bias(0)[0] = 99;
        m.lastLayerWeight().set(0, 0, 99);
        assertArrayEquals(c.parameters(), m.parameters(), 0.0, "accessors must return copies");
        c.setParameters(new double[c.parameterCount()]);
        assertFalse(Arrays.equals(c.parameters(), m.parameters()), "copy must not share storage");
        assertThrows(IllegalArgumentException.class, () -> m.setParameters(new double[3]));
    }

    @Test
    void explicitConstructionValidatesAndDeepCopies() {
        DenseMatrix w0 = ModelTestSupport.uniform(4, 3, -1, 1, 1);
        DenseMatrix w1 = ModelTestSupport.uniform(2, 4, -1, 1, 2);
        double[] b0 = {0.1, 0.2, 0.3, 0.4};
        double[] b1 = {-0.5, 0.5};
        Mlp m = Mlp.of(new int[] {3, 4, 2}, new Activation[] {Activation.TANH}, new DenseMatrix[] {w0, w1},
                new double[][] {b0, b1});
        w0.set(0, 0, 100);
        b1[0] = 100;
        assertEquals(0.1, m.bias(0)[0], 0.0);
        assertEquals(-0.5, m.bias(1)[0], 0.0);
        assertTrue(m.weight(0).get(0, 0) != 100);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mlp.of(new int[] {3, 4, 2},
                new Activation[] {Activation.TANH}, new DenseMatrix[] {w1, w1}, new double[][] {b0, b1}));
        assertTrue(e.getMessage().contains("(4, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Mlp.initialize(new int[] {3, 4, 2}, new Activation[0], 1));
        assertTrue(e.getMessage().contains("1 hidden layer"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mlp.initialize(new int[] {3}, new Activation[0], 1));
        assertThrows(IllegalArgumentException.class, () -> Mlp.initialize(new int[] {3, 0, 2},
                new Activation[] {Activation.RELU}, 1));
        e = assertThrows(IllegalArgumentException.class, () -> m.logits(new DenseMatrix(2, 5)));
        assertTrue(e.getMessage().contains("expects 3"), e.getMessage());
        DenseMatrix x = new DenseMatrix(2, 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> m.gradient(x, new DenseMatrix(2, 3), new SoftmaxCrossEntropy(), 0));
        assertTrue(e.getMessage().contains("(2, 2)"), e.getMessage());
    }

    @Test
    void initializationUsesHeForReluAndSoftplusAndXavierOtherwiseWithZeroBiases() {
        // 512 x 1024 = 524288 draws: the sample standard deviation has relative error ~ 1/sqrt(2N) = 0.1%,
        // so a 1% tolerance is about ten standard errors.
        int in = 1024;
        int out = 512;
        for (Activation a : Activation.values()) {
            Mlp m = Mlp.initialize(new int[] {in, out, 2}, new Activation[] {a}, 17);
            double[] w = m.weight(0).data();
            double mean = Arrays.stream(w).sum() / w.length;
            double sd = Math.sqrt(Arrays.stream(w).map(v -> v * v).sum() / w.length);
            double expected = (a == Activation.RELU || a == Activation.SOFTPLUS)
                    ? Math.sqrt(2.0 / in) : Math.sqrt(2.0 / (in + out));
            assertEquals(expected, sd, 0.01 * expected, a.toString());
            assertEquals(0.0, mean, 5 * expected / Math.sqrt(w.length), a.toString());
            assertTrue(Arrays.stream(m.bias(0)).allMatch(b -> b == 0.0));
            assertTrue(Arrays.stream(m.bias(1)).allMatch(b -> b == 0.0));
        }
        // last (linear) layer: Xavier
        Mlp m = Mlp.initialize(new int[] {64, 4096, 1024}, new Activation[] {Activation.RELU}, 3);
        double[] w = m.weight(1).data();
        double sd = Math.sqrt(Arrays.stream(w).map(v -> v * v).sum() / w.length);
        assertEquals(Math.sqrt(2.0 / (4096 + 1024)), sd, 0.01 * sd);
    }

    @Test
    void initializationIsDeterministicPerSeed() {
        int[] widths = {5, 7, 3};
        Activation[] acts = {Activation.RELU};
        assertArrayEquals(Mlp.initialize(widths, acts, 123).parameters(), Mlp.initialize(widths, acts, 123).parameters(), 0.0);
        assertFalse(Arrays.equals(Mlp.initialize(widths, acts, 123).parameters(), Mlp.initialize(widths, acts, 124).parameters()));
    }

    @Test
    void logitsMatchAnIndependentScalarForwardPass() {
        DenseMatrix x = ModelTestSupport.uniform(7, 4, -2, 2, 31);
        for (Activation a : Activation.values()) {
            Mlp m = ModelTestSupport.tinyNet(a, 3, x, 40);
            DenseMatrix phi = m.logits(x);
            assertEquals(7, phi.rows());
            assertEquals(3, phi.cols());
            for (int i = 0; i < x.rows(); i++) {
                // different summation order than BLAS: agreement to a few ulps of O(1) values
                assertArrayEquals(naiveLogits(m, x.row(i)), phi.row(i), 1e-13, a + " row " + i);
            }
        }
    }

    @Test
    void featuresTimesLastLayerWeightPlusBiasEqualsLogits() {
        DenseMatrix x = ModelTestSupport.uniform(9, 4, -2, 2, 32);
        for (Activation a : Activation.values()) {
            Mlp m = ModelTestSupport.tinyNet(a, 3, x, 50);
            DenseMatrix f = m.features(x);
            assertEquals(3, f.cols());
            DenseMatrix w = m.lastLayerWeight();
            double[] b = m.lastLayerBias();
            DenseMatrix phi = m.logits(x);
            for (int i = 0; i < x.rows(); i++) {
                for (int j = 0; j < 3; j++) {
                    double s = b[j];
                    for (int q = 0; q < f.cols(); q++) {
                        s += f.get(i, q) * w.get(j, q);
                    }
                    assertEquals(s, phi.get(i, j), 1e-13, a + " (" + i + ", " + j + ")");
                }
            }
        }
    }

    @Test
    void forwardCacheHoldsEveryLayer() {
        DenseMatrix x = ModelTestSupport.uniform(5, 4, -1, 1, 33);
        Mlp m = ModelTestSupport.tinyNet(Activation.SOFTPLUS, 2, x, 60);
        Mlp.Forward f = m.forward(x);
        assertSame(x, f.input());
        assertSame(x, f.activation(0));
        assertArrayEquals(m.logits(x).data(), f.logits().data(), 0.0);
        assertArrayEquals(m.features(x).data(), f.features().data(), 0.0);
        for (int k = 1; k < m.layerCount(); k++) {
            double[] z = f.preActivation(k).data();
            double[] a = f.activation(k).data();
            for (int i = 0; i < z.length; i++) {
                assertEquals(Activation.SOFTPLUS.apply(z[i]), a[i], 0.0);
            }
        }
        assertSame(f.preActivation(m.layerCount()), f.logits());
        assertThrows(IndexOutOfBoundsException.class, () -> f.preActivation(0));
    }

    @Test
    void modelWithoutHiddenLayerIsAffineAndItsFeaturesAreTheInputs() {
        DenseMatrix x = ModelTestSupport.uniform(4, 3, -1, 1, 34);
        Mlp m = Mlp.initialize(new int[] {3, 2}, new Activation[0], 8);
        assertEquals(1, m.layerCount());
        assertEquals(3, m.featureWidth());
        DenseMatrix f = m.features(x);
        assertArrayEquals(x.data(), f.data(), 0.0);
        f.set(0, 0, 77);
        assertTrue(x.get(0, 0) != 77, "features must not alias the input");
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(naiveLogits(m, x.row(i)), m.logits(x).row(i), 1e-14);
        }
    }
}
