package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/** Hand-built fixtures with values worked out on paper for recall@K and the App. C negative selection. */
class NegativeSamplingFixtureTest {

    /** Rank-1 factors: every user scores item j as 5 - j, so the ranking is item 0, 1, 2, 3, 4. */
    static Factorization descendingItems(int users) {
        DenseMatrix u = new DenseMatrix(users, 1);
        Arrays.fill(u.data(), 1.0);
        return new Factorization(u, DenseMatrix.fromRows(new double[][] {{5}, {4}, {3}, {2}, {1}}));
    }

    @Test
    void recallAtKOfAHandBuiltRanking() {
        Factorization f = descendingItems(3);
        // user 0 has training positive item 1 (excluded from its ranking); user 1 has a training NEGATIVE on item 0,
        // which stays ranked; user 2 has no test positive and does not count.
        Ratings train = new Ratings(3, 5, new int[] {0, 1, 2}, new int[] {1, 0, 4}, new double[] {1, 0, 1});
        Ratings test = new Ratings(3, 5, new int[] {0, 0, 1}, new int[] {0, 3, 0}, new double[] {1, 1, 1});
        // user 0 ranks 0, 2, 3, 4 (test {0, 3}); user 1 ranks 0, 1, 2, 3, 4 (test {0})
        assertEquals((0.5 + 1) / 2, NegativeSampling.recallAt(f, train, test, 1), 1e-15);
        assertEquals((0.5 + 1) / 2, NegativeSampling.recallAt(f, train, test, 2), 1e-15);
        assertEquals((1 + 1) / 2.0, NegativeSampling.recallAt(f, train, test, 3), 1e-15);
        // only user 0, test item 3 at rank 3 of its list
        Ratings test0 = new Ratings(3, 5, new int[] {0}, new int[] {3}, new double[] {1});
        assertEquals(0.0, NegativeSampling.recallAt(f, train, test0, 2), 0.0);
        assertEquals(1.0, NegativeSampling.recallAt(f, train, test0, 3), 0.0);
        assertEquals(1.0, NegativeSampling.recallAt(f, train, test0, 50), 0.0); // K beyond the catalogue
    }

    /** D: positives at 0 and 3, negatives at 1, 2, 4, 5 with aggregated importances 0.5, -3, -1, 2. */
    static Ratings fixture() {
        return new Ratings(2, 5, new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 1, 2, 0, 1, 3},
                new double[] {1, 0, 0, 1, 0, 0});
    }

    @Test
    void highDimSelectionRemovesTheLowestImportanceFirst() {
        Ratings d = fixture();
        double[] agg = {Double.NaN, 0.5, -3, Double.NaN, -1, 2};
        Factorization f = descendingItems(2);
        assertArrayEquals(new int[] {2}, NegativeSampling.select(d, NegativeSampling.Selection.HIGH_DIM, 0.25, agg, f,
                CfLoss.LOGISTIC, 0));
        assertArrayEquals(new int[] {2, 4}, NegativeSampling.select(d, NegativeSampling.Selection.HIGH_DIM, 0.5, agg,
                f, CfLoss.LOGISTIC, 0));
        assertArrayEquals(new int[] {2, 4, 1, 5}, NegativeSampling.select(d, NegativeSampling.Selection.HIGH_DIM, 1.0,
                agg, f, CfLoss.LOGISTIC, 0));
        assertEquals(0, NegativeSampling.select(d, NegativeSampling.Selection.HIGH_DIM, 0.0, agg, f, CfLoss.LOGISTIC,
                0).length);
    }

    @Test
    void lossSelectionRemovesTheHighestLossFirstAndRandomOnlyNegatives() {
        Ratings d = fixture();
        Factorization f = descendingItems(2); // negatives score: t1 (item 1) 4, t2 (item 2) 3, t4 (item 1) 4, t5 1
        // BCE of label 0 grows with the score: items 1 (t1, t4: tie, lower index first), then 2, then 3
        assertArrayEquals(new int[] {1, 4, 2}, NegativeSampling.select(d, NegativeSampling.Selection.LOSS, 0.75, null,
                f, CfLoss.LOGISTIC, 0));
        int[] r = NegativeSampling.select(d, NegativeSampling.Selection.RANDOM, 0.5, null, f, CfLoss.LOGISTIC, 9);
        assertEquals(2, r.length);
        for (int t : r) {
            assertEquals(0.0, d.value(t), "random selection drew a positive: " + t);
        }
        assertTrue(r[0] != r[1]);
        assertArrayEquals(r, NegativeSampling.select(d, NegativeSampling.Selection.RANDOM, 0.5, null, f,
                CfLoss.LOGISTIC, 9));
    }
}
