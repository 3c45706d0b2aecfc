package org.exemplar.influence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.InspectionRanking;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;
import org.junit.jupiter.api.Test;

/**
 * The "influence" order of the dataset-debugging experiment (Yeh et al. 2018, Fig. 2): self-influence of the eq. (3)
 * logistic fit, checked against an explicit formula and against brute-force leave-one-out retraining.
 */
class SelfInfluenceInspectionTest {
    static final double LAMBDA = 0.05;

    /** A tiny overlapping binary problem: 3 Gaussian features (means +-0.5) plus a ones column, a few labels flipped. */
    static DenseMatrix features(int n, int[] labels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, 4);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < 3; j++) {
                x.set(i, j, (labels[i] == 1 ? 0.5 : -0.5) + r.nextGaussian());
            }
            x.set(i, 3, 1.0);
            if (i % 7 == 3) {
                labels[i] = 1 - labels[i];
            }
        }
        return x;
    }

    static LastLayerFit fit(DenseMatrix x, int[] y, double lambda, Loss loss) {
        LastLayerFit f = new LastLayerFitter(new FitOptions(lambda, 1e-12, 5000, true)).fit(x,
                loss.targetsFromLabels(y, 1), loss, null, null);
        assertTrue(f.converged(), "fit residual " + f.stationarityResidual());
        return f;
    }

    static InspectionRanking.Context context(DenseMatrix x, int[] y, LastLayerFit f, Loss loss) {
        DenseMatrix t = loss.targetsFromLabels(y, 1);
        return new InspectionRanking.Context(x, t, y, loss, RepresenterPoints.of(x, t, loss, LAMBDA, f.theta()),
                new SplittableRandom(1));
    }

    @Test
    void equalsTheExplicitFormulaWithAHandBuiltHessian() {
        int n = 30;
        int[] y = new int[n];
        DenseMatrix x = features(n, y, 3);
        Loss loss = new SigmoidCrossEntropy();
        LastLayerFit f = fit(x, y, LAMBDA, loss);
        double[] got = SelfInfluenceInspection.values(context(x, y, f, loss));
        // H = (1/n) sum s_i (1 - s_i) f_i f_i^T + 2 lambda I (eq. 3's penalty lambda ||Theta||^2 has Hessian 2 lambda I),
        // g_i = (s_i - y_i) f_i, I(i, i) = (1/n) g_i^T H^{-1} g_i; solved by Gaussian elimination written here
        int p = 4;
        double[] w = f.theta().data();
        double[][] h = new double[p][p];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < p; j++) {
                z += w[j] * x.get(i, j);
            }
            s[i] = 1 / (1 + Math.exp(-z));
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    h[a][b] += s[i] * (1 - s[i]) * x.get(i, a) * x.get(i, b) / n;
                }
            }
        }
        for (int a = 0; a < p; a++) {
            h[a][a] += 2 * LAMBDA;
        }
        for (int i = 0; i < n; i++) {
            double[] g = new double[p];
            for (int j = 0; j < p; j++) {
                g[j] = (s[i] - y[i]) * x.get(i, j);
            }
            double[] v = gaussSolve(h, g);
            double want = 0;
            for (int j = 0; j < p; j++) {
                want += g[j] * v[j] / n;
            }
            // same formula, different arithmetic (HVP-built matrix + LAPACK vs. this loop): rounding only
            assertEquals(want, got[i], 1e-10 * Math.abs(want) + 1e-15, "point " + i);
        }
        assertArrayEquals(InspectionRanking.descending(got), new SelfInfluenceInspection().order(context(x, y, f, loss)));
    }

    /**
     * Self-influence predicts how much a point's own loss rises when it is left out. Brute force: refit without
     * point i on the same objective, (1/n) sum_{j != i} L_j + lambda ||Theta||^2 (so lambda n / (n - 1) on n - 1
     * points), and measure L_i(Theta_{-i}) - L_i(Theta).
     */
    @Test
    void ordersLikeBruteForceLeaveOneOutRetraining() {
        int n = 80;
        int[] y = new int[n];
        DenseMatrix x = features(n, y, 5);
        Loss loss = new SigmoidCrossEntropy();
        LastLayerFit f = fit(x, y, LAMBDA, loss);
        double[] predicted = SelfInfluenceInspection.values(context(x, y, f, loss));
        double[] actual = new double[n];
        for (int i = 0; i < n; i++) {
            int[] keep = new int[n - 1];
            for (int k = 0, q = 0; k < n; k++) {
                if (k != i) {
                    keep[q++] = k;
                }
            }
            int[] yk = new int[n - 1];
            for (int q = 0; q < keep.length; q++) {
                yk[q] = y[keep[q]];
            }
            LastLayerFit loo = fit(x.selectRows(keep), yk, LAMBDA * n / (n - 1.0), loss);
            actual[i] = pointLoss(x, y, i, loo.theta().data(), loss) - pointLoss(x, y, i, f.theta().data(), loss);
        }
        // the same order at the top: the five most self-influential points are the five whose removal raises their
        // own loss most
        int[] po = InspectionRanking.descending(predicted);
        int[] ao = InspectionRanking.descending(actual);
        assertEquals(java.util.Set.of(po[0], po[1], po[2], po[3], po[4]),
                java.util.Set.of(ao[0], ao[1], ao[2], ao[3], ao[4]));
        // measured: Spearman 0.9990 and a worst relative deviation of 15.7 % (the first-order estimate misses the
        // leverage factor 1 / (1 - h_ii) of the most influential points); bounds leave room for platform rounding of
        // the fits but fail for a wrong Hessian scale or a missing residual factor
        double rho = spearman(predicted, actual);
        assertTrue(rho > 0.995, "Spearman " + rho);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(predicted[i] - actual[i]) / Math.abs(actual[i]));
        }
        assertTrue(worst < 0.25, "worst relative deviation " + worst);
    }

    @Test
    void refusesFeaturesWithoutAOnesColumn() {
        int n = 10;
        int[] y = new int[n];
        DenseMatrix x = features(n, y, 7);
        Loss loss = new SigmoidCrossEntropy();
        LastLayerFit f = fit(x, y, LAMBDA, loss);
        x.set(4, 3, 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SelfInfluenceInspection.values(context(x, y, f, loss)));
        assertTrue(e.getMessage().contains("ones column"), e.getMessage());
    }

    private static double pointLoss(DenseMatrix x, int[] y, int i, double[] w, Loss loss) {
        double z = 0;
        for (int j = 0; j < w.length; j++) {
            z += w[j] * x.get(i, j);
        }
        return loss.value(new double[] {z}, 0, new double[] {y[i]}, 0, 1);
    }

    private static double[] gaussSolve(double[][] a0, double[] b0) {
        int p = b0.length;
        double[][] a = new double[p][];
        for (int i = 0; i < p; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int c = 0; c < p; c++) {
            for (int r = c + 1; r < p; r++) {
                double m = a[r][c] / a[c][c];
                for (int k = c; k < p; k++) {
                    a[r][k] -= m * a[c][k];
                }
                b[r] -= m * b[c];
            }
        }
        double[] v = new double[p];
        for (int r = p - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < p; k++) {
                s -= a[r][k] * v[k];
            }
            v[r] = s / a[r][r];
        }
        return v;
    }

    private static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += ra[i] / a.length;
            mb += rb[i] / a.length;
        }
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    private static double[] ranks(double[] v) {
        int[] o = InspectionRanking.descending(v);
        double[] r = new double[v.length];
        for (int k = 0; k < o.length; k++) {
            r[o[k]] = k;
        }
        return r;
    }
}
