package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.KfacAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.curvature.FisherKind;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * K-FAC / EK-FAC explanation indexes (kind {@code inner-product}) against the library: the index's exact top-k of a
 * test point must be {@link PreparedAttributor#topK} of the same labelled point (same training ids in the same order,
 * scores to 1e-12 relative: the index takes the inner products with its own block sizes, the library with its own
 * gemm, so only the summation order differs). The library side is scored through {@code topK}, which never touches
 * the index's keys file. Covers K-FAC of a softmax regression explaining the loss (score = +I) and EK-FAC of a
 * two-layer network explaining the margin (score = -I), training-id queries, self-influence and the key-file check.
 */
class KfacIndexTest {
    @TempDir
    Path tmp;

    private static final SplittableRandom SEED = new SplittableRandom(21);
    static final DenseMatrix X = ExplanationIndexTest.gaussian(140, 5, SEED, false);
    static final int[] Y = ExplanationIndexTest.labels(X, 3, SEED);
    static final int N = 120;

    static Examples train() {
        return Examples.labeled(X.rowRange(0, N), Arrays.copyOfRange(Y, 0, N));
    }

    private ExplanationIndex index(KfacAttributor p, String name) {
        Path art = tmp.resolve(name + "-art");
        p.save(art);
        Path dir = tmp.resolve(name + "-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        return ExplanationIndex.open(dir);
    }

    private void assertIndexEqualsLibrary(KfacAttributor p, ExplanationIndex idx) {
        assertEquals(p.method(), idx.method());
        assertEquals("inner-product", idx.metadata().path("kind").asText());
        assertEquals(N, idx.size());
        int nt = X.rows() - N;
        int[] yt = Arrays.copyOfRange(Y, N, X.rows());
        int k = 6;
        PreparedAttributor.Ranking lib = p.topK(Examples.labeled(X.rowRange(N, X.rows()), yt), k);
        double[][] rows = new double[nt][];
        for (int q = 0; q < nt; q++) {
            rows[q] = X.row(N + q);
            Explanation e = idx.explain(rows[q], yt[q], k, Direction.BOTH);
            assertSameRanking(lib.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), e.opposing(), 1e-12);
            assertTrue(e.exact());
            assertEquals(Loss.predicted(p, rows[q]), e.predictedClass());
        }
        // one scan for a batch = one query at a time
        var batch = idx.explainBatch(rows, yt, k, Direction.BOTH);
        for (int q = 0; q < nt; q++) {
            assertSameRanking(lib.supporting(q), batch.get(q).supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), batch.get(q).opposing(), 1e-12);
        }
        // a training row as the query, explained with its own label
        PreparedAttributor.Ranking tr = p.topK(Examples.labeled(X.rowRange(11, 12), new int[] {Y[11]}), k);
        Explanation own = idx.explainTraining(11, null, k, Direction.BOTH);
        assertSameRanking(tr.supporting(0), own.supporting(), 1e-12);
        assertSameRanking(tr.opposing(0), own.opposing(), 1e-12);
        // self-influence: the library's, ranked
        double[] self = p.selfInfluence().scores();
        Integer[] order = new Integer[N];
        for (int i = 0; i < N; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(self[b], self[a]));
        var top = idx.selfInfluenceTop(5);
        for (int r = 0; r < 5; r++) {
            assertEquals(new RankedPoint(order[r], self[order[r]]), top.get(r));
        }
    }

    /** The predicted class the library's model gives (independent of the index's outputs()). */
    private static final class Loss {
        static int predicted(KfacAttributor p, double[] f) {
            double[] o = p.model().logits(new DenseMatrix(1, f.length, f.clone())).data();
            return p.loss().predictedClass(o, 0, o.length);
        }
    }

    @Test
    void kfacOfASoftmaxRegressionEqualsTheLibraryTopK() {
        KfacAttributor p = Attributors.kfac(LinearModels.Kind.SOFTMAX).l2(0.02).damping(0.01)
                .fisher(FisherKind.SAMPLED).seed(4).prepare(train());
        assertEquals(1.0, p.convention().rawFactor());
        assertIndexEqualsLibrary(p, index(p, "kfac"));
    }

    @Test
    void ekfacOfANetworkExplainingTheMarginEqualsTheLibraryTopK() {
        Mlp net = Mlp.initialize(5, new int[] {4}, Activation.TANH, 3, 8);
        KfacAttributor p = Attributors.ekfac(net, new SoftmaxCrossEntropy()).damping(0.05)
                .fisher(FisherKind.EXPECTED).measure(TestFunction.MARGIN).prepare(train());
        assertEquals(-1.0, p.convention().rawFactor());
        ExplanationIndex idx = index(p, "ekfac");
        assertEquals(p.keyWidth(), idx.metadata().path("keyWidth").asInt());
        assertEquals((5 + 1) * 4 + (4 + 1) * 3, p.keyWidth());
        assertIndexEqualsLibrary(p, idx);
    }

    /** The library's factored form itself: q_t . k_i over explicit matrices equals the library's score matrix. */
    @Test
    void queryVectorsTimesKeysAreTheLibraryScores() {
        Mlp net = Mlp.initialize(5, new int[] {4}, Activation.TANH, 3, 9);
        for (KfacAttributor p : new KfacAttributor[] {
            Attributors.kfac(net, new SoftmaxCrossEntropy()).damping(0.05).fisher(FisherKind.EXPECTED).prepare(train()),
            Attributors.ekfac(net, new SoftmaxCrossEntropy()).damping(0.05).fisher(FisherKind.EXPECTED)
                    .measure(TestFunction.MARGIN).prepare(train())}) {
            Examples test = Examples.labeled(X.rowRange(N, X.rows()), Arrays.copyOfRange(Y, N, X.rows()));
            DenseMatrix want = p.attribute(test).scores();
            DenseMatrix q = p.queryVectors(test);
            DenseMatrix keys = p.trainingKeys(0, N);
            assertEquals(p.keyWidth(), keys.cols());
            double scale = 0;
            for (double v : want.data()) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int t = 0; t < test.size(); t++) {
                for (int i = 0; i < N; i++) {
                    double s = 0;
                    for (int j = 0; j < keys.cols(); j++) {
                        s += q.get(t, j) * keys.get(i, j);
                    }
                    assertEquals(want.get(t, i), s, 1e-12 * scale, p.method() + " t=" + t + " i=" + i);
                }
            }
            assertArrayEquals(keys.rowRange(30, 40).data(), p.trainingKeys(30, 40).data(), 0.0);
        }
    }

    @Test
    void aKeysFileOfTheWrongShapeIsRefused() throws Exception {
        KfacAttributor p = Attributors.kfac(LinearModels.Kind.SOFTMAX).l2(0.02).damping(0.01).prepare(train());
        ExplanationIndex idx = index(p, "bad");
        Path keys = idx.directory().resolve("inner_keys.npy");
        Files.delete(keys);
        Npy.write(keys, new DenseMatrix(N, 3));
        DataException e = assertThrows(DataException.class, () -> ExplanationIndex.open(idx.directory()));
        assertTrue(e.getMessage().contains("inner_keys.npy") && e.getMessage().contains("needs " + N + " x "
                + p.keyWidth()), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
