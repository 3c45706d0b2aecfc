package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.at;
import static org.exemplar.model.ModelTestSupport.fdDirectional;
import static org.exemplar.model.ModelTestSupport.relErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.ReluMatchingLoss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.junit.jupiter.api.Test;

/**
 * Hessian- and Gauss-Newton-vector products of {@link Mlp}.
 *
 * <p>Finite-difference references use central differences with h = 1e-5 on O(1) quantities: truncation
 * ~h^2 = 1e-10 and rounding ~eps/h = 1e-11, so a relative (norm-wise) tolerance of 1e-6 has a wide margin yet
 * catches a dropped second-derivative term (an O(1e-2..1) relative change on these nets). Identities that hold
 * exactly in exact arithmetic (symmetry, linear-model equality) are checked to rounding level.
 */
class MlpSecondOrderTest {
    private static final double H = 1e-5;
    private static final double TOL = 1e-6;
    private static final int N = 5;

    @Test
    void hessianVectorProductMatchesFiniteDifferencesOfTheGradient() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 501);
        for (Activation a : Activation.values()) {
            for (Loss loss : ModelTestSupport.losses()) {
                int c = ModelTestSupport.outputsFor(loss);
                Mlp m = ModelTestSupport.tinyNet(a, c, x, 600 + a.ordinal());
                DenseMatrix t = ModelTestSupport.targets(loss, N, c, 700);
                double l2 = 0.02;
                for (long s = 0; s < 2; s++) {
                    double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 800 + s);
                    double[] hv = m.hessianVectorProduct(x, t, loss, l2, v);
                    double[] fd = fdDirectional(th -> at(m, th).gradient(x, t, loss, l2), m.parameters(), v, H);
                    double err = relErr(hv, fd);
                    assertTrue(err < TOL, a + "/" + loss.name() + ": relative error " + err);
                }
            }
        }
    }

    @Test
    void explicitHessianFromProductsIsSymmetric() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 502);
        for (Activation a : new Activation[] {Activation.TANH, Activation.SIGMOID, Activation.SOFTPLUS, Activation.RELU}) {
            Loss loss = new SoftmaxCrossEntropy();
            Mlp m = ModelTestSupport.tinyNet(a, 3, x, 610 + a.ordinal());
            DenseMatrix t = ModelTestSupport.targets(loss, N, 3, 701);
            DenseMatrix hess = explicit(p -> m.hessianVectorProduct(x, t, loss, 0.0, p), m.parameterCount());
            double asym = 0;
            double scale = 0;
            for (int i = 0; i < hess.rows(); i++) {
                for (int j = 0; j < hess.cols(); j++) {
                    asym = Math.max(asym, Math.abs(hess.get(i, j) - hess.get(j, i)));
                    scale = Math.max(scale, Math.abs(hess.get(i, j)));
                }
            }
            // symmetric in exact arithmetic; float64 rounding of O(1) sums leaves ~1e-16 relative
            assertTrue(asym <= 1e-12 * scale, a + ": asymmetry " + asym + " of scale " + scale);
            assertTrue(scale > 1e-3, "non-trivial Hessian");
        }
    }

    @Test
    void gaussNewtonProductEqualsExplicitJacobianTransposeOutputHessianJacobian() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 503);
        double l2 = 0.03;
        for (Activation a : Activation.values()) {
            for (Loss loss : ModelTestSupport.losses()) {
                int c = ModelTestSupport.outputsFor(loss);
                Mlp m = ModelTestSupport.tinyNet(a, c, x, 620 + a.ordinal());
                DenseMatrix t = ModelTestSupport.targets(loss, N, c, 702);
                int p = m.parameterCount();
                double[] theta = m.parameters();
                // Jacobian of all logits, by central differences: jac[q] is dPhi/dtheta_q (n x c, row-major)
                double[][] jac = new double[p][];
                for (int q = 0; q < p; q++) {
                    double[] e = new double[p];
                    e[q] = 1;
                    jac[q] = fdDirectional(th -> at(m, th).logits(x).data(), theta, e, H);
                }
                double[] v = ModelTestSupport.uniform(p, -1, 1, 810);
                double[] phi = m.logits(x).data();
                double[] expected = new double[p];
                for (int i = 0; i < N; i++) {
                    double[] jv = new double[c];
                    for (int j = 0; j < c; j++) {
                        for (int q = 0; q < p; q++) {
                            jv[j] += jac[q][i * c + j] * v[q];
                        }
                    }
                    double[] hjv = outputHessian(loss, phi, i * c, c, jv);
                    for (int q = 0; q < p; q++) {
                        for (int j = 0; j < c; j++) {
                            expected[q] += jac[q][i * c + j] * hjv[j] / N;
                        }
                    }
                }
                for (int q = 0; q < p; q++) {
                    expected[q] += l2 * v[q];
                }
                double[] gnv = m.gaussNewtonVectorProduct(x, t, loss, l2, v);
                double err = relErr(gnv, expected);
                assertTrue(err < TOL, a + "/" + loss.name() + ": relative error " + err);
            }
        }
    }

    /** The output-space Hessian from its closed form (independent of Loss.hessianVector). */
    private static double[] outputHessian(Loss loss, double[] phi, int off, int c, double[] r) {
        double[] out = new double[c];
        if (loss instanceof SoftmaxCrossEntropy) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, phi[off + j]);
            }
            double[] pr = new double[c];
            double z = 0;
            for (int j = 0; j < c; j++) {
                pr[j] = Math.exp(phi[off + j] - max);
                z += pr[j];
            }
            double pr1 = 0;
            for (int j = 0; j < c; j++) {
                pr[j] /= z;
                pr1 += pr[j] * r[j];
            }
            for (int j = 0; j < c; j++) {
                out[j] = pr[j] * r[j] - pr[j] * pr1; // (diag(p) - p p^T) r
            }
        } else if (loss instanceof SigmoidCrossEntropy) {
            for (int j = 0; j < c; j++) {
                double s = 1 / (1 + Math.exp(-phi[off + j]));
                out[j] = s * (1 - s) * r[j];
            }
        } else if (loss instanceof SquaredLoss) {
            System.arraycopy(r, 0, out, 0, c);
        } else if (loss instanceof ReluMatchingLoss) {
            for (int j = 0; j < c; j++) {
                out[j] = phi[off + j] > 0 ? r[j] : 0;
            }
        } else {
            throw new IllegalArgumentException(loss.name());
        }
        return out;
    }

    @Test
    void forALinearModelWithSquaredLossGaussNewtonEqualsTheHessian() {
        // Phi is linear in theta, so the Hessian has no curvature term: H = J^T J / n + l2 I exactly. Both
        // products run the same gemm sequence here, so they agree to rounding.
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 504);
        Mlp m = Mlp.initialize(new int[] {4, 3}, new Activation[0], 5);
        Loss loss = new SquaredLoss();
        DenseMatrix t = ModelTestSupport.targets(loss, N, 3, 703);
        for (long s = 0; s < 3; s++) {
            double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 820 + s);
            double[] hv = m.hessianVectorProduct(x, t, loss, 0.1, v);
            double[] gv = m.gaussNewtonVectorProduct(x, t, loss, 0.1, v);
            assertTrue(ModelTestSupport.maxAbsDiff(hv, gv) <= 1e-14 * ModelTestSupport.maxAbsDiff(hv, new double[hv.length]),
                    "difference " + ModelTestSupport.maxAbsDiff(hv, gv));
        }
    }

    @Test
    void atAnInterpolatingFitGaussNewtonEqualsTheHessianAndOtherwiseItDoesNot() {
        // With targets = link(Phi) ("suitable" targets of Yeh et al.), dL/dPhi = 0 for every example, so the
        // curvature term sum_i (dL/dPhi_i) d^2 Phi_i vanishes and H = G; with other targets it does not.
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 505);
        for (Loss loss : new Loss[] {new SoftmaxCrossEntropy(), new SquaredLoss()}) {
            Mlp m = ModelTestSupport.tinyNet(Activation.TANH, 3, x, 630);
            DenseMatrix fit = loss.targetsFromLogits(m.logits(x));
            DenseMatrix other = ModelTestSupport.targets(loss, N, 3, 704);
            double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 830);
            double[] hv = m.hessianVectorProduct(x, fit, loss, 0.0, v);
            double[] gv = m.gaussNewtonVectorProduct(x, fit, loss, 0.0, v);
            assertTrue(relErr(hv, gv) < 1e-12, loss.name() + ": " + relErr(hv, gv));
            double[] hvOther = m.hessianVectorProduct(x, other, loss, 0.0, v);
            double[] gvOther = m.gaussNewtonVectorProduct(x, other, loss, 0.0, v);
            assertTrue(relErr(hvOther, gvOther) > 1e-3, loss.name() + ": curvature term missing");
        }
    }

    @Test
    void gaussNewtonIsPositiveSemiDefiniteForConvexLosses() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 506);
        for (Loss loss : ModelTestSupport.losses()) {
            int c = ModelTestSupport.outputsFor(loss);
            Mlp m = ModelTestSupport.tinyNet(Activation.SIGMOID, c, x, 640);
            DenseMatrix t = ModelTestSupport.targets(loss, N, c, 705);
            for (long s = 0; s < 5; s++) {
                double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 840 + s);
                double[] gv = m.gaussNewtonVectorProduct(x, t, loss, 0.0, v);
                double q = 0;
                for (int i = 0; i < v.length; i++) {
                    q += v[i] * gv[i];
                }
                assertTrue(q >= -1e-14, loss.name() + ": v^T G v = " + q);
            }
        }
    }

    @Test
    void productsAreLinearInTheDirection() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 507);
        Loss loss = new SoftmaxCrossEntropy();
        Mlp m = ModelTestSupport.tinyNet(Activation.SOFTPLUS, 3, x, 650);
        DenseMatrix t = ModelTestSupport.targets(loss, N, 3, 706);
        double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 850);
        double[] w = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 851);
        double[] vw = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            vw[i] = 2 * v[i] - 3 * w[i];
        }
        double[] hv = m.hessianVectorProduct(x, t, loss, 0.1, v);
        double[] hw = m.hessianVectorProduct(x, t, loss, 0.1, w);
        double[] hvw = m.hessianVectorProduct(x, t, loss, 0.1, vw);
        double[] comb = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            comb[i] = 2 * hv[i] - 3 * hw[i];
        }
        assertTrue(relErr(hvw, comb) < 1e-13, "relative error " + relErr(hvw, comb));
        assertEquals(0.0, ModelTestSupport.maxAbsDiff(m.hessianVectorProduct(x, t, loss, 0.0, new double[v.length]),
                new double[v.length]));
    }

    interface Product {
        double[] apply(double[] v);
    }

    /** The matrix of a linear operator, column by column. */
    static DenseMatrix explicit(Product op, int p) {
        DenseMatrix out = new DenseMatrix(p, p);
        for (int j = 0; j < p; j++) {
            double[] e = new double[p];
            e[j] = 1;
            double[] col = op.apply(e);
            for (int i = 0; i < p; i++) {
                out.set(i, j, col[i]);
            }
        }
        return out;
    }
}
