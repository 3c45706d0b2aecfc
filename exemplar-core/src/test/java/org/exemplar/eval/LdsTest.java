package org.exemplar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.exemplar.attribution.Examples;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdsTest {
    private static final double ETA = 0.1;

    /**
     * A linear model trained by one gradient step from zero on the summed squared loss of its subset:
     * theta_S = eta sum_{i in S} y_i x_i, so f_S(t) = sum_{i in S} eta y_i x_i . x_t is exactly additive.
     */
    static final class OneStepRegression implements SubsetTrainer {
        final AtomicInteger fits = new AtomicInteger();

        @Override
        public Map<String, Object> settings() {
            return Map.of("model", "one-step least squares", "eta", ETA);
        }

        @Override
        public Outputs fit(Examples train, Examples test, long seed) {
            fits.incrementAndGet();
            int d = train.features().cols();
            double[] theta = new double[d];
            double[] y = train.targetVector();
            for (int i = 0; i < train.size(); i++) {
                for (int j = 0; j < d; j++) {
                    theta[j] += ETA * y[i] * train.features().get(i, j);
                }
            }
            double[] f = new double[test.size()];
            int[] cls = new int[test.size()];
            for (int t = 0; t < f.length; t++) {
                for (int j = 0; j < d; j++) {
                    f[t] += theta[j] * test.features().get(t, j);
                }
                cls[t] = f[t] >= 0 ? 1 : 0;
            }
            return new Outputs(f, cls);
        }
    }

    private static Examples regression(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, d);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x.set(i, j, r.nextDouble() * 2 - 1);
            }
            y[i] = r.nextDouble() * 2 - 1;
        }
        return Examples.regression(x, y);
    }

    /** The exact additive contributions eta y_i x_i . x_t. */
    private static DenseMatrix trueScores(Examples train, Examples test) {
        DenseMatrix s = new DenseMatrix(test.size(), train.size());
        double[] y = train.targetVector();
        for (int t = 0; t < test.size(); t++) {
            for (int i = 0; i < train.size(); i++) {
                double dot = 0;
                for (int j = 0; j < train.features().cols(); j++) {
                    dot += train.features().get(i, j) * test.features().get(t, j);
                }
                s.set(t, i, ETA * y[i] * dot);
            }
        }
        return s;
    }

    @Test
    void aPerfectLinearDatamodelScoresOne() {
        Examples train = regression(60, 5, 1);
        Examples test = regression(8, 5, 2);
        Lds.Options o = Lds.Options.defaults().withSubsets(40).withBootstrap(200).withThreads(2);
        Lds.SubsetOutputs actual = Lds.subsetOutputs(train, test, new OneStepRegression(), o);
        DenseMatrix tau = trueScores(train, test);
        // predicted = actual up to summation order (1e-15), so every rank agrees
        DenseMatrix g = Lds.predicted(tau, actual.subsets());
        for (int k = 0; k < g.data().length; k++) {
            assertEquals(actual.outputs().data()[k], g.data()[k], 1e-12);
        }
        Lds.Result r = Lds.score(tau, actual, o.alpha(), o.bootstrap(), 0);
        assertEquals(1.0, r.lds(), 1e-12);
        assertEquals(1.0, r.ciLow(), 1e-12);
        assertEquals(1.0, r.ciHigh(), 1e-12);
        assertEquals(0, r.undefined());
        // negated scores: every test point's ranking is reversed
        DenseMatrix neg = tau.copy().scaleInPlace(-1);
        assertEquals(-1.0, Lds.score(neg, actual, o.alpha(), 0, 0).lds(), 1e-12);
        // noise lowers the score below 1 but keeps it positive
        SplittableRandom r2 = new SplittableRandom(3);
        DenseMatrix noisy = tau.copy();
        for (int k = 0; k < noisy.data().length; k++) {
            noisy.data()[k] += 0.02 * (r2.nextDouble() - 0.5);
        }
        double lds = Lds.score(noisy, actual, o.alpha(), 0, 0).lds();
        assertTrue(lds > 0.3 && lds < 0.999, "noisy LDS " + lds);
    }

    @Test
    void spearmanPerTestPointAgainstHandValues() {
        // 4 training points with scores 1, 2, 3, 4 and singleton subsets: predicted = (1, 2, 3, 4)
        DenseMatrix scores = DenseMatrix.fromRows(new double[][] {{1, 2, 3, 4}, {1, 2, 3, 4}});
        int[][] subsets = {{0}, {1}, {2}, {3}};
        // test 0 actual (1, 3, 2, 4): rho = 1 - 6 * 2 / (4 * 15) = 0.8; test 1 actual (4, 3, 2, 1): rho = -1
        DenseMatrix actual = new DenseMatrix(4, 2, new double[] {1, 4, 3, 3, 2, 2, 4, 1});
        Lds.Result r = Lds.score(scores, new Lds.SubsetOutputs(subsets, actual, 0, 0, 0), 0.25, 0, 0);
        assertArrayEquals(new double[] {0.8, -1.0}, r.perTest(), 1e-15);
        assertEquals(-0.1, r.lds(), 1e-15);
        // a constant actual output has no rank correlation: left out and counted
        DenseMatrix constant = new DenseMatrix(4, 2, new double[] {1, 5, 3, 5, 2, 5, 4, 5});
        Lds.Result c = Lds.score(scores, new Lds.SubsetOutputs(subsets, constant, 0, 0, 0), 0.25, 0, 0);
        assertEquals(1, c.undefined());
        assertEquals(0.8, c.lds(), 1e-15);
        // predicted sums by hand: subsets {0, 2} and {1, 2, 3} of scores (1, 2, 3, 4) -> 4 and 9
        DenseMatrix g = Lds.predicted(scores.rowRange(0, 1), new int[][] {{0, 2}, {1, 2, 3}});
        assertArrayEquals(new double[] {4, 9}, g.data(), 0.0);
    }

    @Test
    void bootstrapAgainstHandValues() {
        assertEquals(1.75, Lds.quantile(new double[] {1, 2, 3, 4}, 0.25), 1e-15);
        assertEquals(4.0, Lds.quantile(new double[] {1, 2, 3, 4}, 1.0), 0.0);
        double[] ci = Lds.bootstrapInterval(new double[] {0.3, 0.3, 0.3}, 100, 1, 0.95);
        assertArrayEquals(new double[] {0.3, 0.3}, ci, 1e-15);
        // two values 0 and 1: resampled means are 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4, so the 2.5 % and 97.5 %
        // quantiles of 20,000 resamples are 0 and 1 (each end holds ~25 % of the mass)
        assertArrayEquals(new double[] {0, 1}, Lds.bootstrapInterval(new double[] {0, 1}, 20000, 7, 0.95), 0.0);
        // 50 % interval: the 25 % and 75 % quantiles fall inside the middle mass 1/2 (up to sampling at the edges)
        double[] mid = Lds.bootstrapInterval(new double[] {0, 1}, 20000, 7, 0.5);
        assertTrue(mid[0] >= 0 && mid[0] <= 0.5 && mid[1] >= 0.5 && mid[1] <= 1, java.util.Arrays.toString(mid));
        assertArrayEquals(Lds.bootstrapInterval(new double[] {0.1, 0.5, 0.9}, 500, 3, 0.95),
                Lds.bootstrapInterval(new double[] {0.1, 0.5, 0.9}, 500, 3, 0.95), 0.0, "seeded");
    }

    @Test
    void subsetsHaveTheRightSizeAndAreSeeded() {
        int[][] s = Lds.subsets(101, 5, 0.5, 9);
        for (int[] sub : s) {
            assertEquals(51, sub.length, "round(0.5 * 101)");
            for (int k = 1; k < sub.length; k++) {
                assertTrue(sub[k] > sub[k - 1], "sorted and distinct");
            }
        }
        assertArrayEquals(s[2], Lds.subsets(101, 5, 0.5, 9)[2]);
        assertNotEquals(java.util.Arrays.toString(s[0]), java.util.Arrays.toString(s[1]));
        assertNotEquals(java.util.Arrays.toString(s[0]), java.util.Arrays.toString(Lds.subsets(101, 5, 0.5, 10)[0]));
        // every point is drawn about alpha of the time over many subsets
        int[] count = new int[101];
        for (int[] sub : Lds.subsets(101, 2000, 0.3, 1)) {
            for (int i : sub) {
                count[i]++;
            }
        }
        for (int c : count) {
            assertEquals(0.3, c / 2000.0, 0.06); // 6 sd of a binomial(2000, 0.3) proportion (0.0102 each)
        }
        assertThrows(IllegalArgumentException.class, () -> Lds.subsets(3, 2, 0.01, 0));
        assertThrows(IllegalArgumentException.class, () -> Lds.Options.defaults().withAlpha(1.0));
        assertThrows(IllegalArgumentException.class, () -> Lds.Options.defaults().withSubsets(1));
    }

    @Test
    void secondRunReusesTheCachedSubsetModels(@TempDir Path cache) {
        Examples train = regression(30, 3, 4);
        Examples test = regression(5, 3, 5);
        OneStepRegression trainer = new OneStepRegression();
        Lds.Options o = Lds.Options.defaults().withSubsets(12).withThreads(2).withCache(cache);
        Lds.SubsetOutputs first = Lds.subsetOutputs(train, test, trainer, o);
        assertEquals(12, first.trained());
        assertEquals(12, trainer.fits.get());
        Lds.SubsetOutputs second = Lds.subsetOutputs(train, test, trainer, o);
        assertEquals(0, second.trained());
        assertEquals(12, second.reused());
        assertEquals(12, trainer.fits.get(), "no model trained again");
        assertArrayEquals(first.outputs().data(), second.outputs().data(), 0.0);
        // another alpha or other data is another key
        Lds.subsetOutputs(train, test, trainer, o.withAlpha(0.3));
        assertEquals(24, trainer.fits.get());
        Lds.subsetOutputs(regression(30, 3, 6), test, trainer, o);
        assertEquals(36, trainer.fits.get());
    }

    @Test
    void topKRemovalOfAnAdditiveModelDropsByTheRemovedScores() {
        Examples train = regression(40, 4, 7);
        Examples test = regression(3, 4, 8);
        DenseMatrix tau = trueScores(train, test);
        TopKRemoval.Result r = TopKRemoval.run(tau, train, test, new OneStepRegression(), new int[] {1, 5}, 0, 2);
        for (int a = 0; a < 2; a++) {
            int k = r.ks()[a];
            double expected = 0;
            for (int t = 0; t < 3; t++) {
                double[] row = tau.row(t);
                java.util.Arrays.sort(row);
                for (int j = 0; j < k; j++) {
                    expected += row[row.length - 1 - j] / 3;
                }
            }
            assertEquals(expected, r.meanDrop()[a], 1e-12, "k = " + k);
            assertTrue(r.meanDrop()[a] > r.randomMeanDrop()[a], "top-k beats random at k = " + k);
        }
    }
}
