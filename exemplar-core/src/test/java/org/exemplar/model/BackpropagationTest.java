package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.relErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * {@link Backpropagation} at every layer, against central differences of an independent scalar forward pass
 * (explicit loops over {@link Mlp#weight}, {@link Mlp#bias} and {@link Activation#apply}).
 *
 * <p>Public tests see only the ends of back-propagation (parameter gradients, dPhi/dx, df/dx); these check the
 * intermediate deltas dS/dz_k and the input cotangent from every level, which per-example gradients and the
 * Hessian R-pass are built on. Central differences with h = 1e-5 on O(1) quantities: truncation ~h^2 = 1e-10,
 * rounding ~eps/h = 1e-11, so a relative (norm-wise) tolerance of 1e-6; a missing sigma' or a wrong layer's
 * activation changes the result by O(0.1..1). {@link ModelTestSupport#tinyNet} keeps every ReLU at least 1e-3
 * from its kink, far beyond the O(h) moves of a difference step.
 */
class BackpropagationTest {
    private static final double H = 1e-5;
    private static final double TOL = 1e-6;
    private static final int N = 4;

    static DenseLayer[] layersOf(Mlp m) {
        DenseLayer[] l = new DenseLayer[m.layerCount()];
        for (int k = 0; k < l.length; k++) {
            l[k] = new DenseLayer(m.weight(k), m.bias(k));
        }
        return l;
    }

    /** Layers from..L-1 applied by scalar loops to a given a_from; returns a_level (level = L: the logits). */
    static DenseMatrix scalarForward(Mlp m, int from, DenseMatrix aFrom, int level) {
        Activation[] hidden = m.activations();
        DenseMatrix a = aFrom;
        for (int k = from; k < level; k++) {
            DenseMatrix w = m.weight(k);
            double[] b = m.bias(k);
            DenseMatrix z = new DenseMatrix(a.rows(), w.rows());
            for (int i = 0; i < a.rows(); i++) {
                for (int j = 0; j < w.rows(); j++) {
                    double s = b[j];
                    for (int q = 0; q < w.cols(); q++) {
                        s += a.get(i, q) * w.get(j, q);
                    }
                    z.set(i, j, k + 1 < m.layerCount() ? hidden[k].apply(s) : s);
                }
            }
            a = z;
        }
        return a;
    }

    private static double dot(DenseMatrix u, DenseMatrix v) {
        double s = 0;
        for (int k = 0; k < u.data().length; k++) {
            s += u.data()[k] * v.data()[k];
        }
        return s;
    }

    /** Central differences of S(m) = s(m), entry by entry of the matrix m. */
    private static double[] fdMatrix(DenseMatrix at, java.util.function.ToDoubleFunction<DenseMatrix> s) {
        double[] g = new double[at.data().length];
        for (int p = 0; p < g.length; p++) {
            DenseMatrix up = at.copy();
            DenseMatrix down = at.copy();
            up.data()[p] += H;
            down.data()[p] -= H;
            g[p] = (s.applyAsDouble(up) - s.applyAsDouble(down)) / (2 * H);
        }
        return g;
    }

    @Test
    void deltasAreTheDerivativesOfTheTopScalarWithRespectToEveryPreActivation() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 901);
        for (Activation act : Activation.values()) {
            Mlp m = ModelTestSupport.tinyNet(act, 3, x, 910 + act.ordinal());
            DenseMatrix top = ModelTestSupport.uniform(N, 3, -1, 1, 920);
            Mlp.Forward f = m.forward(x);
            DenseMatrix[] d = Backpropagation.deltas(layersOf(m), m.activations(), f, top);
            assertEquals(m.layerCount() + 1, d.length);
            assertArrayEquals(top.data(), d[m.layerCount()].data());
            Activation[] hidden = m.activations();
            for (int k = 1; k < m.layerCount(); k++) {
                final int kk = k;
                // S as a function of z_k: a_k = sigma(z_k), then the upper layers by scalar loops
                double[] fd = fdMatrix(f.preActivation(k), zk -> {
                    DenseMatrix ak = zk.copy();
                    for (int p = 0; p < ak.data().length; p++) {
                        ak.data()[p] = hidden[kk - 1].apply(ak.data()[p]);
                    }
                    return dot(top, scalarForward(m, kk, ak, m.layerCount()));
                });
                double err = relErr(d[k].data(), fd);
                assertTrue(err < TOL, act + " delta_" + k + ": relative error " + err);
            }
        }
    }

    @Test
    void inputCotangentFromEveryLevelMatchesFiniteDifferencesInX() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 902);
        Activation[] mixed = {Activation.SOFTPLUS, Activation.TANH, Activation.RELU};
        Mlp m = null;
        for (long s = 930; m == null || ModelTestSupport.kinkMargin(m, x) < 1e-3; s++) {
            m = Mlp.initialize(new int[] {4, 6, 5, 4, 3}, mixed, s);
        }
        Mlp net = m;
        Mlp.Forward f = net.forward(x);
        for (int level = 0; level <= net.layerCount(); level++) {
            final int lv = level;
            int width = net.widths()[level];
            DenseMatrix u = ModelTestSupport.uniform(N, width, -1, 1, 940 + level);
            DenseMatrix got = Backpropagation.toInput(layersOf(net), net.activations(), f, level, u);
            double[] fd = fdMatrix(x, xx -> dot(u, scalarForward(net, 0, xx, lv)));
            double err = relErr(got.data(), fd);
            assertTrue(err < TOL, "level " + level + ": relative error " + err);
        }
    }
}
