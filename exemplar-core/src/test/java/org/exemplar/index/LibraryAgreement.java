package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.linalg.DenseMatrix;

/**
 * The checks an inner-product index of a labelled-features method must pass against its library attributor: the
 * exact top-k of every test row (single queries and one batch), a training row queried by id with its own label, and
 * the self-influence ranking all equal the library's (same ids in order, scores to 1e-12 relative: only the summation
 * order differs). The library side goes through {@link PreparedAttributor#topK}, never through the index's keys.
 */
final class LibraryAgreement {
    private LibraryAgreement() {
    }

    /**
     * @param x     rows [0, n) are the training set the attributor was prepared on, rows [n, x.rows()) the queries
     * @param y     the class label of every row of x
     * @param train a training id to query by id
     * @param self  how many self-influence ranks to compare
     */
    static void assertIndexEqualsLibrary(PreparedAttributor<Examples> p, ExplanationIndex idx, DenseMatrix x, int[] y,
                                         int n, int k, int train, int self) {
        assertEquals(p.method(), idx.method());
        assertEquals("inner-product", idx.metadata().path("kind").asText());
        assertEquals(n, idx.size());
        int nt = x.rows() - n;
        int[] yt = Arrays.copyOfRange(y, n, x.rows());
        PreparedAttributor.Ranking lib = p.topK(Examples.labeled(x.rowRange(n, x.rows()), yt), k);
        double[][] rows = new double[nt][];
        for (int q = 0; q < nt; q++) {
            rows[q] = x.row(n + q);
            Explanation e = idx.explain(rows[q], yt[q], k, Direction.BOTH);
            assertSameRanking(lib.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), e.opposing(), 1e-12);
            assertTrue(e.exact());
        }
        // one scan for a batch = one query at a time
        var batch = idx.explainBatch(rows, yt, k, Direction.BOTH);
        for (int q = 0; q < nt; q++) {
            assertSameRanking(lib.supporting(q), batch.get(q).supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), batch.get(q).opposing(), 1e-12);
        }
        // a training row as the query, explained with its own label
        PreparedAttributor.Ranking tr = p.topK(Examples.labeled(x.rowRange(train, train + 1), new int[] {y[train]}), k);
        Explanation own = idx.explainTraining(train, null, k, Direction.BOTH);
        assertSameRanking(tr.supporting(0), own.supporting(), 1e-12);
        assertSameRanking(tr.opposing(0), own.opposing(), 1e-12);
        // self-influence: the library's, ranked
        double[] s = p.selfInfluence().scores();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
        var top = idx.selfInfluenceTop(self);
        for (int r = 0; r < self; r++) {
            assertEquals(new RankedPoint(order[r], s[order[r]]), top.get(r));
        }
    }
}
