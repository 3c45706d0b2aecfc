package org.exemplar.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.InfluenceAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.attribution.Solver;
import org.exemplar.attribution.TopK;
import org.exemplar.attribution.TopKSink;
import org.exemplar.data.DataException;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.LinearModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explanation index against the library it is built from: its exact top-k must be the library's
 * {@link PreparedAttributor#topK} (same training ids in the same order, scores to 1e-12 relative: the index sums
 * the inner product in another order than BLAS), for rps-l2 (float64 and float32 rows) and influence; plus the
 * version/method refusals and the all-or-nothing build.
 */
class ExplanationIndexTest {
    @TempDir
    Path tmp;

    static DenseMatrix gaussian(int n, int d, SplittableRandom r, boolean ones) {
        DenseMatrix m = new DenseMatrix(n, d + (ones ? 1 : 0));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                m.set(i, j, r.nextGaussian());
            }
            if (ones) {
                m.set(i, d, 1.0);
            }
        }
        return m;
    }

    static int[] labels(DenseMatrix x, int c, SplittableRandom r) {
        DenseMatrix w = gaussian(c, x.cols(), r, false);
        int[] y = new int[x.rows()];
        for (int i = 0; i < y.length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                double s = 0.7 * r.nextGaussian();
                for (int q = 0; q < x.cols(); q++) {
                    s += w.get(j, q) * x.get(i, q);
                }
                if (s > best) {
                    best = s;
                    y[i] = j;
                }
            }
        }
        return y;
    }

    private static final SplittableRandom SEED = new SplittableRandom(5);
    static final DenseMatrix X = gaussian(330, 6, SEED, true);
    static final int[] Y = labels(X, 4, SEED);

    static Examples train() {
        return Examples.labeled(X.rowRange(0, 300), java.util.Arrays.copyOfRange(Y, 0, 300));
    }

    static DenseMatrix test() {
        return X.rowRange(300, 330);
    }

    Path rpsIndex(boolean f32) {
        RepresenterAttributor p = Attributors.representer().lambda(0.01).prepare(train());
        Path art = tmp.resolve("rps-art-" + f32);
        p.save(art);
        Path idx = tmp.resolve("rps-idx-" + f32);
        ExplanationIndex.build(art, idx, IndexBuildOptions.defaults().withFloat32(f32));
        return idx;
    }

    static void assertSameRanking(List<RankedPoint> lib, List<RankedPoint> idx, double tol) {
        assertEquals(lib.stream().map(RankedPoint::trainIndex).toList(),
                idx.stream().map(RankedPoint::trainIndex).toList());
        for (int r = 0; r < lib.size(); r++) {
            double a = lib.get(r).score();
            double b = idx.get(r).score();
            assertEquals(a, b, tol * Math.max(1e-300, Math.abs(a)), "rank " + r);
        }
    }

    @Test
    void rpsExactTopKEqualsTheLibrary() {
        ExplanationIndex idx = ExplanationIndex.open(rpsIndex(false));
        RepresenterAttributor lib = (RepresenterAttributor) Attributors.load(tmp.resolve("rps-art-false"));
        DenseMatrix t = test();
        int k = 7;
        PreparedAttributor.Ranking r = lib.topK(Examples.unlabeled(t), k);
        double[][] rows = new double[t.rows()][];
        for (int q = 0; q < t.rows(); q++) {
            rows[q] = t.row(q);
            Explanation e = idx.explain(rows[q], null, k, Direction.BOTH);
            assertSameRanking(r.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(r.opposing(q), e.opposing(), 1e-12);
            assertEquals(lib.points().predictedClasses(t)[q], e.predictedClass());
            assertTrue(e.exact());
            assertTrue(e.decompositionResidual() < 1e-8, "scores sum to the logit: " + e.decompositionResidual());
        }
        // one scan for the batch gives the same answers as one query at a time
        List<Explanation> batch = idx.explainBatch(rows, null, k, Direction.EXCITATORY);
        for (int q = 0; q < rows.length; q++) {
            assertSameRanking(idx.explain(rows[q], null, k, Direction.BOTH).supporting(), batch.get(q).supporting(),
                    1e-12);
            assertTrue(batch.get(q).opposing().isEmpty());
        }
        // a training row as the query: the library's ranking of that row
        PreparedAttributor.Ranking tr = lib.topK(Examples.unlabeled(X.rowRange(17, 18)), k);
        assertSameRanking(tr.supporting(0), idx.explainTraining(17, null, k, Direction.BOTH).supporting(), 1e-12);
    }

    @Test
    void rpsExplainedClassFollowsTheLabelledLibraryMode() {
        ExplanationIndex idx = ExplanationIndex.open(rpsIndex(false));
        RepresenterAttributor labelled = Attributors.representer().lambda(0.01)
                .explain(RepresenterAttributor.ExplainedClass.LABEL).prepare(train());
        DenseMatrix t = test();
        int[] cls = new int[t.rows()];
        for (int q = 0; q < cls.length; q++) {
            cls[q] = (q * 3 + 1) % 4;
        }
        PreparedAttributor.Ranking r = labelled.topK(Examples.labeled(t, cls), 5);
        for (int q = 0; q < t.rows(); q++) {
            Explanation e = idx.explain(t.row(q), cls[q], 5, Direction.BOTH);
            assertEquals(cls[q], e.explainedClass());
            assertSameRanking(r.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(r.opposing(q), e.opposing(), 1e-12);
        }
        // self-influence = the library's LABEL-mode score of each training point on itself
        DenseMatrix diag = labelled.attribute(train()).scores();
        List<RankedPoint> top = idx.selfInfluenceTop(300);
        for (RankedPoint p : top) {
            assertEquals(diag.get(p.trainIndex(), p.trainIndex()), p.score(), 1e-12 * Math.abs(p.score()));
        }
        for (int r2 = 1; r2 < top.size(); r2++) {
            assertTrue(top.get(r2 - 1).score() >= top.get(r2).score());
        }
    }

    @Test
    void float32RowsGiveTheSameRanking() {
        ExplanationIndex f64 = ExplanationIndex.open(rpsIndex(false));
        ExplanationIndex f32 = ExplanationIndex.open(rpsIndex(true));
        assertTrue(f32.keys().float32());
        assertEquals(f64.keyBytes() / 2, f32.keyBytes());
        DenseMatrix t = test();
        for (int q = 0; q < t.rows(); q++) {
            Explanation a = f64.explain(t.row(q), null, 10, Direction.BOTH);
            Explanation b = f32.explain(t.row(q), null, 10, Direction.BOTH);
            // float32 rounding of the stored features: relative score error ~ 1e-7, far below the gaps here
            assertSameRanking(a.supporting(), b.supporting(), 1e-5);
            assertSameRanking(a.opposing(), b.opposing(), 1e-5);
        }
    }

    @Test
    void influenceIndexScoresThroughTheLibrary() {
        SplittableRandom r = new SplittableRandom(9);
        DenseMatrix x = gaussian(60, 3, r, false);
        int[] y = labels(x, 2, r);
        Examples tr = Examples.labeled(x.rowRange(0, 50), java.util.Arrays.copyOfRange(y, 0, 50));
        InfluenceAttributor p = Attributors.influence(LinearModels.Kind.LOGISTIC).l2(0.05).solver(Solver.EXACT)
                .damping(0).prepare(tr);
        Path art = tmp.resolve("inf-art");
        p.save(art);
        Path dir = tmp.resolve("inf-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        ExplanationIndex idx = ExplanationIndex.open(dir);
        assertEquals("influence", idx.method());
        int[] yt = java.util.Arrays.copyOfRange(y, 50, 60);
        PreparedAttributor.Ranking lib = p.topK(Examples.labeled(x.rowRange(50, 60), yt), 4);
        for (int q = 0; q < 10; q++) {
            Explanation e = idx.explain(x.row(50 + q), yt[q], 4, Direction.BOTH);
            assertSameRanking(lib.supporting(q), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(q), e.opposing(), 1e-12);
        }
        double[] self = p.selfInfluence().scores();
        RankedPoint top = idx.selfInfluenceTop(1).get(0);
        assertEquals(java.util.Arrays.stream(self).max().getAsDouble(), top.score(), 0.0);
    }

    @Test
    void streamingTopKEqualsTopKSink() {
        SplittableRandom r = new SplittableRandom(3);
        double[] row = new double[500];
        for (int i = 0; i < row.length; i++) {
            row[i] = i % 7 == 0 ? 0.5 : i % 11 == 0 ? 0.0 : Math.round(r.nextGaussian() * 4) / 4.0; // many ties
        }
        for (int k : new int[] {0, 1, 5, 600}) {
            TopKSink sink = new TopKSink(k);
            sink.accept(0, new DenseMatrix(1, row.length, row.clone()));
            TopK want = sink.result();
            StreamingTopK s = new StreamingTopK(k);
            for (int i = 0; i < row.length; i++) {
                s.offer(i, row[i]);
            }
            assertEquals(want.supporting(0), s.supporting());
            assertEquals(want.opposing(0), s.opposing());
        }
    }

    @Test
    void refusesUnknownVersionFormatAndMethod() throws Exception {
        Path idx = rpsIndex(false);
        Path json = idx.resolve("index.json");
        String ok = Files.readString(json);
        Files.writeString(json, ok.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"));
        DataException e = assertThrows(DataException.class, () -> ExplanationIndex.open(idx));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
        Files.writeString(json, ok.replace("\"method\" : \"rps-l2\"", "\"method\" : \"representer-l2\""));
        e = assertThrows(DataException.class, () -> ExplanationIndex.open(idx));
        assertTrue(e.getMessage().contains("method 'representer-l2' is not known"), e.getMessage());
        Files.writeString(json, ok.replace(ExplanationIndex.FORMAT, "something-else"));
        e = assertThrows(DataException.class, () -> ExplanationIndex.open(idx));
        assertTrue(e.getMessage().contains("something-else"), e.getMessage());
        Files.writeString(json, ok);
        assertEquals(300, ExplanationIndex.open(idx).size());
        e = assertThrows(DataException.class, () -> ExplanationIndex.open(tmp));
        assertTrue(e.getMessage().contains("no index.json"), e.getMessage());
    }

    @Test
    void buildIsAllOrNothingAndChecksPayloads() {
        RepresenterAttributor p = Attributors.representer().lambda(0.01).prepare(train());
        Path art = tmp.resolve("art");
        p.save(art);
        Path out = tmp.resolve("idx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ExplanationIndex.build(art, out, IndexBuildOptions.defaults().withImages(new byte[10], 2, 2)));
        assertTrue(e.getMessage().contains("10 image bytes for 300 training rows"), e.getMessage());
        assertFalse(Files.exists(out));
        byte[] px = new byte[300 * 4];
        px[5] = (byte) 200;
        ExplanationIndex.build(art, out, IndexBuildOptions.defaults().withImages(px, 2, 2)
                .withIds(java.util.stream.IntStream.range(0, 300).mapToObj(i -> "row-" + i).toList()));
        ExplanationIndex idx = ExplanationIndex.open(out);
        assertArrayEquals(new byte[] {0, (byte) 200, 0, 0}, idx.image(1));
        assertEquals("row-7", idx.id(7));
        assertEquals(Y[7], idx.label(7));
        assertThrows(DataException.class, () -> ExplanationIndex.build(art, out, IndexBuildOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> idx.explain(new double[3], null, 3, Direction.BOTH));
        double[] nan = new double[7];
        nan[2] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> idx.explain(nan, null, 3, Direction.BOTH));
    }

    @Test
    void rowByRowBuildEqualsTheArtifactBuild() {
        ExplanationIndex a = ExplanationIndex.open(rpsIndex(false));
        RepresenterAttributor p = (RepresenterAttributor) Attributors.load(tmp.resolve("rps-art-false"));
        DenseMatrix f = p.points().trainFeatures();
        int[] y = java.util.Arrays.copyOf(Y, 300);
        Path out = tmp.resolve("rows");
        ExplanationIndex.buildRepresenter(out, f.rows(), f.cols(), (i, r) -> System.arraycopy(f.data(), i * f.cols(),
                r, 0, f.cols()), p.points().alpha(), p.points().theta(), p.points().loss(), y,
                java.util.Map.of("source", "test"), "0".repeat(64), false);
        ExplanationIndex b = ExplanationIndex.open(out);
        for (int q = 0; q < 30; q++) {
            double[] t = test().row(q);
            Explanation ea = a.explain(t, null, 6, Direction.BOTH);
            Explanation eb = b.explain(t, null, 6, Direction.BOTH);
            assertSameRanking(ea.supporting(), eb.supporting(), 0.0);
            assertSameRanking(ea.opposing(), eb.opposing(), 0.0);
            assertArrayEquals(ea.outputs(), eb.outputs(), 0.0);
        }
        assertEquals(a.selfInfluenceTop(10), b.selfInfluenceTop(10));
    }
}
