package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.junit.jupiter.api.Test;

class DatasetDebuggingTest {

    /** Two Gaussian blobs in 5 dimensions (means +-0.8 on every axis), with a ones column. */
    static DenseMatrix blobs(int n, int[] labels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, 5);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < 5; j++) {
                x.set(i, j, (labels[i] == 1 ? 0.8 : -0.8) + r.nextGaussian());
            }
        }
        return x.withOnesColumn();
    }

    @Test
    void representerOrderFindsFlippedLabelsFarFasterThanRandomAndFixingAllRestoresCleanAccuracy() {
        int[] y = new int[400];
        int[] yt = new int[400];
        DenseMatrix x = blobs(400, y, 1);
        DenseMatrix xt = blobs(400, yt, 2);
        double[] fractions = {0, 0.2, 0.4, 0.6, 1.0};
        DatasetDebugging.Result res = DatasetDebugging.run(x, y, xt, yt,
                List.of(InspectionRanking.REPRESENTER, InspectionRanking.LOSS, InspectionRanking.RANDOM),
                new DatasetDebugging.Settings(0.4, 0.01, fractions, 2, 7, 1e-9));
        DebuggingCurve rep = res.curves().get(0);
        DebuggingCurve loss = res.curves().get(1);
        DebuggingCurve rnd = res.curves().get(2);
        assertEquals(0.0, rep.foundMean()[0]);
        assertEquals(1.0, rep.foundMean()[4]);
        assertEquals(1.0, rnd.foundMean()[4]);
        // random inspection finds flipped labels in proportion to the fraction inspected (+- sampling noise)
        assertEquals(0.4, rnd.foundMean()[2], 0.1);
        // flipped labels sit on the wrong side of a well-separated boundary: |alpha| finds most of them early
        assertTrue(rep.foundMean()[2] > rnd.foundMean()[2] + 0.3, "representer " + java.util.Arrays.toString(rep.foundMean()) + " random " + java.util.Arrays.toString(rnd.foundMean()));
        // |alpha_i| is a monotone function of the logistic loss: identical orders, identical curves
        assertArrayEquals(rep.foundMean(), loss.foundMean());
        assertArrayEquals(rep.accuracyMean(), loss.accuracyMean());
        // with every label fixed the retrained model is the clean model: the same test accuracy, and the same
        // weights up to the fits' stationarity tolerance (strongly convex objective, 1e-9 relative residual)
        for (DebuggingCurve c : res.curves()) {
            assertEquals(res.cleanAccuracy(), c.accuracyMean()[4], 1e-12);
        }
        for (DatasetDebugging.Runs r : res.runs()) {
            for (double cos : r.cosineToClean()[4]) {
                assertEquals(1.0, cos, 1e-8);
            }
        }
        // nothing inspected: the corrupted model, whose accuracy is reported per repeat
        for (int rep2 = 0; rep2 < 2; rep2++) {
            assertEquals(res.corruptedAccuracyRuns()[rep2], res.runs().get(0).accuracy()[0][rep2]);
        }
    }

    /** An order fixed in advance (0, 1, 2, ...) that records the noisy labels it was shown, repeat by repeat. */
    static final class IdentityOrder implements InspectionRanking {
        final List<int[]> seenLabels = new ArrayList<>();
        final List<double[]> seenScores = new ArrayList<>();

        @Override
        public String name() {
            return "identity";
        }

        @Override
        public int[] order(Context ctx) {
            seenLabels.add(ctx.labels().clone());
            seenScores.add(ctx.points().outputs(ctx.features()).data().clone());
            int[] o = new int[ctx.features().rows()];
            for (int i = 0; i < o.length; i++) {
                o[i] = i;
            }
            return o;
        }
    }

    /** The bookkeeping of every curve against a hand count on a tiny problem with a known inspection order. */
    @Test
    void curvesEqualAHandCountForAKnownOrder() {
        int n = 40;
        int[] y = new int[n];
        int[] yt = new int[60];
        DenseMatrix x = blobs(n, y, 11);
        DenseMatrix xt = blobs(60, yt, 12);
        double[] fractions = {0, 0.1, 0.25, 0.5, 1.0};
        IdentityOrder order = new IdentityOrder();
        DatasetDebugging.Result res = DatasetDebugging.run(x, y, xt, yt, List.of(order),
                new DatasetDebugging.Settings(0.25, 0.02, fractions, 3, 5, 1e-10));
        DatasetDebugging.Runs runs = res.runs("identity");
        assertEquals(3, order.seenLabels.size());
        for (int rep = 0; rep < 3; rep++) {
            int[] noisy = order.seenLabels.get(rep);
            double[] z = order.seenScores.get(rep);
            int flips = 0;
            for (int i = 0; i < n; i++) {
                flips += noisy[i] != y[i] ? 1 : 0;
            }
            assertEquals(10, flips, "round(0.25 * 40) labels flipped");
            for (int f = 0; f < fractions.length; f++) {
                int inspected = (int) Math.round(fractions[f] * n);
                int hits = 0;
                int positives = 0;
                int predicted = 0;
                for (int i = 0; i < inspected; i++) {
                    if (noisy[i] != y[i]) {
                        hits++;
                        positives += y[i];
                        predicted += (z[i] > 0 ? 1 : 0) == y[i] ? 1 : 0;
                    }
                }
                assertEquals(hits / 10.0, runs.found()[f][rep], 0.0, "found, fraction " + fractions[f]);
                if (hits == 0) {
                    assertTrue(Double.isNaN(runs.fixedPositiveShare()[f][rep]));
                } else {
                    assertEquals(positives / (double) hits, runs.fixedPositiveShare()[f][rep], 0.0);
                    assertEquals(predicted / (double) hits, runs.fixedAlreadyPredicted()[f][rep], 0.0);
                }
            }
        }
        // the curve's mean and sample standard deviation are those of the runs
        DebuggingCurve c = res.curves().get(0);
        for (int f = 0; f < fractions.length; f++) {
            double[] v = runs.accuracy()[f];
            double m = (v[0] + v[1] + v[2]) / 3;
            double sd = Math.sqrt(((v[0] - m) * (v[0] - m) + (v[1] - m) * (v[1] - m) + (v[2] - m) * (v[2] - m)) / 2);
            assertEquals(m, c.accuracyMean()[f], 1e-15);
            assertEquals(sd, c.accuracyStd()[f], 1e-15);
        }
        assertEquals(1.0, runs.found()[4][0]);
        assertEquals(1.0, runs.cleanAlphaFound()[4][0], 1e-12);
    }

    @Test
    void pairedDifferenceIsTheRepeatByRepeatDifference() {
        int[] y = new int[60];
        int[] yt = new int[60];
        DenseMatrix x = blobs(60, y, 21);
        DenseMatrix xt = blobs(60, yt, 22);
        DatasetDebugging.Result res = DatasetDebugging.run(x, y, xt, yt,
                List.of(InspectionRanking.REPRESENTER, InspectionRanking.RANDOM),
                new DatasetDebugging.Settings(0.4, 0.01, new double[] {0, 0.3, 0.6}, 4, 3, 1e-9));
        DatasetDebugging.PairedDifference d = DatasetDebugging.accuracyDifference(res,
                InspectionRanking.REPRESENTER.name(), InspectionRanking.RANDOM.name());
        double[][] a = res.runs(InspectionRanking.REPRESENTER.name()).accuracy();
        double[][] b = res.runs(InspectionRanking.RANDOM.name()).accuracy();
        for (int f = 0; f < 3; f++) {
            double[] diff = new double[4];
            int higher = 0;
            double m = 0;
            for (int k = 0; k < 4; k++) {
                diff[k] = a[f][k] - b[f][k];
                higher += diff[k] > 0 ? 1 : 0;
                m += diff[k] / 4;
            }
            double ss = 0;
            for (double v : diff) {
                ss += (v - m) * (v - m);
            }
            assertEquals(m, d.mean()[f], 1e-15);
            assertEquals(Math.sqrt(ss / 3), d.std()[f], 1e-15);
            assertEquals(higher, d.firstHigher()[f]);
        }
        assertEquals(0.0, d.mean()[0]);
    }

    @Test
    void aucCountsPairsWithTiesAsHalf() {
        double[] score = {0.1, 0.4, 0.35, 0.8, 0.4, -1};
        int[] label = {0, 1, 0, 1, 0, 1};
        // brute force over the 3 x 3 (positive, negative) pairs
        double wins = 0;
        for (int i = 0; i < score.length; i++) {
            for (int j = 0; j < score.length; j++) {
                if (label[i] == 1 && label[j] == 0) {
                    wins += score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / 9, DatasetDebugging.auc(score, label), 1e-15);
        assertEquals(5.5 / 9, DatasetDebugging.auc(score, label), 1e-15);
        assertTrue(Double.isNaN(DatasetDebugging.auc(new double[] {1, 2}, new int[] {1, 1})));
    }

    /** Absorbed and resisted flips partition the flipped labels, as a separate fit of the noisy labels says. */
    @Test
    void fixSubsetsSplitsTheFlippedLabelsByWhatTheNoisyFitPredicts() {
        int n = 80;
        int[] y = new int[n];
        int[] yt = new int[100];
        DenseMatrix x = blobs(n, y, 31);
        DenseMatrix xt = blobs(100, yt, 32);
        DatasetDebugging.Settings s = new DatasetDebugging.Settings(0.4, 0.01, new double[] {0, 0.05, 0.5}, 2, 9,
                1e-10);
        DatasetDebugging.SubsetFixes sub = DatasetDebugging.fixSubsets(x, y, xt, yt, s);
        // the same flipped sets as run(): recover them through a recording order
        IdentityOrder order = new IdentityOrder();
        DatasetDebugging.Result res = DatasetDebugging.run(x, y, xt, yt, List.of(order), s);
        Loss loss = new SigmoidCrossEntropy();
        for (int rep = 0; rep < 2; rep++) {
            int[] noisy = order.seenLabels.get(rep);
            LastLayerFit f = new LastLayerFitter(new FitOptions(0.01, 1e-10, 5000, true)).fit(x,
                    loss.targetsFromLabels(noisy, 1), loss, null, null);
            int absorbed = 0;
            int resisted = 0;
            for (int i = 0; i < n; i++) {
                if (noisy[i] != y[i]) {
                    double z = 0;
                    for (int j = 0; j < x.cols(); j++) {
                        z += x.get(i, j) * f.theta().data()[j];
                    }
                    if ((z > 0 ? 1 : 0) == noisy[i]) {
                        absorbed++;
                    } else {
                        resisted++;
                    }
                }
            }
            assertEquals(absorbed, sub.absorbedCount()[rep]);
            assertEquals(resisted, sub.resistedCount()[rep]);
            assertEquals(32, absorbed + resisted);
            // nothing fixed: the corrupted accuracy of the same repeat
            assertEquals(res.corruptedAccuracyRuns()[rep], sub.absorbedAccuracy()[0][rep]);
            assertEquals(res.corruptedAccuracyRuns()[rep], sub.anyAccuracy()[0][rep]);
            // 40 labels cannot be drawn from 32 flipped ones
            assertTrue(Double.isNaN(sub.anyAccuracy()[2][rep]));
        }
    }

    /** For a two-output softmax fitted on labels, alpha_{i, y_i} = (1 - p_{y_i}) / (2 lambda n) >= 0: loss order again. */
    @Test
    void labelledClassAlphaOfASoftmaxFitOrdersLikeTheLoss() {
        int n = 100;
        int[] y = new int[n];
        DenseMatrix x = blobs(n, y, 41);
        for (int i = 0; i < n; i += 3) {
            y[i] = 1 - y[i];
        }
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix t = loss.targetsFromLabels(y, 2);
        LastLayerFit f = new LastLayerFitter(new FitOptions(0.01, 1e-10, 5000, true)).fit(x, t, loss, null, null);
        RepresenterPoints rp = RepresenterPoints.of(x, t, loss, 0.01, f.theta());
        InspectionRanking.Context ctx = new InspectionRanking.Context(x, t, y, loss, rp, new SplittableRandom(1));
        for (int i = 0; i < n; i++) {
            assertTrue(rp.alpha().get(i, y[i]) >= 0, "alpha of the labelled class is (1 - p) / (2 lambda n) >= 0");
            assertEquals(-rp.alpha().get(i, y[i]), rp.alpha().get(i, 1 - y[i]), 1e-15);
        }
        assertArrayEquals(InspectionRanking.LOSS.order(ctx), InspectionRanking.REPRESENTER.order(ctx));
    }

    @Test
    void settingsAndInputsAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> new DatasetDebugging.Settings(0.4, 0.01, new double[] {0, 0.2, 0.1}, 1, 1, 1e-8));
        assertThrows(IllegalArgumentException.class,
                () -> new DatasetDebugging.Settings(0.4, 0, new double[] {0, 0.2}, 1, 1, 1e-8));
        assertThrows(IllegalArgumentException.class,
                () -> new DatasetDebugging.Settings(1.0, 0.01, new double[] {0, 0.2}, 1, 1, 1e-8));
        int[] y = new int[20];
        DenseMatrix x = blobs(20, y, 1);
        y[3] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetDebugging.run(x, y, x, y,
                List.of(InspectionRanking.RANDOM), new DatasetDebugging.Settings(0.4, 0.01, new double[] {0}, 1, 1, 1e-8)));
        assertTrue(e.getMessage().contains("0/1"), e.getMessage());
    }

    @Test
    void nanStatisticsAndPairedCountsByHand() {
        double nan = Double.NaN;
        org.junit.jupiter.api.Assertions.assertEquals(2.0, DatasetDebugging.nanMean(new double[] {1, nan, 3}), 0.0);
        // sample sd of (1, 3): sqrt(((1-2)^2 + (3-2)^2) / 1)
        org.junit.jupiter.api.Assertions.assertEquals(Math.sqrt(2), DatasetDebugging.nanStd(new double[] {1, nan, 3}),
                1e-15);
        org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(DatasetDebugging.nanMean(new double[] {nan})));
        org.junit.jupiter.api.Assertions.assertEquals(0.0, DatasetDebugging.nanStd(new double[] {5}), 0.0);
        var d = new DatasetDebugging.PairedDifference("a", "b", new double[] {0, 0.05, 0.1, 0.4, 0.5},
                new double[] {1, 0.2, -0.1, 0.3, 0.9}, new double[5], new int[5]);
        // fractions in (0, 0.4]: 0.05, 0.1, 0.4 -> 3, of which 0.05 and 0.4 are positive
        org.junit.jupiter.api.Assertions.assertEquals(3, d.fractionsUpTo(0.4));
        org.junit.jupiter.api.Assertions.assertEquals(2, d.positiveUpTo(0.4));
    }
}
