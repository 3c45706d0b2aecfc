package org.exemplar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeletionDiagnosticsTest {

    /** An additive "model": the score of test t is sum_i w[t][i] over the training points kept. */
    static final class Additive implements DeletionTarget {
        final double[][] w;

        Additive(double[][] w) {
            this.w = w;
        }

        @Override
        public int trainSize() {
            return w[0].length;
        }

        @Override
        public int testSize() {
            return w.length;
        }

        @Override
        public double score(int t) {
            return Arrays.stream(w[t]).sum();
        }

        @Override
        public double scoreWithout(int t, int[] removed) {
            double s = score(t);
            for (int i : removed) {
                s -= w[t][i];
            }
            return s;
        }
    }

    static double[][] weights(int nt, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] w = new double[nt][n];
        for (double[] row : w) {
            for (int i = 0; i < n; i++) {
                row[i] = r.nextGaussian();
            }
        }
        return w;
    }

    @Test
    void exactAttributionOfAnAdditiveModelGivesTheClosedFormAndRandomIsNearZero() {
        double[][] w = weights(30, 200, 1);
        Additive target = new Additive(w);
        AttributionMethod oracle = new AttributionMethod() {
            @Override
            public String name() {
                return "oracle";
            }

            @Override
            public double[] scores(int t) {
                return w[t].clone();
            }
        };
        SplittableRandom r = new SplittableRandom(9);
        double[][] noise = weights(30, 200, 2);
        AttributionMethod random = new AttributionMethod() {
            @Override
            public String name() {
                return "random";
            }

            @Override
            public double[] scores(int t) {
                return noise[t];
            }
        };
        int[] tests = new int[30];
        for (int t = 0; t < 30; t++) {
            tests[t] = t;
        }
        int[] ks = DeletionDiagnostics.percentSchedule(200);
        assertArrayEquals(new int[] {2, 4, 6, 8, 10}, ks);
        List<DeletionResult> res = DeletionDiagnostics.evaluate(target, List.of(oracle, random), tests, ks, 2, null);
        DeletionResult o = res.get(0);
        // closed form: DEL+(t, k) = -(sum of the k largest positive w[t]); averaged over t
        for (int ki = 0; ki < ks.length; ki++) {
            double expectedPlus = 0;
            double expectedMinus = 0;
            for (double[] row : w) {
                double[] sorted = row.clone();
                Arrays.sort(sorted);
                for (int j = 0; j < ks[ki]; j++) {
                    expectedPlus -= sorted[sorted.length - 1 - j] / w.length;
                    expectedMinus -= sorted[j] / w.length;
                }
            }
            assertEquals(expectedPlus, o.delPlusMean()[ki], 1e-12);
            assertEquals(expectedMinus, o.delMinusMean()[ki], 1e-12);
        }
        assertEquals(Arrays.stream(o.delPlusMean()).average().orElseThrow(), o.aucDelPlus(), 1e-12);
        assertTrue(o.aucDelPlus() < 0 && o.aucDelMinus() > 0);
        DeletionResult rnd = res.get(1);
        // unrelated scores: deletions remove N(0,1) weights at random, so the mean change is 0 +- its CI
        assertTrue(Math.abs(rnd.aucDelPlus()) < Math.abs(o.aucDelPlus()) / 3, rnd.toString());

        List<DeletionResult> sequential = DeletionDiagnostics.evaluate(target, List.of(oracle), tests, ks, 1, null);
        assertArrayEquals(o.delPlusMean(), sequential.get(0).delPlusMean(), 0.0, "thread count must not matter");
    }

    @Test
    void fewerPositivesThanKRemovesOnlyThoseAndBadScheduleIsRejected() {
        double[] s = {0.5, -1, 0, 2, -0.1};
        assertArrayEquals(new int[] {3, 0}, DeletionDiagnostics.topK(s, 10, 1.0));
        assertArrayEquals(new int[] {1, 4}, DeletionDiagnostics.topK(s, 10, -1.0));
        assertArrayEquals(new int[] {1}, DeletionDiagnostics.topK(s, 1, -1.0));
        Additive target = new Additive(weights(2, 5, 3));
        assertThrows(IllegalArgumentException.class, () -> DeletionDiagnostics.evaluate(target, List.of(),
                new int[] {0}, new int[] {3, 2}, 1, null));
    }

    @Test
    void thePlanListsEveryRemovalSetAndItsResultsAreTheDiagnostics() {
        // one method with fixed scores over 5 training points, test points 1 and 0, k = 1, 2
        double[] s = {0.5, -1, 0, 2, -0.1};
        AttributionMethod fixed = new AttributionMethod() {
            @Override
            public String name() {
                return "fixed";
            }

            @Override
            public double[] scores(int t) {
                return s;
            }
        };
        Additive target = new Additive(weights(2, 5, 9));
        DeletionPlan plan = DeletionPlan.of(target, List.of(fixed), new int[] {1, 0}, new int[] {1, 2});
        // order: method, test point, sign, k
        assertEquals(2 * 2 * 2, plan.retrainings().size());
        DeletionPlan.Retraining r = plan.retrainings().get(1); // test 1, DEL+, k = 2
        assertEquals(1, r.testIndex());
        assertEquals(0, r.sign());
        assertArrayEquals(new int[] {3, 0}, r.removed());
        assertArrayEquals(new int[] {1}, plan.retrainings().get(2).removed()); // test 1, DEL-, k = 1
        assertEquals(target.score(1), plan.baseScores()[0]);
        // the scores run anywhere and handed back give evaluate's numbers exactly
        double[] scores = new double[plan.retrainings().size()];
        for (int j = 0; j < scores.length; j++) {
            DeletionPlan.Retraining q = plan.retrainings().get(j);
            scores[j] = target.scoreWithout(q.testIndex(), q.removed());
        }
        DeletionResult got = plan.results(scores).get(0);
        DeletionResult want = DeletionDiagnostics.evaluate(target, List.of(fixed), new int[] {1, 0},
                new int[] {1, 2}, 1, null).get(0);
        assertEquals(want.aucDelPlus(), got.aucDelPlus(), 0);
        assertEquals(want.aucDelMinus(), got.aucDelMinus(), 0);
        // DEL+ at k = 2 for test 1 is minus the removed weights (the additive model's closed form)
        assertEquals(-(target.w[1][3] + target.w[1][0]), got.delPlus()[1][0], 1e-15);
        assertEquals(-(target.w[0][3] + target.w[0][0]), got.delPlus()[1][1], 1e-15);
        assertEquals(-target.w[0][1], got.delMinus()[0][1], 1e-15);
        assertThrows(IllegalArgumentException.class, () -> plan.results(new double[3]));
    }
}
