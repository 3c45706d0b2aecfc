package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NegativeSamplingTest {

    static Ratings positives(int nu, int ni, long seed) {
        // implicit data: a user likes item j when a planted low-rank score is high
        Ratings full = CfTestData.lowRank(nu, ni, 2, 1.0, seed);
        int[] idx = java.util.stream.IntStream.range(0, full.size()).filter(t -> full.value(t) >= 4).toArray();
        Ratings p = full.subset(idx);
        return new Ratings(nu, ni, p.users(), p.items(), new double[p.size()]);
    }

    @Test
    void sampledNegativesAreUnobservedAndDistinct() {
        Ratings p = positives(20, 15, 1);
        Ratings d = NegativeSampling.withNegatives(p, 2, 3);
        long free = 20L * 15 - p.size();
        assertEquals(p.size() + Math.min(free, 2L * p.size()), d.size());
        Ratings sparse = NegativeSampling.withNegatives(p, 1, 3);
        assertEquals(2 * p.size(), sparse.size());
        Set<Long> seen = new HashSet<>();
        for (int t = 0; t < d.size(); t++) {
            assertTrue(seen.add((long) d.user(t) * 100 + d.item(t)));
            assertEquals(t < p.size() ? 1.0 : 0.0, d.value(t));
        }
    }

    @Test
    void aggregatedImportanceIsTheSumOfDefinitionOneOverPositives() {
        Ratings d = NegativeSampling.withNegatives(positives(15, 12, 2), 1, 4);
        MfOptions o = new MfOptions(CfLoss.LOGISTIC, 3, 0.5, 20, 0.5, 16, 0.1, 0.05, 5);
        Factorization f = MfTrainer.train(d, o, MfTrainer.Algorithm.SGD).factors();
        CfRepresenter rep = CfRepresenter.forFactorization(d, f, o.loss(), CfRepresenter.weights(d, o));
        double[] agg = NegativeSampling.aggregatedImportance(d, rep);
        double[] brute = new double[d.size()];
        for (int p = 0; p < d.size(); p++) {
            if (d.value(p) == 1) {
                double[] s = rep.scores(d.user(p), d.item(p));
                for (int t = 0; t < d.size(); t++) {
                    brute[t] += s[t];
                }
            }
        }
        for (int t = 0; t < d.size(); t++) {
            if (d.value(t) == 0) {
                assertEquals(brute[t], agg[t], 1e-12 * (1 + Math.abs(brute[t])));
                // a weighted BCE negative has l' = 0.05 sigma(s) > 0, so alpha < 0
                assertTrue(rep.globalImportance()[t] < 0);
            } else {
                assertTrue(Double.isNaN(agg[t]));
            }
        }
    }

    @Test
    void removingNegativesRunsForEverySelectionAndIsReproducible() {
        Ratings all = positives(30, 25, 6);
        Ratings.Split s = all.split(0.5, 1);
        Ratings d = NegativeSampling.withNegatives(s.train(), 2, 7);
        MfOptions o = new MfOptions(CfLoss.LOGISTIC, 4, 0.5, 15, 0.5, 32, 0.1, 0.05, 8);
        for (NegativeSampling.Selection how : NegativeSampling.Selection.values()) {
            NegativeSampling.Outcome a = NegativeSampling.run(d, s.test(), o, how, 0.1, 20, 3);
            NegativeSampling.Outcome b = NegativeSampling.run(d, s.test(), o, how, 0.1, 20, 3);
            assertEquals(a, b);
            assertEquals(Math.round(0.1 * (d.size() - s.train().size())), a.removed());
            assertTrue(a.recallBefore() > 0 && a.recallBefore() <= 1);
            assertTrue(a.falseNegatives() >= 0 && a.falseNegatives() <= a.removed());
        }
    }
}
