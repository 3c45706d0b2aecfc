package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.at;
import static org.exemplar.model.ModelTestSupport.fdDirectional;
import static org.exemplar.model.ModelTestSupport.relErr;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.junit.jupiter.api.Test;

/**
 * {@link CurvatureVectorProducts} on a deeper net whose hidden layers all differ (softplus, tanh, ReLU, sigmoid),
 * so that a product that reads the wrong layer's activation, pre-activation or R-pass entry cannot pass by
 * symmetry (the tiny nets of {@link MlpSecondOrderTest} repeat one activation). References:
 * <ul>
 *   <li>H v against central differences of the analytic gradient along v;</li>
 *   <li>G v against (1/n) sum_i J_i^T H_y,i J_i v + l2 v with the Jacobian J built column by column from central
 *   differences of the logits and H_y from its closed form (softmax: diag(p) - p p^T; squared loss: I).</li>
 * </ul>
 * h = 1e-5 on O(1) quantities: truncation ~1e-10, rounding ~1e-11, so a relative (norm-wise) tolerance of 1e-6;
 * a dropped sigma'' term or a wrong layer index moves the products by O(1e-2..1) relative.
 */
class CurvatureVectorProductsTest {
    private static final double H = 1e-5;
    private static final double TOL = 1e-6;
    private static final int N = 5;
    private static final Activation[] MIXED = {Activation.SOFTPLUS, Activation.TANH, Activation.RELU, Activation.SIGMOID};

    private static Mlp deepNet(DenseMatrix x, int c, long seed) {
        for (long s = seed; ; s++) {
            Mlp m = Mlp.initialize(new int[] {4, 6, 5, 5, 4, c}, MIXED, s);
            double[] theta = m.parameters();
            double[] noise = ModelTestSupport.uniform(theta.length, -0.3, 0.3, s + 7);
            for (int i = 0; i < theta.length; i++) {
                theta[i] += noise[i]; // nonzero biases, so the bias paths are exercised
            }
            m.setParameters(theta);
            if (ModelTestSupport.kinkMargin(m, x) > 1e-3) {
                return m;
            }
        }
    }

    private static double[] product(boolean hessian, Mlp m, DenseMatrix x, DenseMatrix t, Loss loss, double l2,
                                     double[] v) {
        DenseLayer[] layers = BackpropagationTest.layersOf(m);
        ParameterLayout layout = new ParameterLayout(m.widths());
        return hessian
                ? CurvatureVectorProducts.hessian(layers, m.activations(), layout, x, t, loss, l2, v)
                : CurvatureVectorProducts.gaussNewton(layers, m.activations(), layout, x, t, loss, l2, v);
    }

    @Test
    void hessianProductOfAMixedDeepNetMatchesFiniteDifferencesOfTheGradient() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 981);
        double l2 = 0.02;
        for (Loss loss : ModelTestSupport.losses()) {
            int c = ModelTestSupport.outputsFor(loss);
            Mlp m = deepNet(x, c, 990);
            DenseMatrix t = ModelTestSupport.targets(loss, N, c, 991);
            double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 992);
            double[] hv = product(true, m, x, t, loss, l2, v);
            double[] fd = fdDirectional(th -> at(m, th).gradient(x, t, loss, l2), m.parameters(), v, H);
            double err = relErr(hv, fd);
            assertTrue(err < TOL, loss.name() + ": relative error " + err);
        }
    }

    @Test
    void gaussNewtonProductOfAMixedDeepNetEqualsAnExplicitJacobianProduct() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 982);
        double l2 = 0.03;
        int c = 3;
        for (Loss loss : new Loss[] {new SoftmaxCrossEntropy(), new SquaredLoss()}) {
            Mlp m = deepNet(x, c, 1000);
            DenseMatrix t = ModelTestSupport.targets(loss, N, c, 1001);
            int p = m.parameterCount();
            double[] theta = m.parameters();
            double[][] jac = new double[p][]; // jac[q]: dPhi/dtheta_q, (n x c) row-major, by central differences
            for (int q = 0; q < p; q++) {
                double[] e = new double[p];
                e[q] = 1;
                jac[q] = fdDirectional(th -> at(m, th).logits(x).data(), theta, e, H);
            }
            double[] v = ModelTestSupport.uniform(p, -1, 1, 1002);
            double[] phi = m.logits(x).data();
            double[] expected = new double[p];
            for (int i = 0; i < N; i++) {
                double[] jv = new double[c];
                for (int j = 0; j < c; j++) {
                    for (int q = 0; q < p; q++) {
                        jv[j] += jac[q][i * c + j] * v[q];
                    }
                }
                double[] hjv = new double[c];
                if (loss instanceof SquaredLoss) {
                    hjv = jv; // L = (1/2) ||Phi - t||^2: H_y = I
                } else {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) {
                        max = Math.max(max, phi[i * c + j]);
                    }
                    double[] prob = new double[c];
                    double z = 0;
                    for (int j = 0; j < c; j++) {
                        prob[j] = Math.exp(phi[i * c + j] - max);
                        z += prob[j];
                    }
                    double pv = 0;
                    for (int j = 0; j < c; j++) {
                        prob[j] /= z;
                        pv += prob[j] * jv[j];
                    }
                    for (int j = 0; j < c; j++) {
                        hjv[j] = prob[j] * jv[j] - prob[j] * pv; // (diag(p) - p p^T) jv
                    }
                }
                for (int q = 0; q < p; q++) {
                    for (int j = 0; j < c; j++) {
                        expected[q] += jac[q][i * c + j] * hjv[j] / N;
                    }
                }
            }
            for (int q = 0; q < p; q++) {
                expected[q] += l2 * v[q];
            }
            double err = relErr(product(false, m, x, t, loss, l2, v), expected);
            assertTrue(err < TOL, loss.name() + ": relative error " + err);
        }
    }
}
