package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RatingPairs;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.Ratings;
import org.exemplar.data.DataException;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CF explanation indexes (cf-mf of two-tower embeddings, cf-nuclear): a query is a (user, item) pair; the index's
 * exact top-k must be {@link PreparedAttributor#topK} of the same pair (same training ratings in the same order,
 * scores equal: both go through the library's representer), unknown user / item ids are refused naming the id and
 * the range, and fia stays refused with the list of supported methods.
 */
class CfIndexTest {
    @TempDir
    Path tmp;

    static final int USERS = 12;
    static final int ITEMS = 10;

    static Ratings ratings() {
        SplittableRandom r = new SplittableRandom(51);
        DenseMatrix a = ExplanationIndexTest.gaussian(USERS, 2, r, false);
        DenseMatrix b = ExplanationIndexTest.gaussian(ITEMS, 2, r, false);
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            for (int i = 0; i < ITEMS; i++) {
                if (r.nextDouble() < 0.6) {
                    pairs.add(new int[] {u, i});
                }
            }
        }
        int n = pairs.size();
        int[] us = new int[n];
        int[] is = new int[n];
        double[] v = new double[n];
        for (int t = 0; t < n; t++) {
            us[t] = pairs.get(t)[0];
            is[t] = pairs.get(t)[1];
            v[t] = 3 + a.get(us[t], 0) * b.get(is[t], 0) + a.get(us[t], 1) * b.get(is[t], 1) + 0.1 * r.nextGaussian();
        }
        return new Ratings(USERS, ITEMS, us, is, v);
    }

    private ExplanationIndex index(PreparedAttributor<?> p, String name) {
        Path art = tmp.resolve(name + "-art");
        p.save(art);
        Path dir = tmp.resolve(name + "-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        return ExplanationIndex.open(dir);
    }

    private static void assertPairsEqualTheLibrary(CfAttributor p, ExplanationIndex idx, Ratings train) {
        assertTrue(idx.pairQueries());
        assertEquals(p.method(), idx.method());
        assertEquals(train.size(), idx.size());
        int[] us = new int[USERS * ITEMS];
        int[] is = new int[USERS * ITEMS];
        for (int q = 0; q < us.length; q++) {
            us[q] = q / ITEMS;
            is[q] = q % ITEMS;
        }
        int k = 4;
        PreparedAttributor.Ranking lib = p.topK(RatingPairs.of(us, is), k);
        for (int q = 0; q < us.length; q++) {
            Explanation e = idx.explainPair(us[q], is[q], k, Direction.BOTH);
            assertSameRanking(lib.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), e.opposing(), 1e-12);
            assertEquals(p.representer().embeddings().predict(us[q], is[q]), e.outputs()[0], 0.0);
        }
        // a training rating as the query: its own pair
        int t = 5;
        assertEquals(p.topK(RatingPairs.of(new int[] {train.user(t)}, new int[] {train.item(t)}), k).supporting(0),
                idx.explainTraining(t, null, k, Direction.BOTH).supporting());
        assertEquals(train.user(t), (int) idx.trainingFeatures(t)[0]);
        assertEquals(train.item(t), (int) idx.trainingFeatures(t)[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> idx.explainPair(USERS, 0, k, Direction.BOTH));
        assertTrue(e.getMessage().contains("unknown user id " + USERS + " (the index has users 0.." + (USERS - 1)),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.explainPair(0, -1, k, Direction.BOTH));
        assertTrue(e.getMessage().contains("unknown item id -1"), e.getMessage());
        assertFalse(idx.hasSelfInfluence());
    }

    @Test
    void twoTowerPairsEqualTheLibraryTopK() {
        Ratings train = ratings();
        SplittableRandom r = new SplittableRandom(3);
        Factorization f = new Factorization(ExplanationIndexTest.gaussian(USERS, 3, r, false),
                ExplanationIndexTest.gaussian(ITEMS, 3, r, false));
        CfAttributor p = Attributors.cfTwoTower(f, CfLoss.SQUARED).prepare(train);
        assertPairsEqualTheLibrary(p, index(p, "mf"), train);
    }

    @Test
    void nuclearNormPairsEqualTheLibraryTopK() {
        Ratings train = ratings();
        CfAttributor p = Attributors.cfNuclearNorm().options(0.05, 10, 20000, 1e-12).prepare(train);
        ExplanationIndex idx = index(p, "nuc");
        assertEquals("cf-nuclear", idx.method());
        assertPairsEqualTheLibrary(p, idx, train);
    }

    @Test
    void fiaStaysRefused() {
        CfAttributor p = Attributors.fia(new MfOptions(CfLoss.SQUARED, 2, 1.0, 60, 1.0, 16, 0.1, 1.0, 7))
                .damping(1e-3).prepare(ratings());
        Path art = tmp.resolve("fia-art");
        p.save(art);
        DataException e = assertThrows(DataException.class, () -> ExplanationIndex.build(art, tmp.resolve("fia-idx"),
                IndexBuildOptions.defaults()));
        assertTrue(e.getMessage().contains("holds a fia artifact; an index can be built from cf-mf, cf-nuclear, ekfac"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("fia-idx")));
    }
}
