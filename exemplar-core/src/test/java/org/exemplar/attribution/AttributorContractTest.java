package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every attributor passes (EJML style: one abstract suite, one subclass per method). A subclass gives
 * a small deterministic problem, a way to prepare the attributor on it, and the explained outputs after actual
 * retraining without one training point, which is the ground truth of the sign convention.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AttributorContractTest<Q extends TestSet<Q>> {
    private PreparedAttributor<Q> prepared;
    private Attribution full;
    private final Map<Integer, double[]> retrained = new HashMap<>();

    /** Prepares the attributor on the fixture's training set (must be deterministic). */
    protected abstract PreparedAttributor<Q> prepare();

    /** The fixture's test set (about ten points). */
    protected abstract Q testSet();

    /**
     * The explained output of every test point after retraining from scratch without training point
     * {@code removed}, or with the full training set when removed = -1 (the same retraining path, so the two are
     * comparable).
     */
    protected abstract double[] explainedAfterRetraining(int removed);

    /**
     * The fraction of test points whose top supporting training point's removal must lower the explained output
     * (stated per method; each subclass says why its value).
     */
    protected abstract double minSupportFraction();

    /** Whether the method defines self-influence. */
    protected abstract boolean definesSelfInfluence();

    @BeforeAll
    void prepareOnce() {
        prepared = prepare();
        full = prepared.attribute(testSet());
    }

    protected PreparedAttributor<Q> prepared() {
        return prepared;
    }

    protected Attribution full() {
        return full;
    }

    @Test
    void shapesAndOrientation() {
        Q test = testSet();
        assertEquals(test.size(), full.scores().rows(), "rows = test points");
        assertEquals(prepared.trainSize(), full.scores().cols(), "columns = training points");
        for (double v : full.scores().data()) {
            assertTrue(Double.isFinite(v), "finite scores");
        }
        assertTrue(full.scores().frobeniusNorm() > 0, "scores are not all zero");
        assertEquals(prepared.method(), full.convention().method());
        assertEquals(prepared.method(), full.provenance().method());
    }

    @Test
    void deterministicForTheSameDataAndSeed() {
        Attribution again = prepare().attribute(testSet());
        assertArrayEquals(full.scores().data(), again.scores().data(), 0.0, "bit-identical scores");
    }

    @Test
    void rawQuantityMapsBackExactly() {
        DenseMatrix raw = full.raw();
        double f = full.convention().rawFactor();
        for (int k = 0; k < raw.data().length; k++) {
            assertEquals(full.scores().data()[k], f * raw.data()[k], 1e-12 * Math.abs(full.scores().data()[k]));
        }
    }

    @Test
    void streamedBlocksEqualTheFullMatrix() {
        for (int blockRows : new int[] {1, 3}) {
            DenseMatrix out = new DenseMatrix(full.scores().rows(), full.scores().cols());
            List<Integer> firsts = new ArrayList<>();
            prepared.score(testSet(), blockRows, (first, block) -> {
                assertTrue(block.rows() <= blockRows);
                firsts.add(first);
                System.arraycopy(block.data(), 0, out.data(), first * out.cols(), block.data().length);
            });
            assertEquals(0, firsts.get(0));
            // the same numbers up to rounding: a native BLAS may use another kernel (another summation order) for a
            // one-row product than for a 64-row one, so allow 1e-12 relative to the row's largest score
            double[] a = full.scores().data();
            double[] b = out.data();
            int n = full.scores().cols();
            for (int t = 0; t < full.scores().rows(); t++) {
                double scale = 0;
                for (int i = 0; i < n; i++) {
                    scale = Math.max(scale, Math.abs(a[t * n + i]));
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(a[t * n + i], b[t * n + i], 1e-12 * scale, "block size " + blockRows + ", (" + t
                            + ", " + i + ")");
                }
            }
        }
    }

    @Test
    void topKEqualsABruteForceSortOfTheFullRow() {
        int n = prepared.trainSize();
        for (int k : new int[] {1, 5, n + 3}) {
            PreparedAttributor.Ranking r = prepared.topK(testSet(), k);
            assertEquals(full.scores().rows(), r.topK().testSize());
            for (int t = 0; t < full.scores().rows(); t++) {
                double[] row = full.scores().row(t);
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    idx.add(i);
                }
                List<Integer> pos = idx.stream().filter(i -> row[i] > 0)
                        .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparingInt(i -> i)).toList();
                List<Integer> neg = idx.stream().filter(i -> row[i] < 0)
                        .sorted(Comparator.<Integer>comparingDouble(i -> row[i]).thenComparingInt(i -> i)).toList();
                assertEquals(pos.subList(0, Math.min(k, pos.size())),
                        r.supporting(t).stream().map(RankedPoint::trainIndex).toList(), "supporting, t=" + t);
                assertEquals(neg.subList(0, Math.min(k, neg.size())),
                        r.opposing(t).stream().map(RankedPoint::trainIndex).toList(), "opposing, t=" + t);
                for (RankedPoint p : r.supporting(t)) {
                    assertEquals(row[p.trainIndex()], p.score(), 0.0);
                }
            }
        }
    }

    @Test
    void topSupportingPointsRemovalLowersTheExplainedOutput() {
        double[] base = retrainedWithout(-1);
        PreparedAttributor.Ranking r = prepared.topK(testSet(), 1);
        int agree = 0;
        int counted = 0;
        for (int t = 0; t < base.length; t++) {
            if (r.supporting(t).isEmpty()) {
                continue;
            }
            counted++;
            double after = retrainedWithout(r.supporting(t).get(0).trainIndex())[t];
            if (after < base[t]) {
                agree++;
            }
        }
        assertTrue(counted >= base.length / 2, "most test points have a supporting point");
        double fraction = agree / (double) counted;
        assertTrue(fraction >= minSupportFraction(), prepared.method() + ": the top supporting point's removal "
                + "lowered the explained output for " + agree + " of " + counted + " test points (" + fraction
                + "), the contract asks for >= " + minSupportFraction());
    }

    private double[] retrainedWithout(int i) {
        return retrained.computeIfAbsent(i, this::explainedAfterRetraining);
    }

    @Test
    void concurrentScoringEqualsSequentialScoring() throws Exception {
        // an explanation server scores one artifact from many threads: results must not depend on that
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Attribution>> fs = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                fs.add(pool.submit(() -> prepared.attribute(testSet())));
            }
            for (var f : fs) {
                assertArrayEquals(full.scores().data(), f.get().scores().data(), 0.0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void saveLoadGivesIdenticalScores(@TempDir Path dir) {
        Path a = dir.resolve("artifact");
        prepared.save(a);
        PreparedAttributor<?> loaded = Attributors.load(a);
        assertEquals(prepared.getClass(), loaded.getClass());
        assertEquals(prepared.method(), loaded.method());
        assertEquals(prepared.name(), loaded.name());
        assertEquals(prepared.key(), loaded.key());
        assertEquals(prepared.provenance().createdAt(), loaded.provenance().createdAt());
        assertEquals(prepared.diagnostics().converged(), loaded.diagnostics().converged());
        @SuppressWarnings("unchecked")
        PreparedAttributor<Q> typed = (PreparedAttributor<Q>) loaded;
        assertArrayEquals(full.scores().data(), typed.attribute(testSet()).scores().data(), 0.0,
                "reloaded artifact scores bit-identically");
        assertThrows(RuntimeException.class, () -> prepared.save(a), "an existing artifact is not overwritten");
    }

    @Test
    void provenanceAndDiagnosticsArePresent() {
        var p = full.provenance();
        assertEquals(prepared.method(), p.method());
        assertFalse(p.settings().isEmpty(), "settings recorded");
        assertTrue(p.dataSha256().get("train").matches("sha256:[0-9a-f]{64}"), "training data hash");
        assertNotNull(p.libraryVersion());
        assertNotNull(p.javaVersion());
        assertNotNull(p.createdAt());
        assertTrue(prepared.key().matches("[0-9a-f]{64}"));
        assertNotNull(full.diagnostics());
        assertTrue(full.diagnostics().converged(), "the fixture converges: " + full.diagnostics());
    }

    @Test
    void selfInfluenceWhereDefined() {
        if (!definesSelfInfluence()) {
            assertFalse(prepared.hasSelfInfluence());
            assertThrows(UnsupportedOperationException.class, prepared::selfInfluence);
            return;
        }
        assertTrue(prepared.hasSelfInfluence());
        SelfInfluence s = prepared.selfInfluence();
        assertEquals(prepared.trainSize(), s.scores().length);
        for (double v : s.scores()) {
            assertTrue(Double.isFinite(v) && v >= -1e-12, "self-influence of these methods is >= 0, got " + v);
        }
    }
}
