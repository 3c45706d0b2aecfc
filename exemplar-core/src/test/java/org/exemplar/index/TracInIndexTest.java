package org.exemplar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.NetworkTracInAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.TrainingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TracInCP explanation indexes (kind {@code inner-product}) against the library: the index's exact top-k equals
 * {@link PreparedAttributor#topK} of the same labelled point (same ids in order, scores to 1e-12 relative; only the
 * summation order differs: the library sums eta_c (g_t . g_i) per checkpoint, the index one dot product over the
 * concatenated checkpoint gradients). The library side never touches the index's keys. Covers the loss (score =
 * +TracIn) over all parameters and the margin (score = -TracIn) over the last layer, three checkpoints with
 * different learning rates, training-id queries and self-influence.
 */
class TracInIndexTest {
    @TempDir
    Path tmp;

    private static final SplittableRandom SEED = new SplittableRandom(33);
    static final DenseMatrix X = ExplanationIndexTest.gaussian(110, 4, SEED, false);
    static final int[] Y = ExplanationIndexTest.labels(X, 3, SEED);
    static final int N = 96;

    private NetworkTracInAttributor prepare(TestFunction f, boolean lastLayer) {
        return Attributors.tracInNetwork(new int[] {5}, Activation.TANH, new SoftmaxCrossEntropy())
                .training(TrainingOptions.sgd(0.3, 0.0).withBatchSize(16).withEpochs(3).withSeed(4)).initSeed(6)
                .measure(f).lastLayerOnly(lastLayer)
                .prepare(Examples.labeled(X.rowRange(0, N), Arrays.copyOfRange(Y, 0, N)));
    }

    private void assertIndexEqualsLibrary(NetworkTracInAttributor p, String name) {
        Path art = tmp.resolve(name + "-art");
        p.save(art);
        Path dir = tmp.resolve(name + "-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        ExplanationIndex idx = ExplanationIndex.open(dir);
        assertEquals("inner-product", idx.metadata().path("kind").asText());
        assertEquals(p.keyWidth(), idx.metadata().path("keyWidth").asInt());
        LibraryAgreement.assertIndexEqualsLibrary(p, idx, X, Y, N, 5, 7, 4);
    }

    @Test
    void tracInOfTheLossOverAllParametersEqualsTheLibraryTopK() {
        NetworkTracInAttributor p = prepare(TestFunction.LOSS, false);
        assertEquals(3, p.tracIn().checkpoints().size());
        assertEquals(1.0, p.convention().rawFactor());
        assertEquals(3 * ((4 + 1) * 5 + (5 + 1) * 3), p.keyWidth());
        assertIndexEqualsLibrary(p, "loss");
    }

    @Test
    void tracInOfTheMarginOverTheLastLayerEqualsTheLibraryTopK() {
        NetworkTracInAttributor p = prepare(TestFunction.MARGIN, true);
        assertEquals(-1.0, p.convention().rawFactor());
        assertEquals(3 * (5 + 1) * 3, p.keyWidth());
        assertIndexEqualsLibrary(p, "margin");
    }

    /** The factored form itself: q_t . k_i over explicit matrices equals the library's score matrix. */
    @Test
    void queryVectorsTimesKeysAreTheLibraryScores() {
        for (NetworkTracInAttributor p : new NetworkTracInAttributor[] {prepare(TestFunction.LOSS, false),
            prepare(TestFunction.MARGIN, true)}) {
            Examples test = Examples.labeled(X.rowRange(N, X.rows()), Arrays.copyOfRange(Y, N, X.rows()));
            DenseMatrix want = p.attribute(test).scores();
            DenseMatrix q = p.queryVectors(test);
            DenseMatrix keys = p.trainingKeys(0, N);
            DenseMatrix some = p.trainingKeys(30, 41);
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
                    assertEquals(want.get(t, i), s, 1e-12 * scale, "t " + t + ", i " + i);
                }
            }
            for (int i = 30; i < 41; i++) {
                assertEquals(Arrays.toString(keys.row(i)), Arrays.toString(some.row(i - 30)));
            }
        }
    }
}
