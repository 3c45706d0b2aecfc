package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;
import org.exemplar.loss.ReluMatchingLoss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RepresenterPointsTest {

    /** Gaussian features with a ones column, labels from a random linear teacher plus noise. */
    static DenseMatrix features(int n, int p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix f = new DenseMatrix(n, p);
        for (int k = 0; k < f.data().length; k++) {
            f.data()[k] = r.nextGaussian();
        }
        return f.withOnesColumn();
    }

    static DenseMatrix logits(DenseMatrix f, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix w = new DenseMatrix(c, f.cols());
        for (int k = 0; k < w.data().length; k++) {
            w.data()[k] = r.nextGaussian();
        }
        DenseMatrix phi = Blas.multiply(Transpose.NO, f, Transpose.YES, w);
        for (int k = 0; k < phi.data().length; k++) {
            phi.data()[k] += 0.5 * r.nextGaussian();
        }
        return phi;
    }

    static int[] argmaxLabels(DenseMatrix phi) {
        int[] y = new int[phi.rows()];
        for (int i = 0; i < y.length; i++) {
            y[i] = phi.cols() == 1 ? (phi.get(i, 0) > 0 ? 1 : 0)
                    : org.exemplar.linalg.Vectors.argmax(phi.data(), i * phi.cols(), phi.cols());
        }
        return y;
    }

    /**
     * Independent reference: Newton's method with the explicit (cp x cp) Hessian
     * H = (1/n) sum_i H_y,i (x) f_i f_i^T + 2 lambda I, assembled entry by entry from the loss's output
     * Hessian, and a Cholesky solve per step.
     */
    static double[] newtonReference(DenseMatrix f, DenseMatrix t, Loss loss, double lambda) {
        int n = f.rows();
        int p = f.cols();
        int c = t.cols();
        int d = c * p;
        LastLayerObjective obj = new LastLayerObjective(f, t, loss, lambda);
        double[] theta = new double[d];
        double[] g = new double[d];
        for (int it = 0; it < 50; it++) {
            obj.valueAndGradient(theta, g);
            DenseMatrix phi = obj.outputs(theta);
            DenseMatrix h = new DenseMatrix(d, d);
            double[] e = new double[c];
            double[] hy = new double[c];
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < c; a++) {
                    java.util.Arrays.fill(e, 0);
                    e[a] = 1;
                    loss.hessianVector(phi.data(), i * c, t.data(), i * c, e, 0, hy, 0, c);
                    for (int b = 0; b < c; b++) {
                        if (hy[b] == 0) {
                            continue;
                        }
                        for (int u = 0; u < p; u++) {
                            double fu = f.get(i, u) * hy[b] / n;
                            for (int v = 0; v < p; v++) {
                                h.add(b * p + u, a * p + v, fu * f.get(i, v));
                            }
                        }
                    }
                }
            }
            for (int k = 0; k < d; k++) {
                h.add(k, k, 2 * lambda);
            }
            double[] step = Cholesky.factorize(h).solve(g);
            for (int k = 0; k < d; k++) {
                theta[k] -= step[k];
            }
        }
        return theta;
    }

    @ParameterizedTest
    @ValueSource(strings = {"softmax", "sigmoid", "relu"})
    void fitMatchesExplicitNewtonSolveAndDecompositionIsExact(String lossName) {
        Loss loss = Loss.named(lossName);
        int c = lossName.equals("sigmoid") ? 1 : 3;
        DenseMatrix f = features(300, 6, 11);
        DenseMatrix teacher = logits(f, c, 12);
        DenseMatrix targets = lossName.equals("relu") ? loss.targetsFromLogits(teacher)
                : loss.targetsFromLabels(argmaxLabels(teacher), c);
        double lambda = 0.003;
        LastLayerFit fit = new LastLayerFitter(FitOptions.of(lambda)).fit(f, targets, loss, null, null);
        assertTrue(fit.converged(), fit.message());
        assertTrue(fit.stationarityResidual() <= 1e-10, "residual " + fit.stationarityResidual());

        // Theta against an independent dense Newton solve. Both are at stationarity residual <= 1e-10, and
        // the objective is 2*lambda-strongly convex, so they agree to ~ residual * cond: 1e-8 is generous.
        double[] ref = newtonReference(f, targets, loss, lambda);
        double scale = org.exemplar.linalg.Vectors.norm2(ref);
        for (int k = 0; k < ref.length; k++) {
            assertEquals(ref[k], fit.theta().data()[k], 1e-8 * scale, "theta[" + k + "]");
        }

        RepresenterPoints rp = RepresenterPoints.of(f, targets, loss, lambda, fit.theta());
        // alpha against the closed form -1/(2 lambda n) dL/dPhi evaluated at the reference optimum
        DenseMatrix gRef = new LastLayerObjective(f, targets, loss, lambda).outputGradients(ref);
        for (int k = 0; k < gRef.data().length; k++) {
            assertEquals(-gRef.data()[k] / (2 * lambda * f.rows()), rp.alpha().data()[k], 1e-8 * scale);
        }
        // Thm 3.1: Theta = sum_i alpha_i f_i^T at the optimum, to the stationarity residual
        assertTrue(rp.identityResidual() <= 1e-9, "identity residual " + rp.identityResidual());
        // Phi(x_t) = sum_i alpha_i f_i^T f_t for unseen points, relative to the output scale
        DenseMatrix test = features(40, 6, 13);
        DenseMatrix phi = rp.outputs(test);
        DenseMatrix rec = rp.reconstruct(test);
        double phiScale = phi.frobeniusNorm() / Math.sqrt(phi.data().length);
        for (int k = 0; k < phi.data().length; k++) {
            assertEquals(phi.data()[k], rec.data()[k], 1e-8 * phiScale);
        }
        // Row sums of the values matrix reproduce the explained class's output
        int[] cls = rp.predictedClasses(test);
        DenseMatrix values = rp.values(test, cls);
        for (int t = 0; t < test.rows(); t++) {
            double sum = 0;
            for (int i = 0; i < f.rows(); i++) {
                sum += values.get(t, i);
            }
            double expected = c == 1 ? (cls[t] == 1 ? phi.get(t, 0) : -phi.get(t, 0)) : phi.get(t, cls[t]);
            assertEquals(expected, sum, 1e-8 * phiScale);
        }
    }

    @Test
    void explanationListsAreOrderedSignedAndConsistentWithValues() {
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix f = features(200, 5, 21);
        DenseMatrix targets = loss.targetsFromLabels(argmaxLabels(logits(f, 4, 22)), 4);
        LastLayerFit fit = new LastLayerFitter(FitOptions.of(0.01)).fit(f, targets, loss, null, null);
        RepresenterPoints rp = RepresenterPoints.of(f, targets, loss, 0.01, fit.theta());
        double[] x = features(1, 5, 23).row(0);
        Explanation e = rp.explain(0, x, 2, 7);
        assertEquals(7, e.excitatory().size());
        assertEquals(7, e.inhibitory().size());
        for (int k = 1; k < 7; k++) {
            assertTrue(e.excitatory().get(k - 1).value() >= e.excitatory().get(k).value());
            assertTrue(e.inhibitory().get(k - 1).value() <= e.inhibitory().get(k).value());
        }
        assertTrue(e.excitatory().get(6).value() > 0);
        assertTrue(e.inhibitory().get(6).value() < 0);
        RepresenterPoint top = e.excitatory().get(0);
        assertEquals(rp.alpha().get(top.trainIndex(), 2), top.alpha(), 0);
        assertEquals(org.exemplar.linalg.Vectors.dot(f.row(top.trainIndex()), x), top.similarity(), 1e-12);
        // brute force: no training point has a larger value than the top excitatory one
        DenseMatrix all = rp.values(new DenseMatrix(1, x.length, x), new int[] {2});
        for (double v : all.data()) {
            assertTrue(v <= top.value());
        }
        assertEquals(rp.outputs(new DenseMatrix(1, x.length, x)).get(0, 2), e.output(), 1e-8);
    }

    @Test
    void teacherLogitsAreReproducedWhenRegularizationVanishes() {
        // eq. (4): with the suitable loss and a tiny lambda, the fitted last layer reproduces the given logits
        Loss loss = new SigmoidCrossEntropy();
        DenseMatrix f = features(400, 4, 31);
        DenseMatrix teacher = logits(f, 1, 32);
        // make the teacher exactly linear in f so that it is attainable
        DenseMatrix w = DenseMatrix.fromRows(new double[][] {{0.5, -1, 0.25, 2, 0.1}});
        teacher = Blas.multiply(Transpose.NO, f, Transpose.YES, w);
        LastLayerFit fit = new LastLayerFitter(FitOptions.of(1e-7)).fit(f, loss.targetsFromLogits(teacher), loss,
                null, null);
        for (int k = 0; k < 5; k++) {
            assertEquals(w.data()[k], fit.theta().data()[k], 2e-3);
        }
    }

    @Test
    void nonConvergenceIsReportedWithItsResidual() {
        Loss loss = new ReluMatchingLoss();
        DenseMatrix f = features(100, 5, 41);
        DenseMatrix targets = loss.targetsFromLogits(logits(f, 3, 42));
        LastLayerFit fit = new LastLayerFitter(new FitOptions(0.001, 1e-12, 2, false)).fit(f, targets, loss, null,
                null);
        assertFalse(fit.converged());
        assertTrue(fit.stationarityResidual() > 1e-12);
        assertTrue(fit.message().contains("residual"), fit.message());
    }

    @Test
    void objectiveIsBitIdenticalOnOneThreadAndOnTheCommonPool() throws Exception {
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix f = features(9000, 7, 51);
        DenseMatrix t = loss.targetsFromLabels(argmaxLabels(logits(f, 4, 52)), 4);
        LastLayerObjective obj = new LastLayerObjective(f, t, loss, 0.01);
        double[] theta = logits(DenseMatrix.identity(4), 8, 53).data();
        double[] g1 = new double[theta.length];
        double v1 = obj.valueAndGradient(theta, g1);
        java.util.concurrent.ForkJoinPool single = new java.util.concurrent.ForkJoinPool(1);
        try {
            double[] g2 = new double[theta.length];
            double v2 = single.submit(() -> obj.valueAndGradient(theta, g2)).get();
            assertEquals(v1, v2, 0.0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(g1, g2, 0.0);
        } finally {
            single.shutdown();
        }
    }
}
