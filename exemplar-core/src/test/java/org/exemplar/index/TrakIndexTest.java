package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.TrakAttributor;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.trak.RandomProjection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TRAK explanation indexes (kind {@code inner-product}) against the library: the index's exact top-k of a test point
 * must be {@link PreparedAttributor#topK} of the same labelled point (same training ids in the same order, scores to
 * 1e-12 relative: the index sums q_t . k_i over the concatenated keys in its own blocks, the library sums the models'
 * gemm products and scales afterwards, so only the order of the floating-point operations differs). The library side
 * is scored through {@code topK}, which never touches the index's keys. Covers an ensemble of two softmax networks
 * (3 classes) and of two one-output (sigmoid) networks, batch queries, training-id queries and the absence of
 * self-influence.
 */
class TrakIndexTest {
    @TempDir
    Path tmp;

    private static final SplittableRandom SEED = new SplittableRandom(31);
    static final DenseMatrix X = ExplanationIndexTest.gaussian(130, 5, SEED, false);
    static final int[] Y3 = ExplanationIndexTest.labels(X, 3, SEED);
    static final int[] Y2 = ExplanationIndexTest.labels(X, 2, SEED);
    static final int N = 110;

    private static TrakAttributor prepare(int outputs, int[] y) {
        Mlp a = Mlp.initialize(5, new int[] {4}, Activation.TANH, outputs, 3);
        Mlp b = Mlp.initialize(5, new int[] {6}, Activation.TANH, outputs, 4);
        return Attributors.trak().models(List.of(a, b)).dimension(9).projection(RandomProjection.Kind.GAUSSIAN)
                .damping(1e-2).seed(7).prepare(Examples.labeled(X.rowRange(0, N), Arrays.copyOfRange(y, 0, N)));
    }

    private ExplanationIndex index(TrakAttributor p, String name) {
        Path art = tmp.resolve(name + "-art");
        p.save(art);
        Path dir = tmp.resolve(name + "-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        return ExplanationIndex.open(dir);
    }

    /** Mean of the models' logits, argmax (one output: >= 0), computed here from the library's models. */
    private static int predicted(TrakAttributor p, double[] f) {
        int c = p.models().get(0).model().outputWidth();
        double[] mean = new double[c];
        for (var m : p.models()) {
            double[] o = m.model().logits(new DenseMatrix(1, f.length, f.clone())).data();
            for (int j = 0; j < c; j++) {
                mean[j] += o[j];
            }
        }
        if (c == 1) {
            return mean[0] >= 0 ? 1 : 0;
        }
        int best = 0;
        for (int j = 1; j < c; j++) {
            best = mean[j] > mean[best] ? j : best;
        }
        return best;
    }

    private void assertIndexEqualsLibrary(TrakAttributor p, int[] y, ExplanationIndex idx) {
        assertEquals("trak", idx.method());
        assertEquals("inner-product", idx.metadata().path("kind").asText());
        assertEquals(2 * 9, idx.metadata().path("keyWidth").asInt());
        assertEquals(N, idx.size());
        int nt = X.rows() - N;
        int[] yt = Arrays.copyOfRange(y, N, X.rows());
        int k = 6;
        PreparedAttributor.Ranking lib = p.topK(Examples.labeled(X.rowRange(N, X.rows()), yt), k);
        double[][] rows = new double[nt][];
        for (int q = 0; q < nt; q++) {
            rows[q] = X.row(N + q);
            Explanation e = idx.explain(rows[q], yt[q], k, Direction.BOTH);
            assertSameRanking(lib.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), e.opposing(), 1e-12);
            assertTrue(e.exact());
            assertEquals(predicted(p, rows[q]), e.predictedClass());
        }
        var batch = idx.explainBatch(rows, yt, k, Direction.BOTH);
        for (int q = 0; q < nt; q++) {
            assertSameRanking(lib.supporting(q), batch.get(q).supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), batch.get(q).opposing(), 1e-12);
        }
        // a training row as the query, explained with its own label (stored with the artifact)
        PreparedAttributor.Ranking tr = p.topK(Examples.labeled(X.rowRange(11, 12), new int[] {y[11]}), k);
        Explanation own = idx.explainTraining(11, null, k, Direction.BOTH);
        assertSameRanking(tr.supporting(0), own.supporting(), 1e-12);
        assertSameRanking(tr.opposing(0), own.opposing(), 1e-12);
        // TRAK defines no self-influence: neither does its index
        assertFalse(p.hasSelfInfluence());
        assertFalse(idx.hasSelfInfluence());
        assertThrows(UnsupportedOperationException.class, () -> idx.selfInfluenceTop(3));
    }

    @Test
    void anEnsembleOfSoftmaxNetworksEqualsTheLibraryTopK() {
        TrakAttributor p = prepare(3, Y3);
        assertIndexEqualsLibrary(p, Y3, index(p, "trak3"));
    }

    @Test
    void anEnsembleOfOneOutputNetworksEqualsTheLibraryTopK() {
        TrakAttributor p = prepare(1, Y2);
        assertIndexEqualsLibrary(p, Y2, index(p, "trak1"));
    }

    /**
     * An artifact saved before TRAK stored its training data (simulated by removing the two arrays) still loads and
     * scores, but the index build refuses it, naming the folder and the remedy, and leaves no index folder behind.
     */
    @Test
    void anArtifactWithoutTrainingDataIsRefusedByTheBuild() throws Exception {
        TrakAttributor p = prepare(3, Y3);
        Path art = tmp.resolve("old-art");
        p.save(art);
        java.nio.file.Files.delete(art.resolve("train_features.npy"));
        java.nio.file.Files.delete(art.resolve("train_labels.npy"));
        TrakAttributor old = (TrakAttributor) Attributors.load(art);
        assertEquals(null, old.trainingData());
        Examples t = Examples.labeled(X.rowRange(N, X.rows()), Arrays.copyOfRange(Y3, N, X.rows()));
        assertArrayEquals(p.attribute(t).scores().data(), old.attribute(t).scores().data(), 0.0);
        Path dir = tmp.resolve("old-idx");
        var e = assertThrows(org.exemplar.data.DataException.class,
                () -> ExplanationIndex.build(art, dir, IndexBuildOptions.defaults()));
        assertTrue(e.getMessage().contains("old-art") && e.getMessage().contains("saved without its training data"),
                e.getMessage());
        assertFalse(java.nio.file.Files.exists(dir));
    }

    /** The factored form itself: q_t . k_i over explicit matrices equals the library's score matrix. */
    @Test
    void queryVectorsTimesKeysAreTheLibraryScores() {
        for (int c : new int[] {1, 3}) {
            int[] y = c == 1 ? Y2 : Y3;
            TrakAttributor p = prepare(c, y);
            for (Examples test : new Examples[] {
                Examples.labeled(X.rowRange(N, X.rows()), Arrays.copyOfRange(y, N, X.rows())),
                Examples.unlabeled(X.rowRange(N, X.rows()))}) {
                DenseMatrix want = p.attribute(test).scores();
                DenseMatrix q = p.queryVectors(test);
                DenseMatrix keys = p.trainingKeys(0, N);
                assertEquals(p.keyWidth(), keys.cols());
                assertEquals(p.keyWidth(), q.cols());
                double scale = 0;
                for (double v : want.data()) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertTrue(scale > 0);
                for (int t = 0; t < test.size(); t++) {
                    for (int i = 0; i < N; i++) {
                        double s = 0;
                        for (int j = 0; j < keys.cols(); j++) {
                            s += q.get(t, j) * keys.get(i, j);
                        }
                        assertEquals(want.get(t, i), s, 1e-12 * scale, "c=" + c + " t=" + t + " i=" + i);
                    }
                }
                assertArrayEquals(keys.rowRange(30, 40).data(), p.trainingKeys(30, 40).data(), 0.0);
            }
        }
    }
}
