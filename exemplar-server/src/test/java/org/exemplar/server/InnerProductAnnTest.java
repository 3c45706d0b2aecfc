package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.SparseExamples;
import org.exemplar.curvature.FisherKind;
import org.exemplar.index.Direction;
import org.exemplar.index.Explanation;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.IndexBuildOptions;
import org.exemplar.influence.TestFunction;
import org.exemplar.io.Json;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.trak.RandomProjection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approximate search over inner-product indexes (EK-FAC of a network explaining the margin, so the query vector
 * carries the convention's sign -1; K-FAC of a softmax regression; a TRAK ensemble of two networks, whose key and
 * query are the two models' blocks concatenated; TracInCP over three checkpoints, concatenated likewise;
 * representer-l1's support-scaled rows), on 1,500 generated training points, graphs built with the command line's
 * defaults (M 32, beam 200, one thread: a reproducible graph) and searched with the default ef 100: against the exact
 * index answer of the
 * same query (itself equal to the library's topK, KfacIndexTest / TrakIndexTest / TracInIndexTest / HdrepIndexTest)
 * the mean recall@10 of the supporting and of the opposing lists over 40 test points must be >= 0.95; every returned
 * score must equal the exact index's score of that training point (the full exact ranking, k = n) to 1e-9 relative
 * (the graph only selects; the candidates are re-scored from the stored float64 keys); answers say exact = false;
 * training-id queries explain the row's own label as the exact search does; over HTTP a batch of feature and
 * training-id queries answers exact = false with the same recall; kinds scored through the library are refused,
 * naming the method.
 */
class InnerProductAnnTest {
    @TempDir
    Path tmp;

    static final int N = 1500;
    static final int T = 40;
    static final int D = 6;
    static final int C = 3;
    private static final SplittableRandom R = new SplittableRandom(77);
    static final DenseMatrix X = TestIndexes.gaussian(N + T, D, R);
    static final int[] Y = labels(X, C, R);

    /** A noisy linear rule over random class directions. */
    static int[] labels(DenseMatrix x, int c, SplittableRandom r) {
        DenseMatrix w = TestIndexes.gaussian(c, x.cols(), r);
        int[] y = new int[x.rows()];
        for (int i = 0; i < y.length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                double s = 0.8 * r.nextGaussian();
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

    static Examples train() {
        return Examples.labeled(X.rowRange(0, N), Arrays.copyOf(Y, N));
    }

    private ExplanationIndex annIndex(PreparedAttributor<?> p, String name) {
        Path dir = TestIndexes.fromArtifact(p, tmp.resolve(name + "-idx"), IndexBuildOptions.defaults());
        ExplanationIndex idx = ExplanationIndex.open(dir);
        assertEquals("inner-product", idx.metadata().path("kind").asText());
        assertTrue(idx.admitsAnn());
        LuceneAnn.build(idx, 32, 200);
        ExplanationIndex reopened = ExplanationIndex.open(dir);
        JsonNode a = reopened.metadata().path("ann");
        assertEquals("lucene-hnsw-mip", a.path("kind").asText());
        assertEquals(1, a.path("graphs").asInt());
        assertEquals(reopened.metadata().path("keyWidth").asInt(), a.path("keyWidth").asInt());
        assertEquals(32, a.path("maxConn").asInt());
        assertEquals(200, a.path("beamWidth").asInt());
        assertTrue(Files.isDirectory(dir.resolve("ann").resolve("column-0")));
        assertFalse(Files.exists(dir.resolve("ann").resolve("column-1")));
        return reopened;
    }

    static double recall(List<RankedPoint> exact, List<RankedPoint> approx) {
        return LuceneAnnTest.recall(exact, approx);
    }

    /** All exact scores of a query (k = n: every nonzero score is in one of the two lists). */
    static Map<Integer, Double> allScores(Explanation full) {
        Map<Integer, Double> m = new HashMap<>();
        full.supporting().forEach(p -> m.put(p.trainIndex(), p.score()));
        full.opposing().forEach(p -> m.put(p.trainIndex(), p.score()));
        return m;
    }

    static void assertExactScores(Map<Integer, Double> exact, List<RankedPoint> approx, String what) {
        for (RankedPoint p : approx) {
            Double want = exact.get(p.trainIndex());
            assertTrue(want != null, what + ": id " + p.trainIndex() + " has no exact score");
            assertEquals(want, p.score(), 1e-9 * Math.abs(want), what + ": id " + p.trainIndex());
        }
    }

    /** Mean recall@10 over both lists of the test points (and the assertions on each answer); cls null = predicted. */
    static double meanRecall(ExplanationIndex idx, AnnSearch ann, int[] classes) {
        double sum = 0;
        int lists = 0;
        int opposing = 0;
        for (int t = 0; t < T; t++) {
            double[] f = X.row(N + t);
            Integer c = classes == null ? null : classes[t];
            Explanation ex = idx.explain(f, c, 10, Direction.BOTH);
            Explanation ap = ann.explain(f, c, 10, Direction.BOTH);
            assertTrue(ex.exact());
            assertFalse(ap.exact());
            assertEquals(ex.predictedClass(), ap.predictedClass());
            assertEquals(ex.explainedClass(), ap.explainedClass());
            Map<Integer, Double> all = allScores(idx.explain(f, c, N, Direction.BOTH));
            assertExactScores(all, ap.supporting(), idx.method() + " test " + t + " supporting");
            assertExactScores(all, ap.opposing(), idx.method() + " test " + t + " opposing");
            ap.supporting().forEach(p -> assertTrue(p.score() > 0));
            ap.opposing().forEach(p -> assertTrue(p.score() < 0));
            sum += recall(ex.supporting(), ap.supporting()) + recall(ex.opposing(), ap.opposing());
            lists += 2;
            opposing += ex.opposing().size();
        }
        assertTrue(opposing > T * 5, idx.method() + ": the opposing lists are mostly empty (" + opposing + ")");
        System.out.printf(java.util.Locale.ROOT, "%s: ANN recall@10 over %d test points, both lists: %.4f%n",
                idx.method(), T, sum / lists);
        return sum / lists;
    }

    /** Training rows as queries: the ANN answer explains the row's label (as explainTraining) with high recall. */
    static void assertTrainingQueries(ExplanationIndex idx, AnnSearch ann) {
        double sum = 0;
        int lists = 0;
        int labelNotPredicted = 0;
        for (int id = 0; id < 200; id += 5) {
            Explanation ex = idx.explainTraining(id, null, 10, Direction.BOTH);
            Explanation ap = ann.explainTraining(id, null, 10, Direction.BOTH);
            assertEquals(idx.label(id), ex.explainedClass());
            assertEquals(ex.explainedClass(), ap.explainedClass());
            labelNotPredicted += ex.explainedClass() != ex.predictedClass() ? 1 : 0;
            Map<Integer, Double> all = allScores(idx.explainTraining(id, null, N, Direction.BOTH));
            assertExactScores(all, ap.supporting(), idx.method() + " training " + id);
            assertExactScores(all, ap.opposing(), idx.method() + " training " + id);
            sum += recall(ex.supporting(), ap.supporting()) + recall(ex.opposing(), ap.opposing());
            lists += 2;
        }
        assertTrue(labelNotPredicted > 0, "no training query whose label differs from its prediction");
        assertTrue(sum / lists >= 0.95, idx.method() + " training-id recall@10 " + sum / lists);
    }

    /** Recall@10 of the graph against the exact index >= 0.95 (meanRecall's checks), and the training-id queries. */
    static void assertRecall(ExplanationIndex idx, int[] classes, String what, boolean trainingQueries) {
        try (LuceneAnn ann = LuceneAnn.open(idx)) {
            double r = meanRecall(idx, ann, classes);
            assertTrue(r >= 0.95, what + " mean recall@10 " + r);
            if (trainingQueries) {
                assertTrainingQueries(idx, ann);
            }
        }
    }

    private static int[] testLabels() {
        return Arrays.copyOfRange(Y, N, N + T);
    }

    @Test
    void ekfacOfANetworkExplainingTheMargin() {
        Mlp net = Mlp.initialize(D, new int[] {5}, Activation.TANH, C, 8);
        var p = Attributors.ekfac(net, new SoftmaxCrossEntropy()).damping(0.05).fisher(FisherKind.EXPECTED)
                .measure(TestFunction.MARGIN).prepare(train());
        assertEquals(-1.0, p.convention().rawFactor());
        ExplanationIndex idx = annIndex(p, "ekfac");
        assertRecall(idx, testLabels(), "ekfac", true);
    }

    @Test
    void kfacOfASoftmaxRegressionOverHttp() throws Exception {
        var p = Attributors.kfac(LinearModels.Kind.SOFTMAX).l2(0.02).damping(0.01).fisher(FisherKind.SAMPLED).seed(4)
                .prepare(train());
        ExplanationIndex idx = annIndex(p, "kfac");
        try (LuceneAnn ann = LuceneAnn.open(idx)) {
            double r = meanRecall(idx, ann, null);         // the predicted class, as a query without 'class'
            assertTrue(r >= 0.95, "kfac mean recall@10 " + r);
            assertTrainingQueries(idx, ann);
            try (ExplanationServer s = new ExplanationServer(idx, ann, ServerSettings.defaults().withPort(0)).start()) {
                assertHttpBatch(s, idx);
            }
        }
    }

    /**
     * One batch of 8 feature queries (with their labels) and 8 training-id queries, approximate and exact: the
     * approximate answers say exact = false, explain the same class, score exactly and reach recall@10 >= 0.95.
     */
    static void assertHttpBatch(ExplanationServer s, ExplanationIndex idx) throws Exception {
        StringBuilder qs = new StringBuilder();
        for (int t = 0; t < 8; t++) {
            qs.append("{\"features\":").append(Arrays.toString(X.row(N + t))).append(",\"class\":").append(Y[N + t])
                    .append("},");
        }
        for (int id = 3; id < 200; id += 25) {
            qs.append("{\"trainingId\":").append(id).append("},");
        }
        String queries = "[" + qs.substring(0, qs.length() - 1) + "]";
        HttpClient http = HttpClient.newHttpClient();
        List<JsonNode> answers = new ArrayList<>();
        for (boolean approx : new boolean[] {true, false}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/v1/explain/batch")).POST(HttpRequest.BodyPublishers.ofString("{\"queries\":" + queries
                    + ",\"k\":10,\"approximate\":" + approx + "}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            answers.add(Json.mapper().readTree(r.body()).path("results"));
        }
        double sum = 0;
        int lists = 0;
        for (int q = 0; q < 16; q++) {
            JsonNode ap = answers.get(0).get(q);
            JsonNode ex = answers.get(1).get(q);
            assertFalse(ap.path("exact").asBoolean(true), ap.toString());
            assertTrue(ex.path("exact").asBoolean(false), ex.toString());
            assertEquals(ex.path("explainedClass").asInt(), ap.path("explainedClass").asInt(), "query " + q);
            for (String list : new String[] {"supporting", "opposing"}) {
                Map<Integer, Double> want = new HashMap<>();
                ex.path(list).forEach(e -> want.put(e.path("id").asInt(), e.path("score").asDouble()));
                int hit = 0;
                for (JsonNode e : ap.path(list)) {
                    Double w = want.get(e.path("id").asInt());
                    if (w != null) {
                        hit++;
                        assertEquals(w, e.path("score").asDouble(), 1e-9 * Math.abs(w), "query " + q + " " + list);
                    }
                }
                sum += want.isEmpty() ? 1.0 : hit / (double) want.size();
                lists++;
            }
        }
        assertTrue(sum / lists >= 0.95, "HTTP batch recall@10 " + sum / lists);
    }

    @Test
    void trakEnsembleOfTwoNetworks() {
        Mlp a = Mlp.initialize(D, new int[] {4}, Activation.TANH, C, 3);
        Mlp b = Mlp.initialize(D, new int[] {6}, Activation.TANH, C, 4);
        var p = Attributors.trak().models(List.of(a, b)).dimension(12).projection(RandomProjection.Kind.GAUSSIAN)
                .damping(1e-2).seed(7).prepare(train());
        assertEquals(24, p.keyWidth());
        ExplanationIndex idx = annIndex(p, "trak");
        assertRecall(idx, testLabels(), "trak", true);
    }

    @Test
    void tracInOverThreeCheckpoints() {
        var p = Attributors.tracInNetwork(new int[] {4}, Activation.TANH, new SoftmaxCrossEntropy())
                .training(org.exemplar.model.TrainingOptions.sgd(0.3, 0.0).withBatchSize(64).withEpochs(3).withSeed(4))
                .initSeed(6).measure(TestFunction.LOSS).prepare(train());
        ExplanationIndex idx = annIndex(p, "tracin");
        assertEquals(3, idx.metadata().path("checkpoints").asInt());
        assertRecall(idx, testLabels(), "tracin-mlp", false);
    }

    @Test
    void representerL1() {
        DenseMatrix x = new DenseMatrix(N + T, 20);
        double[] y = new double[N + T];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < N + T; i++) {
            double s = 0;
            for (int j = 0; j < 20; j++) {
                if (r.nextDouble() < 0.4) {
                    double v = 1 + r.nextDouble();
                    x.set(i, j, v);
                    s += j % 3 == 0 ? (j % 2 == 0 ? v : -v) : 0;
                }
            }
            y[i] = s + 0.8 * r.nextGaussian() >= 0 ? 1 : -1;
        }
        var p = Attributors.l1Representer().lambda(0.005).tolerance(1e-10, 2000)
                .prepare(new SparseExamples(CsrMatrix.fromDense(x.rowRange(0, N)), Arrays.copyOf(y, N)));
        int support = p.representer().support().length;
        assertTrue(support > 3, "support " + support);
        ExplanationIndex idx = annIndex(p, "l1");
        double sum = 0;
        int lists = 0;
        try (LuceneAnn ann = LuceneAnn.open(idx)) {
            for (int t = 0; t < T; t++) {
                double[] f = x.row(N + t);
                Explanation ex = idx.explain(f, null, 10, Direction.BOTH);
                Explanation ap = ann.explain(f, null, 10, Direction.BOTH);
                assertFalse(ap.exact());
                assertFalse(ex.supporting().isEmpty() || ex.opposing().isEmpty());
                Map<Integer, Double> all = allScores(idx.explain(f, null, N, Direction.BOTH));
                assertExactScores(all, ap.supporting(), "l1 test " + t);
                assertExactScores(all, ap.opposing(), "l1 test " + t);
                sum += recall(ex.supporting(), ap.supporting()) + recall(ex.opposing(), ap.opposing());
                lists += 2;
            }
        }
        System.out.printf(java.util.Locale.ROOT, "representer-l1: ANN recall@10 %.4f%n", sum / lists);
        assertTrue(sum / lists >= 0.95, "representer-l1 mean recall@10 " + sum / lists);
    }

    /** Kinds scored through the library keep refusing a graph, naming the method; no ann folder is written. */
    @Test
    void influenceIsRefusedNamingTheMethod() {
        var p = Attributors.influence(LinearModels.Kind.SOFTMAX).l2(0.05).damping(0.001)
                .prepare(Examples.labeled(X.rowRange(0, 200), Arrays.copyOf(Y, 200)));
        Path dir = TestIndexes.fromArtifact(p, tmp.resolve("inf-idx"), IndexBuildOptions.defaults());
        ExplanationIndex idx = ExplanationIndex.open(dir);
        assertFalse(idx.admitsAnn());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LuceneAnn.build(idx, 16, 100));
        assertTrue(e.getMessage().startsWith("influence indexes (kind artifact)") && e.getMessage().contains("no ANN"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("ann")));
        assertTrue(idx.metadata().path("ann").isNull());
    }
}
