package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.at;
import static org.exemplar.model.ModelTestSupport.fdDirectional;
import static org.exemplar.model.ModelTestSupport.fdGradient;
import static org.exemplar.model.ModelTestSupport.relErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.junit.jupiter.api.Test;

/**
 * First derivatives of {@link Mlp} against central finite differences.
 *
 * <p>Tolerance: with step h = 1e-5 in float64 the central difference has truncation error h^2 |f'''| / 6 ~ 1e-11
 * and rounding error ~ eps |f| / h ~ 1e-11 for the O(1) objectives here, so agreement to a relative 1e-6 (norm-wise)
 * leaves a margin of about 10^4 while still catching any missing term (those are O(1) relative errors). ReLU kinks
 * are kept at least 1e-3 away from every pre-activation ({@link ModelTestSupport#tinyNet}), far beyond what an
 * h-step moves them.
 */
class MlpGradientTest {
    private static final double H = 1e-5;
    private static final double TOL = 1e-6;
    private static final int N = 6;

    @Test
    void batchGradientMatchesFiniteDifferencesForEveryActivationAndLoss() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 101);
        for (Activation a : Activation.values()) {
            for (Loss loss : ModelTestSupport.losses()) {
                int c = ModelTestSupport.outputsFor(loss);
                Mlp m = ModelTestSupport.tinyNet(a, c, x, 200 + a.ordinal());
                DenseMatrix t = ModelTestSupport.targets(loss, N, c, 300);
                for (double l2 : new double[] {0.0, 0.03}) {
                    double[] g = m.gradient(x, t, loss, l2);
                    double[] fd = fdGradient(th -> at(m, th).objective(x, t, loss, l2), m.parameters(), H);
                    double err = relErr(g, fd);
                    assertTrue(err < TOL, a + "/" + loss.name() + " l2=" + l2 + ": relative error " + err);
                }
            }
        }
    }

    @Test
    void mixedActivationsAndADeeperNet() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 102);
        Mlp m = Mlp.initialize(new int[] {4, 6, 5, 4, 3},
                new Activation[] {Activation.TANH, Activation.SOFTPLUS, Activation.SIGMOID}, 7);
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix t = ModelTestSupport.targets(loss, N, 3, 301);
        double[] g = m.gradient(x, t, loss, 0.01);
        double[] fd = fdGradient(th -> at(m, th).objective(x, t, loss, 0.01), m.parameters(), H);
        assertTrue(relErr(g, fd) < TOL, "relative error " + relErr(g, fd));
    }

    @Test
    void objectiveIsMeanLossPlusHalfL2NormOfAllParameters() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 103);
        Mlp m = ModelTestSupport.tinyNet(Activation.TANH, 3, x, 210);
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix t = ModelTestSupport.targets(loss, N, 3, 302);
        DenseMatrix phi = m.logits(x);
        double mean = 0;
        for (int i = 0; i < N; i++) {
            mean += loss.value(phi.data(), 3 * i, t.data(), 3 * i, 3) / N;
        }
        double sq = 0;
        for (double v : m.parameters()) {
            sq += v * v;
        }
        assertEquals(mean, m.meanLoss(x, t, loss), 1e-15);
        assertEquals(mean + 0.5 * 0.2 * sq, m.objective(x, t, loss, 0.2), 1e-14);
    }

    @Test
    void perExampleGradientsAverageToTheBatchGradientAndMatchFiniteDifferences() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 104);
        double l2 = 0.05;
        for (Activation a : Activation.values()) {
            for (Loss loss : ModelTestSupport.losses()) {
                int c = ModelTestSupport.outputsFor(loss);
                Mlp m = ModelTestSupport.tinyNet(a, c, x, 220 + a.ordinal());
                DenseMatrix t = ModelTestSupport.targets(loss, N, c, 303);
                DenseMatrix per = m.perExampleGradients(x, t, loss);
                int p = m.parameterCount();
                assertEquals(N, per.rows());
                assertEquals(p, per.cols());
                double[] theta = m.parameters();
                double[] mean = new double[p];
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < p; j++) {
                        mean[j] += per.get(i, j) / N;
                    }
                }
                for (int j = 0; j < p; j++) {
                    mean[j] += l2 * theta[j];
                }
                // same products summed in a different order: agreement to rounding (entries are O(1))
                double[] batch = m.gradient(x, t, loss, l2);
                assertTrue(ModelTestSupport.maxAbsDiff(mean, batch) < 1e-12,
                        a + "/" + loss.name() + ": " + ModelTestSupport.maxAbsDiff(mean, batch));
                for (int i = 0; i < N; i++) {
                    DenseMatrix xi = x.rowRange(i, i + 1);
                    DenseMatrix ti = t.rowRange(i, i + 1);
                    double[] fd = fdGradient(th -> at(m, th).meanLoss(xi, ti, loss), theta, H);
                    double err = relErr(per.row(i), fd);
                    assertTrue(err < TOL, a + "/" + loss.name() + " row " + i + ": relative error " + err);
                }
            }
        }
    }

    @Test
    void inputGradientMatchesFiniteDifferencesInX() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 105);
        for (Activation a : Activation.values()) {
            Mlp m = ModelTestSupport.tinyNet(a, 3, x, 230 + a.ordinal());
            DenseMatrix v = ModelTestSupport.uniform(N, 3, -1, 1, 400);
            DenseMatrix g = m.inputGradient(x, v);
            assertEquals(N, g.rows());
            assertEquals(4, g.cols());
            // rows are independent, so one perturbation of column j for all rows gives every row's d/dx_ij
            DenseMatrix fd = fdInput(x, xx -> rowDots(m.logits(xx), v));
            assertTrue(relErr(g.data(), fd.data()) < TOL, a + ": relative error " + relErr(g.data(), fd.data()));
        }
    }

    @Test
    void featureInputVjpMatchesFiniteDifferencesInX() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 106);
        for (Activation a : Activation.values()) {
            Mlp m = ModelTestSupport.tinyNet(a, 3, x, 240 + a.ordinal());
            DenseMatrix u = ModelTestSupport.uniform(N, m.featureWidth(), -1, 1, 401);
            DenseMatrix g = m.featureInputVjp(x, u);
            DenseMatrix fd = fdInput(x, xx -> rowDots(m.features(xx), u));
            assertTrue(relErr(g.data(), fd.data()) < TOL, a + ": relative error " + relErr(g.data(), fd.data()));
        }
        // no hidden layer: f(x) = x, so the VJP is the cotangent itself
        Mlp lin = Mlp.initialize(new int[] {4, 2}, new Activation[0], 1);
        DenseMatrix u = ModelTestSupport.uniform(N, 4, -1, 1, 402);
        assertEquals(0.0, ModelTestSupport.maxAbsDiff(u.data(), lin.featureInputVjp(x, u).data()));
        assertThrows(IllegalArgumentException.class, () -> lin.featureInputVjp(x, new DenseMatrix(N, 2)));
    }

    @Test
    void parameterJvpAndVjpMatchFiniteDifferencesAndEachOther() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 107);
        Mlp m = ModelTestSupport.tinyNet(Activation.TANH, 3, x, 250);
        double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 403);
        DenseMatrix jv = m.parameterJvp(x, v);
        double[] fd = fdDirectional(th -> at(m, th).logits(x).data(), m.parameters(), v, H);
        assertTrue(relErr(jv.data(), fd) < TOL, "JVP relative error " + relErr(jv.data(), fd));
        // adjoint identity <u, J v> = <J^T u, v>
        DenseMatrix u = ModelTestSupport.uniform(N, 3, -1, 1, 404);
        double[] jtu = m.parameterVjp(x, u);
        double lhs = 0;
        for (int k = 0; k < u.data().length; k++) {
            lhs += u.data()[k] * jv.data()[k];
        }
        double rhs = 0;
        for (int k = 0; k < v.length; k++) {
            rhs += jtu[k] * v[k];
        }
        assertEquals(lhs, rhs, 1e-12 * Math.max(1, Math.abs(lhs)));
    }

    interface RowFunction {
        double[] apply(DenseMatrix x);
    }

    /** d(row_i value)/dx_ij by central differences, perturbing column j of every row at once. */
    static DenseMatrix fdInput(DenseMatrix x, RowFunction f) {
        DenseMatrix out = new DenseMatrix(x.rows(), x.cols());
        for (int j = 0; j < x.cols(); j++) {
            DenseMatrix up = x.copy();
            DenseMatrix down = x.copy();
            for (int i = 0; i < x.rows(); i++) {
                up.add(i, j, H);
                down.add(i, j, -H);
            }
            double[] fu = f.apply(up);
            double[] fdn = f.apply(down);
            for (int i = 0; i < x.rows(); i++) {
                out.set(i, j, (fu[i] - fdn[i]) / (2 * H));
            }
        }
        return out;
    }

    static double[] rowDots(DenseMatrix a, DenseMatrix b) {
        double[] out = new double[a.rows()];
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < a.cols(); j++) {
                out[i] += a.get(i, j) * b.get(i, j);
            }
        }
        return out;
    }
}
