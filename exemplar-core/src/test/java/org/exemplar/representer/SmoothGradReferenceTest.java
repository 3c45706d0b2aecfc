package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;

/**
 * SmoothGrad maps against an independent reference (issue 15): each training point's map is the input gradient of
 * its term alpha_ij f_i^T [h(x); 1] of the representer logit, here by central differences of the network's
 * features (no vector-Jacobian product), averaged over the noisy inputs x + sigma z_s with z_s the seeded
 * standard-normal draws the method documents (SplittableRandom(seed), d draws per sample, in order).
 */
class SmoothGradReferenceTest {

    @Test
    void smoothMapsAverageFiniteDifferenceMapsAtTheNoisyInputs() {
        Mlp net = Mlp.initialize(new int[] {4, 6, 3, 2}, new Activation[] {Activation.TANH, Activation.TANH}, 2);
        SplittableRandom r = new SplittableRandom(4);
        DenseMatrix x = new DenseMatrix(40, 4);
        for (int k = 0; k < x.data().length; k++) {
            x.data()[k] = r.nextGaussian();
        }
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix f = net.features(x).withOnesColumn();
        DenseMatrix t = loss.targetsFromLogits(net.logits(x));
        RepresenterPoints rp = RepresenterPoints.of(f, t, loss, 0.01,
                new LastLayerFitter(FitOptions.of(0.01)).fit(f, t, loss, null, null).theta());
        SensitivityMaps maps = new SensitivityMaps(net, rp, true);
        double[] xt = {0.1, 0.2, -0.3, 0.4};
        int cls = 1;
        int[] idx = {0, 5, 9};
        int samples = 4;
        double sigma = 0.5;
        DenseMatrix smooth = maps.smoothMaps(xt, cls, idx, samples, sigma, 42);

        SplittableRandom noise = new SplittableRandom(42);
        double[][] noisy = new double[samples][xt.length];
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < xt.length; j++) {
                noisy[s][j] = xt[j] + sigma * noise.nextGaussian();
            }
        }
        DenseMatrix plain = maps.maps(xt, cls, idx);
        double plainGap = 0;
        for (int k = 0; k < idx.length; k++) {
            int i = idx[k];
            double a = rp.alpha().get(i, cls);
            double[] ref = new double[xt.length];
            for (int s = 0; s < samples; s++) {
                double[] g = fdGradient(net, rp.trainFeatures().row(i), a, noisy[s]);
                for (int j = 0; j < xt.length; j++) {
                    ref[j] += g[j] / samples;
                }
            }
            for (int j = 0; j < xt.length; j++) {
                // central differences with h = 1e-6 on O(1) tanh features: error ~1e-10, tolerance 1e-7
                assertEquals(ref[j], smooth.get(k, j), 1e-7, "training point " + i + ", input " + j);
                plainGap = Math.max(plainGap, Math.abs(plain.get(k, j) - smooth.get(k, j)));
            }
        }
        // the noise level matters: sigma 0.5 moves the maps far beyond the tolerance above
        assertTrue(plainGap > 1e-3, "smooth maps equal the plain maps: " + plainGap);
    }

    /** d/dx of a * sum_u f_u h_u(x) (the bias feature has no x-dependence) by central differences. */
    static double[] fdGradient(Mlp net, double[] fi, double a, double[] x0) {
        double h = 1e-6;
        double[] g = new double[x0.length];
        for (int j = 0; j < x0.length; j++) {
            double[] xp = x0.clone();
            double[] xm = x0.clone();
            xp[j] += h;
            xm[j] -= h;
            double[] hp = net.features(new DenseMatrix(1, x0.length, xp)).row(0);
            double[] hm = net.features(new DenseMatrix(1, x0.length, xm)).row(0);
            double d = 0;
            for (int u = 0; u < hp.length; u++) {
                d += fi[u] * (hp[u] - hm[u]);
            }
            g[j] = a * d / (2 * h);
        }
        return g;
    }
}
