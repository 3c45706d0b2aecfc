package org.exemplar.index;

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
        LibraryAgreement.assertIndexEqualsLibrary(p, idx, X, Y, N, 6, 11, 5);
        for (int q = N; q < X.rows(); q++) {
            assertEquals(Loss.predicted(p, X.row(q)), idx.explain(X.row(q), Y[q], 6, Direction.BOTH).predictedClass());
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
