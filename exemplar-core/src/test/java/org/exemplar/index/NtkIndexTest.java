package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.NtkAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.NtkKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ntk explanation index (kind {@code artifact}): a features query carries its real target y_t, and the index's
 * exact top-k must be the saved {@link NtkAttributor}'s {@link PreparedAttributor#topK} of the same (features,
 * target) (same training ids in the same order, scores to 1e-12 relative: both go through the library, the index
 * through the reloaded artifact, which refactorizes the same kernel, so only rounding can differ). A training-id query
 * reads the artifact's own y_i; a query without a target is refused.
 */
class NtkIndexTest {
    @TempDir
    Path tmp;

    private static final int N = 40;
    private static final int D = 5;

    /** Unit-norm rows (the NTK's inputs) and tanh targets with noise. */
    private static Examples data(int n, SplittableRandom r) {
        DenseMatrix x = ExplanationIndexTest.gaussian(n, D, r, false);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < D; j++) {
                s += x.get(i, j) * x.get(i, j);
            }
            for (int j = 0; j < D; j++) {
                x.set(i, j, x.get(i, j) / Math.sqrt(s));
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = Math.tanh(2 * (x.get(i, 0) - 0.7 * x.get(i, 2))) + 0.1 * r.nextGaussian();
        }
        return Examples.regression(x, y);
    }

    @Test
    void featureAndTargetQueriesEqualTheLibraryTopK() {
        SplittableRandom r = new SplittableRandom(61);
        Examples train = data(N, r);
        Examples test = data(8, r);
        NtkAttributor p = Attributors.ntk().lambda(0.01).prepare(train);
        Path art = tmp.resolve("ntk-art");
        p.save(art);
        Path dir = tmp.resolve("ntk-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        ExplanationIndex idx = ExplanationIndex.open(dir);
        assertEquals("ntk", idx.method());
        assertEquals("artifact", idx.metadata().path("kind").asText());
        assertEquals(N, idx.size());
        assertTrue(idx.needsTarget());

        int k = 6;
        double[][] fs = new double[test.size()][];
        for (int t = 0; t < fs.length; t++) {
            fs[t] = test.features().row(t);
        }
        double[] y = test.targetVector();
        PreparedAttributor.Ranking lib = p.topK(test, k);
        List<Explanation> batch = idx.explainBatch(fs, null, y, k, Direction.BOTH);
        double[] pred = p.fit().score(NtkKernel.matrix(test.features(), train.features()), y).predictions();
        for (int t = 0; t < fs.length; t++) {
            assertSameRanking(lib.supporting(t), batch.get(t).supporting(), 1e-12);
            assertSameRanking(lib.opposing(t), batch.get(t).opposing(), 1e-12);
            Explanation one = idx.explain(fs[t], null, y[t], k, Direction.BOTH);
            assertSameRanking(lib.supporting(t), one.supporting(), 1e-12);
            // the one output is the regression's prediction f(x_t), as NtkInfluence computes it
            assertEquals(pred[t], one.outputs()[0], 1e-12 * Math.max(1, Math.abs(pred[t])));
        }
        // the target matters: another y_t changes the scores (a query that ignored it would not)
        Explanation shifted = idx.explain(fs[0], null, y[0] + 1.0, k, Direction.BOTH);
        assertNotEquals(batch.get(0).supporting().stream().map(RankedPoint::score).toList(),
                shifted.supporting().stream().map(RankedPoint::score).toList());
        Examples moved = Examples.regression(test.features().rowRange(0, 1), new double[] {y[0] + 1.0});
        assertSameRanking(p.topK(moved, k).supporting(0), shifted.supporting(), 1e-12);

        // a training point as the query: its own features and target y_i from the artifact
        int i = 7;
        Examples own = Examples.regression(train.features().rowRange(i, i + 1), new double[] {train.targetVector()[i]});
        Explanation e = idx.explainTraining(i, null, k, Direction.BOTH);
        assertSameRanking(p.topK(own, k).supporting(0), e.supporting(), 1e-12);
        assertSameRanking(p.topK(own, k).opposing(0), e.opposing(), 1e-12);
        assertTrue(Arrays.equals(train.features().row(i), idx.trainingFeatures(i)));

        // a query without its target, or with a non-finite one, is refused
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> idx.explain(fs[0], null, k, Direction.BOTH));
        assertTrue(ex.getMessage().contains("needs its real-valued target"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class,
                () -> idx.explain(fs[0], null, Double.NaN, k, Direction.BOTH));
        assertTrue(ex.getMessage().contains("must be finite"), ex.getMessage());
        assertTrue(idx.hasSelfInfluence());
        assertFalse(idx.pairQueries());
    }
}
