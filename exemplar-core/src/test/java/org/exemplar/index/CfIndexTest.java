package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RatingPairs;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Fia;
import org.exemplar.cf.MfResult;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.TracInCp;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.Ratings;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CF explanation indexes (cf-mf of two-tower embeddings, cf-nuclear): a query is a (user, item) pair; the index's
 * exact top-k must be {@link PreparedAttributor#topK} of the same pair (same training ratings in the same order,
 * scores equal: both go through the library's representer), unknown user / item ids are refused naming the id and
 * the range. The baselines fia and tracin-cp (same query shape) are checked against the library's topK over every pair
 * of the matrix and, independently of the saved artifact, against {@link Fia} / {@link TracInCp} computed from the
 * training run's own factors and checkpoints.
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
        assertPairsEqualTheLibrary(p, idx, train, 4, (u, i) -> p.representer().embeddings().predict(u, i));
    }

    /**
     * Every (user, item) pair of the matrix, one at a time and in one batch: the index's top-k equals the library's
     * topK (ids in order, scores 1e-12 relative) and its one output equals {@code prediction} (computed by the caller
     * from the model, not from the index); a training id explains its own pair; unknown ids are refused; no
     * self-influence.
     */
    private static void assertPairsEqualTheLibrary(CfAttributor p, ExplanationIndex idx, Ratings train, int k,
                                                   java.util.function.BiFunction<Integer, Integer, Double> prediction) {
        assertTrue(idx.pairQueries());
        assertEquals(p.method(), idx.method());
        assertEquals(train.size(), idx.size());
        int[] us = new int[USERS * ITEMS];
        int[] is = new int[USERS * ITEMS];
        double[][] rows = new double[us.length][];
        for (int q = 0; q < us.length; q++) {
            us[q] = q / ITEMS;
            is[q] = q % ITEMS;
            rows[q] = new double[] {us[q], is[q]};
        }
        PreparedAttributor.Ranking lib = p.topK(RatingPairs.of(us, is), k);
        java.util.List<Explanation> batch = idx.explainBatch(rows, null, k, Direction.BOTH);
        for (int q = 0; q < us.length; q++) {
            Explanation e = idx.explainPair(us[q], is[q], k, Direction.BOTH);
            assertSameRanking(lib.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), e.opposing(), 1e-12);
            assertSameRanking(lib.supporting(q), batch.get(q).supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), batch.get(q).opposing(), 1e-12);
            assertEquals(prediction.apply(us[q], is[q]), e.outputs()[0], 1e-12);
            assertTrue(e.exact());
        }
        // a training rating as the query: its own pair
        int t = 5;
        Explanation own = idx.explainTraining(t, null, k, Direction.BOTH);
        PreparedAttributor.Ranking ownLib = p.topK(RatingPairs.of(new int[] {train.user(t)},
                new int[] {train.item(t)}), k);
        assertEquals(ownLib.supporting(0), own.supporting());
        assertEquals(ownLib.opposing(0), own.opposing());
        assertEquals(train.user(t), (int) idx.trainingFeatures(t)[0]);
        assertEquals(train.item(t), (int) idx.trainingFeatures(t)[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> idx.explainPair(USERS, 0, k, Direction.BOTH));
        assertTrue(e.getMessage().contains("unknown user id " + USERS + " (the index has users 0.." + (USERS - 1)),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.explainPair(0, -1, k, Direction.BOTH));
        assertTrue(e.getMessage().contains("unknown item id -1"), e.getMessage());
        assertFalse(idx.hasSelfInfluence());
        assertThrows(UnsupportedOperationException.class, () -> idx.selfInfluenceTop(3));
    }

    /**
     * Every pair's complete ranking from the index (k = n: all non-zero scores) equals {@code direct}, the method's
     * scores computed straight from the trained model ({@link Fia} / {@link TracInCp} on the training run's own
     * factors and checkpoints, not through the saved artifact): a score the index lists is direct's to 1e-12
     * relative, and every non-zero direct score is listed.
     */
    private static void assertAllScoresEqual(ExplanationIndex idx, Ratings train,
                                             java.util.function.BiFunction<Integer, Integer, double[]> direct) {
        int n = train.size();
        int nonZero = 0;
        for (int u = 0; u < USERS; u++) {
            for (int i = 0; i < ITEMS; i++) {
                double[] want = direct.apply(u, i);
                double[] got = new double[n];
                Explanation e = idx.explainPair(u, i, n, Direction.BOTH);
                for (RankedPoint r : e.supporting()) {
                    got[r.trainIndex()] = r.score();
                }
                for (RankedPoint r : e.opposing()) {
                    got[r.trainIndex()] = r.score();
                }
                for (int t = 0; t < n; t++) {
                    assertEquals(want[t], got[t], 1e-12 * Math.abs(want[t]), "pair (" + u + ", " + i + ") rating " + t);
                    nonZero += want[t] != 0 ? 1 : 0;
                }
            }
        }
        assertTrue(nonZero > USERS * ITEMS, "only " + nonZero + " non-zero scores");
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

    /** Binary ratings (1 when the generated value exceeds 3) for the logistic loss, with negative weight 0.3. */
    static Ratings binary(Ratings r) {
        double[] v = new double[r.size()];
        for (int t = 0; t < v.length; t++) {
            v[t] = r.value(t) > 3 ? 1 : 0;
        }
        return new Ratings(r.numUsers(), r.numItems(), r.users(), r.items(), v);
    }

    @Test
    void fiaPairsEqualTheLibraryTopKAndFiaOfTheTrainedFactors() {
        Ratings train = ratings();
        MfOptions o = new MfOptions(CfLoss.SQUARED, 3, 0.5, 40, 1.0, 16, 0.1, 1.0, 7);
        MfResult fit = MfTrainer.train(train, o, MfTrainer.Algorithm.ALS, null, false);
        double damping = 0.7;
        CfAttributor p = Attributors.fia(o).algorithm(MfTrainer.Algorithm.ALS).damping(damping).prepare(train, fit);
        ExplanationIndex idx = index(p, "fia");
        assertEquals("fia", idx.method());
        assertEquals(damping, idx.metadata().path("settings").path("damping").asDouble(), 0.0);
        assertPairsEqualTheLibrary(p, idx, train, 4, (u, i) -> fit.factors().predict(u, i));
        Fia direct = new Fia(train, fit.factors(), CfLoss.SQUARED, CfRepresenter.weights(train, o), o.reg(), damping);
        assertAllScoresEqual(idx, train, direct::scores);
    }

    @Test
    void tracInCpPairsEqualTheLibraryTopKAndTracInOfTheCheckpoints() {
        Ratings train = binary(ratings());
        MfOptions o = new MfOptions(CfLoss.LOGISTIC, 3, 0.2, 6, 0.8, 9, 0.3, 0.3, 11);
        MfResult fit = MfTrainer.train(train, o, MfTrainer.Algorithm.SGD, null, true);
        assertEquals(6, fit.checkpoints().size());
        CfAttributor p = Attributors.tracInCp(o).prepare(train, fit);
        ExplanationIndex idx = index(p, "tracin");
        assertEquals("tracin-cp", idx.method());
        assertEquals(6, idx.metadata().path("settings").path("checkpoints").asInt());
        assertPairsEqualTheLibrary(p, idx, train, 4, (u, i) -> fit.factors().predict(u, i));
        TracInCp direct = new TracInCp(train, fit.checkpoints(), CfLoss.LOGISTIC, CfRepresenter.weights(train, o));
        assertAllScoresEqual(idx, train, direct::scores);
    }

    @Test
    void aBuilderRefusesAFitOfOtherSettings() {
        Ratings train = ratings();
        MfOptions o = new MfOptions(CfLoss.SQUARED, 2, 1.0, 5, 1.0, 16, 0.1, 1.0, 7);
        MfResult als = MfTrainer.train(train, o, MfTrainer.Algorithm.ALS, null, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attributors.fia(o.withReg(2.0)).algorithm(MfTrainer.Algorithm.ALS).prepare(train, als));
        assertTrue(e.getMessage().contains("the fit was trained with ALS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attributors.tracInCp(o).prepare(train,
                MfTrainer.train(train, o, MfTrainer.Algorithm.SGD, null, false)));
        assertTrue(e.getMessage().contains("TracInCP needs the fit's SGD checkpoints"), e.getMessage());
    }
}
