package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.junit.jupiter.api.Test;

/**
 * Explicit Hessian and Gauss-Newton matrices against independent constructions: central finite differences of the
 * gradient (Hessian) and of the logits (Jacobian J, for G = (1/n) sum_i J_i^T H_y,i J_i + l2 I).
 *
 * <p>Tolerances: central differences with h = 1e-5 on O(1) quantities have truncation ~h^2 = 1e-10 and rounding
 * ~eps/h ~ 2e-11, so entries agree to ~1e-9 absolute; 1e-7 (relative to the largest entry) leaves a wide margin
 * while a missing term (activation curvature, the l2 diagonal) changes entries by more than 1e-3. Identities exact
 * in exact arithmetic (analytic vs column-by-column assembly) are checked to 1e-12.
 */
class ExplicitCurvatureTest {
    static final double H = 1e-5;

    @Test
    void hessianOfAnMlpMatchesFiniteDifferencesOfTheGradient() {
        DenseMatrix x = ModelTestSupport.uniform(6, 4, -2, 2, 31);
        for (Loss loss : new Loss[] {new SoftmaxCrossEntropy(), new SigmoidCrossEntropy(), new SquaredLoss()}) {
            int c = ModelTestSupport.outputsFor(loss);
            Mlp m = ModelTestSupport.tinyNet(Activation.TANH, c, x, 40);
            DenseMatrix t = ModelTestSupport.targets(loss, 6, c, 41);
            DenseMatrix h = ExplicitCurvature.byColumns(m, x, t, loss, 0.03, Curvature.HESSIAN);
            int p = m.parameterCount();
            double scale = maxAbs(h);
            for (int k = 0; k < p; k++) {
                double[] e = new double[p];
                e[k] = 1;
                double[] fd = ModelTestSupport.fdDirectional(th -> at(m, th).gradient(x, t, loss, 0.03),
                        m.parameters(), e, H);
                for (int r = 0; r < p; r++) {
                    assertEquals(fd[r], h.get(r, k), 1e-7 * scale, loss.name() + " entry (" + r + ", " + k + ")");
                }
            }
        }
    }

    @Test
    void gaussNewtonOfAnMlpMatchesJacobianTransposeHyJacobian() {
        DenseMatrix x = ModelTestSupport.uniform(5, 4, -2, 2, 51);
        Loss loss = new SoftmaxCrossEntropy();
        Mlp m = ModelTestSupport.tinyNet(Activation.SOFTPLUS, 3, x, 60);
        DenseMatrix t = ModelTestSupport.targets(loss, 5, 3, 61);
        double l2 = 0.05;
        DenseMatrix g = ExplicitCurvature.byColumns(m, x, t, loss, l2, Curvature.GAUSS_NEWTON);
        int p = m.parameterCount();
        int n = x.rows();
        int c = 3;
        // J by central differences of the logits: jac[k] = d vec(Phi) / d theta_k, length n*c
        double[][] jac = new double[p][];
        for (int k = 0; k < p; k++) {
            double[] e = new double[p];
            e[k] = 1;
            jac[k] = ModelTestSupport.fdDirectional(th -> at(m, th).logits(x).data(), m.parameters(), e, H);
        }
        // H_y of softmax cross-entropy: diag(s) - s s^T per example, written out independently
        DenseMatrix phi = m.logits(x);
        DenseMatrix ref = new DenseMatrix(p, p);
        for (int i = 0; i < n; i++) {
            double[] s = new double[c];
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < c; a++) {
                max = Math.max(max, phi.get(i, a));
            }
            double z = 0;
            for (int a = 0; a < c; a++) {
                s[a] = Math.exp(phi.get(i, a) - max);
                z += s[a];
            }
            for (int a = 0; a < c; a++) {
                s[a] /= z;
            }
            for (int r = 0; r < p; r++) {
                for (int k = 0; k < p; k++) {
                    double v = 0;
                    for (int a = 0; a < c; a++) {
                        for (int b = 0; b < c; b++) {
                            double hy = (a == b ? s[a] : 0) - s[a] * s[b];
                            v += jac[r][i * c + a] * hy * jac[k][i * c + b];
                        }
                    }
                    ref.add(r, k, v / n);
                }
            }
        }
        for (int k = 0; k < p; k++) {
            ref.add(k, k, l2);
        }
        double scale = maxAbs(ref);
        for (int k = 0; k < ref.data().length; k++) {
            assertEquals(ref.data()[k], g.data()[k], 1e-7 * scale);
        }
    }

    @Test
    void analyticLinearModelAssemblyEqualsColumnByColumnAndGaussNewton() {
        DenseMatrix x = ModelTestSupport.uniform(9, 4, -2, 2, 71);
        for (Loss loss : new Loss[] {new SoftmaxCrossEntropy(), new SigmoidCrossEntropy(), new SquaredLoss()}) {
            int c = ModelTestSupport.outputsFor(loss);
            Mlp m = Mlp.initialize(new int[] {4, c}, new Activation[0], 72);
            double[] theta = m.parameters();
            for (int k = 0; k < theta.length; k++) {
                theta[k] += 0.1 * k % 0.7; // nonzero bias too
            }
            m.setParameters(theta);
            DenseMatrix t = ModelTestSupport.targets(loss, 9, c, 73);
            DenseMatrix a = ExplicitCurvature.linearModel(m, x, t, loss, 0.02);
            DenseMatrix h = ExplicitCurvature.byColumns(m, x, t, loss, 0.02, Curvature.HESSIAN);
            DenseMatrix g = ExplicitCurvature.byColumns(m, x, t, loss, 0.02, Curvature.GAUSS_NEWTON);
            for (int k = 0; k < a.data().length; k++) {
                // rounding of sums of ~10 terms of size <= 4: 1e-12 is generous
                assertEquals(h.data()[k], a.data()[k], 1e-12, loss.name());
                assertEquals(g.data()[k], a.data()[k], 1e-12, loss.name() + " (H = G for a linear model)");
            }
        }
    }

    @Test
    void analyticAssemblyRefusesHiddenLayers() {
        DenseMatrix x = ModelTestSupport.uniform(3, 4, -1, 1, 1);
        Mlp m = ModelTestSupport.tinyNet(Activation.TANH, 3, x, 2);
        assertThrows(IllegalArgumentException.class, () -> ExplicitCurvature.linearModel(m, x,
                new DenseMatrix(3, 3), new SquaredLoss(), 0));
    }

    @Test
    void tightTrainerReachesTheToleranceOnSoftmaxRegression() {
        DenseMatrix x = ModelTestSupport.uniform(40, 4, -2, 2, 81);
        Loss loss = new SoftmaxCrossEntropy();
        int[] labels = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = (int) Math.floor((x.get(i, 0) + 2) * 0.75) % 3;
        }
        Mlp start = LinearModels.zeros(4, 3);
        ModelObjective f = new ModelObjective(start, x, loss.targetsFromLabels(labels, 3), loss, 1e-3);
        OptimumFit fit = new TightTrainer(TightTrainingOptions.defaults()).fit(f, start.parameters(), null);
        assertTrue(fit.converged(), fit.message());
        assertTrue(fit.relativeGradientNorm() <= 1e-10, "relative gradient " + fit.relativeGradientNorm());
        assertTrue(start.parameters()[0] == 0.0, "the caller's model is not changed");
    }

    static double maxAbs(DenseMatrix m) {
        double s = 0;
        for (double v : m.data()) {
            s = Math.max(s, Math.abs(v));
        }
        return s;
    }
}
