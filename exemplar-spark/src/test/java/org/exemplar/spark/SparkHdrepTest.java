package org.exemplar.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.SparseExamples;
import org.exemplar.attribution.SparseRepresenterAttributor;
import org.exemplar.attribution.TopK;
import org.exemplar.cf.CfAttribution;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.PairExplanation;
import org.exemplar.cf.Ratings;
import org.exemplar.data.Npy;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.SparseFit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark l1} and {@code spark cf} against the single-machine library on generated data, in local[2]: the
 * library computes its answer through its own entry points (the L1 attributor's top-k; CfRepresenter.explain), the
 * Spark jobs through the block kernels; same training points in the same order, scores to 1e-10.
 */
class SparkHdrepTest {
    private static SparkSession spark;

    // L1: n sparse training rows of p features (about 12 non-zeros per row), nt test rows
    private static final int N = 300;
    private static final int P = 1500;
    private static final int NT = 11;
    private static final double LAMBDA = 0.004;
    private static CsrMatrix x;
    private static double[] y01;
    private static CsrMatrix xt;
    private static SparseRepresenterAttributor core;

    // CF: a log of ratings over NU users x NI items, factors of rank K
    private static final int NU = 40;
    private static final int NI = 35;
    private static final int K = 4;
    private static Ratings ratings;
    private static DenseMatrix uf;
    private static DenseMatrix vf;
    private static int[][] pairs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("exemplar-spark-hdrep-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        Random r = new Random(5);
        double[] truth = new double[P];
        for (int j = 0; j < 150; j += 5) {
            truth[j] = 3 * r.nextGaussian();
        }
        x = sparse(r, N, 12);
        y01 = new double[N];
        for (int i = 0; i < N; i++) {
            y01[i] = x.rowDot(i, truth) + 0.3 * r.nextGaussian() > 0 ? 1 : 0;
        }
        xt = sparse(r, NT, 24);
        double[] signed = Arrays.stream(y01).map(v -> v == 1 ? 1 : -1).toArray();
        core = Attributors.l1Representer().lambda(LAMBDA).fitBias(true).tolerance(1e-10, 5000)
                .prepare(new SparseExamples(x, signed));

        ratings = lowRank(new Random(8), NU, NI, 0.25);
        Random g = new Random(9);
        uf = gaussian(g, NU, K);
        vf = gaussian(g, NI, K);
        // observed pairs (the rating itself is a user-based term), unobserved ones, a user with no ratings (39)
        pairs = new int[][] {{0, 3, 7, 21, 39, ratings.user(10), ratings.user(77)},
            {1, 34, 7, 0, 2, ratings.item(10), ratings.item(77)}};
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Rows with about {@code perRow} non-zeros, values in [0.5, 1.5): half of them among the first 150 columns (the
     * ones that carry the signal, so that rows share words), half anywhere in the 1500.
     */
    static CsrMatrix sparse(Random r, int n, int perRow) {
        int[] ptr = new int[n + 1];
        List<Integer> idx = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] cols = java.util.stream.IntStream.concat(r.ints(perRow / 2, 0, 150), r.ints(perRow / 2, 0, P))
                    .distinct().sorted().toArray();
            for (int j : cols) {
                idx.add(j);
                val.add(0.5 + r.nextDouble());
            }
            ptr[i + 1] = idx.size();
        }
        return new CsrMatrix(n, P, ptr, idx.stream().mapToInt(Integer::intValue).toArray(),
                val.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static DenseMatrix gaussian(Random r, int n, int p) {
        DenseMatrix m = new DenseMatrix(n, p);
        for (int q = 0; q < m.data().length; q++) {
            m.data()[q] = r.nextGaussian();
        }
        return m;
    }

    static Ratings lowRank(Random r, int nu, int ni, double density) {
        List<int[]> ui = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < nu - 1; i++) {           // the last user has no ratings
            for (int j = 0; j < ni; j++) {
                if (r.nextDouble() < density) {
                    ui.add(new int[] {i, j});
                    v.add((double) (1 + r.nextInt(5)));
                }
            }
        }
        return new Ratings(nu, ni, ui.stream().mapToInt(a -> a[0]).toArray(),
                ui.stream().mapToInt(a -> a[1]).toArray(), v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    // ---------------------------------------------------------------- L1

    static double[] theta() {
        return core.representer().fit().theta();
    }

    static double bias() {
        return core.representer().fit().bias();
    }

    /** id, features (ML SparseVector), label, in a shuffled order. */
    static Dataset<Row> sparseFrame(CsrMatrix m, double[] labels, long seed) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            int a = m.indptr()[i];
            int b = m.indptr()[i + 1];
            Object v = Vectors.sparse(m.cols(), Arrays.copyOfRange(m.indices(), a, b),
                    Arrays.copyOfRange(m.values(), a, b));
            rows.add(RowFactory.create((long) i, v, labels == null ? 0.0 : labels[i]));
        }
        Collections.shuffle(rows, new Random(seed));
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("features", SQLDataTypes.VectorType(), false).add("label", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** id, indices array&lt;int&gt;, values array&lt;double&gt;, label int. */
    static Dataset<Row> arrayFrame(CsrMatrix m, double[] labels, long seed) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            int a = m.indptr()[i];
            int b = m.indptr()[i + 1];
            rows.add(RowFactory.create((long) i, Arrays.copyOfRange(m.indices(), a, b),
                    Arrays.copyOfRange(m.values(), a, b), (int) labels[i]));
        }
        Collections.shuffle(rows, new Random(seed));
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("indices", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema);
    }

    static SparseSet train(int partitions, long seed) {
        return SparseSet.of(sparseFrame(x, y01, seed), SparseColumns.vector("id", "features", "label"), "training")
                .repartition(partitions);
    }

    static SparseSet.Chunk test() {
        return SparseSet.of(sparseFrame(xt, null, 1), SparseColumns.vector("id", "features", null), "test")
                .collect(P);
    }

    static SparkL1Representer.Model model() {
        return new SparkL1Representer.Model(theta(), bias(), LAMBDA);
    }

    static void assertSameRanking(TopK expected, TopK got, double tol) {
        assertEquals(expected.testSize(), got.testSize());
        for (int t = 0; t < expected.testSize(); t++) {
            assertSameList(expected.supporting(t), got.supporting(t), tol, "supporting of test " + t);
            assertSameList(expected.opposing(t), got.opposing(t), tol, "opposing of test " + t);
        }
    }

    static void assertSameList(List<RankedPoint> e, List<RankedPoint> g, double tol, String what) {
        assertEquals(e.size(), g.size(), what);
        for (int q = 0; q < e.size(); q++) {
            assertEquals(e.get(q).trainIndex(), g.get(q).trainIndex(), what + " rank " + q);
            assertEquals(e.get(q).score(), g.get(q).score(), tol * Math.max(1e-3, Math.abs(e.get(q).score())),
                    what + " rank " + q);
        }
    }

    @Test
    void l1TopKEqualsTheCoreAttributor() {
        SparseFit fit = core.representer().fit();
        assertTrue(fit.converged() && fit.support() > 5 && fit.support() < P / 5, "support " + fit.support());
        assertTrue(fit.bias() != 0);
        // the library's own entry point: the prepared attributor's top-k (HighDimRepresenter.values per test row)
        TopK expected = core.topK(SparseExamples.unlabeled(xt), 6).topK();
        // 11 test points in 3 broadcast blocks (the last one short), 3 partitions of shuffled rows
        SparkL1Representer.Result r = SparkL1Representer.topK(spark, train(3, 7), model(), test(), 6, 4);
        assertEquals(N, r.pass().rows());
        // the same products summed in the same order; 1/n applied after the pass instead of inside alpha: ~1e-16
        assertSameRanking(expected, r.topK().toTopK(), 1e-10);
        // long lists: the test rows share support words with many training rows of both signs
        int listed = 0;
        for (int t = 0; t < NT; t++) {
            assertTrue(expected.supporting(t).size() >= 2 && expected.opposing(t).size() >= 2, "test " + t);
            listed += expected.supporting(t).size() + expected.opposing(t).size();
        }
        assertTrue(listed >= 100, listed + " of " + 2 * 6 * NT + " places filled");
        // Cor. 2: every test point's importances over all rows sum to x'theta, up to the fit's KKT residual
        assertTrue(r.decompositionError() < 1e-7, "decomposition error " + r.decompositionError());
    }

    @Test
    void l1ResultsDoNotDependOnPartitionsOrTheirOrderNorOnTheColumnLayout() {
        SparseSet.Chunk test = test();
        TopK reference = null;
        long digest = 0;
        int[] parts = {1, 2, 5};
        long[] seeds = {3, 99, 1234};
        for (int q = 0; q < parts.length; q++) {
            SparkL1Representer.Result r = SparkL1Representer.topK(spark, train(parts[q], seeds[q]), model(), test,
                    5, 64);
            if (reference == null) {
                reference = r.topK().toTopK();
                digest = r.pass().digest();
            } else {
                assertSameRanking(reference, r.topK().toTopK(), 1e-15);
                assertEquals(digest, r.pass().digest());
            }
        }
        // indices / values array columns and int labels: the same rows, the same ranking
        SparseSet arrays = SparseSet.of(arrayFrame(x, y01, 4), SparseColumns.arrays("id", "indices", "values",
                "label"), "training").repartition(3);
        SparkL1Representer.Result r = SparkL1Representer.topK(spark, arrays, model(), test, 5, 64);
        assertSameRanking(reference, r.topK().toTopK(), 1e-15);
        assertEquals(digest, r.pass().digest());
    }

    /** The training rows with row {@code bad} replaced. */
    static Dataset<Row> withRow(int bad, UnaryOperator<Row> change) {
        List<Row> rows = new ArrayList<>(sparseFrame(x, y01, 0).orderBy("id").collectAsList());
        rows.set(bad, change.apply(rows.get(bad)));
        return spark.createDataFrame(rows, sparseFrame(x, y01, 0).schema()).repartition(3);
    }

    @Test
    void l1BadRowsAreNamed() {
        SparseSet.Chunk test = test();
        SparseColumns cols = SparseColumns.vector("id", "features", "label");
        // a vector of another size than the weights
        SparseSet wide = SparseSet.of(withRow(37, r -> RowFactory.create(37L, Vectors.sparse(P + 1, new int[] {3},
                new double[] {1}), 1.0)), cols, "training");
        InputException e = assertThrows(InputException.class, () -> SparkL1Representer.topK(spark, wide, model(),
                test, 3, 64));
        assertEquals("training row id 37 has a feature vector of size 1501, expected 1500 (the length of the "
                + "weights)", e.getMessage());
        // an index out of range (array columns declare no size)
        List<Row> rows = new ArrayList<>(arrayFrame(x, y01, 0).collectAsList());
        for (int q = 0; q < rows.size(); q++) {
            if (rows.get(q).getLong(0) == 12) {
                rows.set(q, RowFactory.create(12L, new int[] {4, P}, new double[] {1, 2}, 1));
            }
        }
        SparseSet outOfRange = SparseSet.of(spark.createDataFrame(rows, arrayFrame(x, y01, 0).schema())
                .repartition(2), SparseColumns.arrays("id", "indices", "values", "label"), "training");
        InputException e2 = assertThrows(InputException.class, () -> SparkL1Representer.topK(spark, outOfRange,
                model(), test, 3, 64));
        assertEquals("training row id 12 has feature index 1500 outside [0, 1500) (the weights have 1500 entries)",
                e2.getMessage());
        // a label that is not binary, and 0 mixed with -1
        SparseSet label2 = SparseSet.of(withRow(5, r -> RowFactory.create(5L, r.get(1), 2.0)), cols, "training");
        InputException e3 = assertThrows(InputException.class, () -> SparkL1Representer.topK(spark, label2,
                model(), test, 3, 64));
        assertTrue(e3.getMessage().startsWith("training row id 5 has label 2.0"), e3.getMessage());
        SparseSet mixed = SparseSet.of(withRow(int0(), r -> RowFactory.create(r.getLong(0), r.get(1), -1.0)), cols,
                "training");
        InputException e4 = assertThrows(InputException.class, () -> SparkL1Representer.topK(spark, mixed,
                model(), test, 3, 64));
        assertTrue(e4.getMessage().startsWith("training labels mix 0 (row id "), e4.getMessage());
        // test rows of another width than the weights: named before the training data is read
        InputException e5 = assertThrows(InputException.class, () -> SparkL1Representer.topK(spark, train(2, 1),
                new SparkL1Representer.Model(new double[P + 2], 0, LAMBDA), test, 3, 8));
        assertEquals("test rows have 1500 features, the weights 1502", e5.getMessage());
        // a features column that is not a Vector
        InputException e6 = assertThrows(InputException.class, () -> SparseSet.of(arrayFrame(x, y01, 0),
                SparseColumns.vector("id", "values", "label"), "training"));
        assertTrue(e6.getMessage().contains("features column 'values' has type array<double>"), e6.getMessage());
    }

    /** The id of the first row labeled 1 (turned into a -1 next to the 0s). */
    private static int int0() {
        for (int i = 0; i < N; i++) {
            if (y01[i] == 1) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    @Test
    void theL1CommandWritesParquetWithProvenanceAndRefusesBadInput() throws IOException {
        Path trainPath = tmp.resolve("train.parquet");
        Path testPath = tmp.resolve("test.parquet");
        sparseFrame(x, y01, 2).repartition(3).write().parquet(trainPath.toString());
        sparseFrame(xt, null, 2).write().parquet(testPath.toString());
        // the weights as `exemplar hdrep l1 --bias` writes them: theta.npy, bias and lambda in summary.json
        Path model = Files.createDirectory(tmp.resolve("l1-out"));
        Npy.write(model.resolve("theta.npy"), theta());
        Files.writeString(model.resolve("summary.json"), "{\"bias_term\": " + bias() + ", \"settings\": "
                + "{\"lambda\": " + LAMBDA + "}}");
        Path out = tmp.resolve("out");
        String[] args = {"l1", "--master", "local[2]", "--train", trainPath.toString(), "--test",
            testPath.toString(), "--model", model.toString(), "--k", "4", "--out", out.toString()};
        assertEquals(0, Main.run(args));
        Dataset<Row> res = spark.read().parquet(out.resolve("l1.parquet").toString());
        TopK expected = core.topK(SparseExamples.unlabeled(xt), 4).topK();
        long rows = 0;
        for (int t = 0; t < NT; t++) {
            rows += expected.supporting(t).size() + expected.opposing(t).size();
        }
        assertEquals(rows, res.count());
        Row best = res.filter("test_id = 3 AND kind = 'excitatory' AND rank = 1").first();
        assertEquals(expected.supporting(3).get(0).trainIndex(), best.getLong(best.fieldIndex("train_id")));
        assertEquals(expected.supporting(3).get(0).score(), best.getDouble(best.fieldIndex("score")), 1e-12);
        String prov = ParquetResults.readProvenance(spark, out.resolve("l1.parquet").toString());
        assertTrue(prov.contains("\"method\" : \"spark-hdrep-l1\"") && prov.contains("row-digest:")
                && prov.contains("sha256:"), prov);
        assertTrue(Files.readString(out.resolve("summary.json")).contains("decompositionError"));
        // an existing folder: exit 2
        assertEquals(2, Main.run(args));
        // weights of the wrong length: exit 2, nothing written
        Npy.write(tmp.resolve("short.npy"), new double[P - 1]);
        Path out2 = tmp.resolve("out2");
        assertEquals(2, Main.run("l1", "--master", "local[2]", "--train", trainPath.toString(), "--test",
                testPath.toString(), "--theta", tmp.resolve("short.npy").toString(), "--lambda", "0.004",
                "--out", out2.toString()));
        assertTrue(Files.notExists(out2));
    }

    // ---------------------------------------------------------------- CF

    static Dataset<Row> logFrame(Ratings r, long seed) {
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < r.size(); t++) {
            rows.add(RowFactory.create(r.user(t), r.item(t), r.value(t)));
        }
        Collections.shuffle(rows, new Random(seed));
        StructType schema = new StructType().add("user", DataTypes.IntegerType, false)
                .add("item", DataTypes.IntegerType, false).add("rating", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }

    static Dataset<Row> pairFrame(int[][] p) {
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < p[0].length; t++) {
            rows.add(RowFactory.create((long) t, (long) p[0][t], (long) p[1][t]));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("user", DataTypes.LongType,
                false).add("item", DataTypes.LongType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** Spark's explanations (collected) of one test id: side -> list of (training index, score), rank order. */
    static Map<String, List<double[]>> sides(List<Row> explanations, long testId, Ratings r) {
        Map<String, List<double[]>> m = new HashMap<>();
        m.put("excitatory", new ArrayList<>());
        m.put("inhibitory", new ArrayList<>());
        List<Row> mine = new ArrayList<>(explanations.stream().filter(row -> row.getLong(0) == testId).toList());
        mine.sort(java.util.Comparator.comparing((Row row) -> row.getString(3)).thenComparingInt(row -> row.getInt(4)));
        for (Row row : mine) {
            int t = r.find((int) row.getLong(row.fieldIndex("train_user")),
                    (int) row.getLong(row.fieldIndex("train_item")));
            String kind = row.getString(row.fieldIndex("kind"));
            assertEquals(CfRepresenter.kind(r.user(t), r.item(t), (int) row.getLong(1), (int) row.getLong(2))
                    .label(), kind);
            m.get(row.getString(row.fieldIndex("side"))).add(new double[] {t, row.getDouble(row.fieldIndex("score"))});
        }
        return m;
    }

    /** Core's explanation, cut the way MergeableTopK keeps it: the k largest positive, the k most negative. */
    static void assertSameAsCore(PairExplanation e, Map<String, List<double[]>> got, int k, String what) {
        List<CfAttribution> a = e.attributions();    // sorted by score, largest first
        List<CfAttribution> pos = a.stream().filter(x -> x.score() > 0).limit(k).toList();
        List<CfAttribution> neg = new ArrayList<>(a.stream().filter(x -> x.score() < 0).toList());
        Collections.reverse(neg);
        neg = neg.subList(0, Math.min(k, neg.size()));
        assertSide(pos, got.get("excitatory"), what + " excitatory");
        assertSide(neg, got.get("inhibitory"), what + " inhibitory");
    }

    static void assertSide(List<CfAttribution> e, List<double[]> g, String what) {
        assertEquals(e.size(), g.size(), what);
        for (int q = 0; q < e.size(); q++) {
            assertEquals(e.get(q).trainIndex(), (int) g.get(q)[0], what + " rank " + q);
            assertEquals(e.get(q).score(), g.get(q)[1], 1e-10 * Math.max(1, Math.abs(e.get(q).score())),
                    what + " rank " + q);
        }
    }

    @Test
    void cfExplanationsEqualTheCoreRepresenter() {
        int k = 5;
        SparkCf.Model model = SparkCf.Model.of(uf, vf, CfLoss.SQUARED, 1.0);
        SparkCf.Result r = SparkCf.explain(spark, logFrame(ratings, 3), new SparkCf.LogColumns("user", "item",
                "rating"), pairFrame(pairs), SparkCf.PairColumns.defaults(), model, k, 3);
        assertEquals(ratings.size(), r.log().rows());
        assertEquals(pairs[0].length, r.testPairs());
        List<Row> ex = r.explanations(spark).collectAsList();
        List<Row> pr = r.predictions(spark).collectAsList();
        // the library's own entry point: Algorithm 1 and Definition 1 on one machine
        CfRepresenter rep = CfRepresenter.forFactorization(ratings, new Factorization(uf, vf), CfLoss.SQUARED, null);
        for (int t = 0; t < pairs[0].length; t++) {
            PairExplanation e = rep.explain(pairs[0][t], pairs[1][t]);
            assertSameAsCore(e, sides(ex, t, ratings), k, "pair " + t);
            long id = t;
            Row p = pr.stream().filter(row -> row.getLong(0) == id).findFirst().orElseThrow();
            assertEquals(e.prediction(), p.getDouble(3), 1e-12 * Math.max(1, Math.abs(e.prediction())));
            assertEquals(e.userBasedSum(), p.getDouble(4), 1e-10 * Math.max(1, Math.abs(e.userBasedSum())));
            assertEquals(e.itemBasedSum(), p.getDouble(5), 1e-10 * Math.max(1, Math.abs(e.itemBasedSum())));
            assertEquals(e.attributions().size(), p.getLong(6));
        }
        // the user with no ratings: item-based terms none, user-based ones from item 2's raters
        assertTrue(ex.stream().noneMatch(row -> row.getLong(0) == 4 && row.getString(7).equals("item")));
        assertTrue(ex.stream().anyMatch(row -> row.getLong(0) == 4 && row.getString(7).equals("user")));
        r.release();
    }

    @Test
    void cfResultsDoNotDependOnPartitionsOrTheirOrder() {
        // the logistic loss with a negative weight: 0/1 ratings (> 3 = 1), the 0s weighted 0.3
        Ratings binary = new Ratings(NU, NI, ratings.users(), ratings.items(),
                Arrays.stream(ratings.values()).map(v -> v > 3 ? 1 : 0).toArray());
        SparkCf.Model model = SparkCf.Model.of(uf, vf, CfLoss.LOGISTIC, 0.3);
        List<Row> reference = null;
        int[] parts = {1, 2, 5};
        long[] seeds = {4, 41, 414};
        for (int q = 0; q < parts.length; q++) {
            SparkCf.Result r = SparkCf.explain(spark, logFrame(binary, seeds[q]), SparkCf.LogColumns.defaults(),
                    pairFrame(pairs), SparkCf.PairColumns.defaults(), model, 4, parts[q]);
            List<Row> got = new ArrayList<>(r.explanations(spark).collectAsList());
            got.sort(java.util.Comparator.comparingLong((Row row) -> row.getLong(0))
                    .thenComparing(row -> row.getString(3)).thenComparingInt(row -> row.getInt(4)));
            r.release();
            if (reference == null) {
                reference = got;
                // and equal to core's, on this loss too
                double[] w = new double[binary.size()];
                for (int t = 0; t < w.length; t++) {
                    w[t] = CfRepresenter.weight(CfLoss.LOGISTIC, 0.3, binary.value(t));
                }
                CfRepresenter rep = CfRepresenter.forFactorization(binary, new Factorization(uf, vf),
                        CfLoss.LOGISTIC, w);
                for (int t = 0; t < pairs[0].length; t++) {
                    assertSameAsCore(rep.explain(pairs[0][t], pairs[1][t]), sides(got, t, binary), 4, "pair " + t);
                }
            } else {
                assertEquals(reference.size(), got.size());
                for (int q2 = 0; q2 < got.size(); q2++) {
                    // identical rows: each score is one rating's kernel value, whatever the partitioning
                    assertEquals(reference.get(q2), got.get(q2));
                }
            }
        }
    }

    @Test
    void cfBadInputIsNamed() {
        SparkCf.Model model = SparkCf.Model.of(uf, vf, CfLoss.SQUARED, 1.0);
        // a rating of an unknown user (the factors have 40 rows)
        List<Row> rows = new ArrayList<>(logFrame(ratings, 1).collectAsList());
        rows.add(RowFactory.create(NU, 3, 4.0));
        Dataset<Row> log = spark.createDataFrame(rows, logFrame(ratings, 1).schema()).repartition(2);
        InputException e = assertThrows(InputException.class, () -> SparkCf.explain(spark, log,
                SparkCf.LogColumns.defaults(), pairFrame(pairs), SparkCf.PairColumns.defaults(), model, 3, null));
        assertEquals("interaction log row (user 40, item 3, rating 4.0): unknown user 40: outside [0, 40), the rows "
                + "of the user factors", e.getMessage());
        // a test pair with an unknown item
        InputException e2 = assertThrows(InputException.class, () -> SparkCf.explain(spark, logFrame(ratings, 1),
                SparkCf.LogColumns.defaults(), pairFrame(new int[][] {{1, 2}, {3, NI + 5}}),
                SparkCf.PairColumns.defaults(), model, 3, null));
        assertEquals("test pair id 1: unknown item 40: outside [0, 35), the rows of the item factors",
                e2.getMessage());
        // a test id twice
        Dataset<Row> twice = pairFrame(new int[][] {{1}, {3}}).union(pairFrame(new int[][] {{2}, {4}}));
        InputException e3 = assertThrows(InputException.class, () -> SparkCf.explain(spark, logFrame(ratings, 1),
                SparkCf.LogColumns.defaults(), twice, SparkCf.PairColumns.defaults(), model, 3, null));
        assertTrue(e3.getMessage().startsWith("test pair id 0 appears twice"), e3.getMessage());
        // a rating column that is not a number
        InputException e4 = assertThrows(InputException.class, () -> SparkCf.explain(spark,
                logFrame(ratings, 1).withColumn("rating", org.apache.spark.sql.functions.lit("x")),
                SparkCf.LogColumns.defaults(), pairFrame(pairs), SparkCf.PairColumns.defaults(), model, 3, null));
        assertTrue(e4.getMessage().contains("rating column 'rating' has type string"), e4.getMessage());
        // factors of different widths
        assertThrows(InputException.class, () -> SparkCf.Model.of(uf, gaussian(new Random(1), NI, K + 1),
                CfLoss.SQUARED, 1.0));
    }

    @Test
    void theCfCommandWritesBothResultsWithProvenanceAndRefusesBadInput() throws IOException {
        Path log = tmp.resolve("ratings.parquet");
        Path p = tmp.resolve("pairs.parquet");
        logFrame(ratings, 5).repartition(2).write().parquet(log.toString());
        pairFrame(pairs).write().parquet(p.toString());
        Npy.write(tmp.resolve("U.npy"), uf);
        Npy.write(tmp.resolve("V.npy"), vf);
        Path out = tmp.resolve("cf-out");
        String[] args = {"cf", "--master", "local[2]", "--ratings", log.toString(), "--test-pairs", p.toString(),
            "--user-embeddings", tmp.resolve("U.npy").toString(), "--item-embeddings",
            tmp.resolve("V.npy").toString(), "--k", "3", "--out", out.toString()};
        assertEquals(0, Main.run(args));
        List<Row> ex = spark.read().parquet(out.resolve("explanations.parquet").toString()).collectAsList();
        Dataset<Row> pr = spark.read().parquet(out.resolve("predictions.parquet").toString());
        assertEquals(pairs[0].length, pr.count());
        CfRepresenter rep = CfRepresenter.forFactorization(ratings, new Factorization(uf, vf), CfLoss.SQUARED, null);
        assertSameAsCore(rep.explain(pairs[0][1], pairs[1][1]), sides(ex, 1, ratings), 3, "pair 1");
        for (String f : new String[] {"explanations", "predictions"}) {
            String prov = ParquetResults.readProvenance(spark, out.resolve(f + ".parquet").toString());
            assertTrue(prov.contains("\"method\" : \"spark-hdrep-cf\"") && prov.contains("row-digest:")
                    && prov.contains("sha256:"), prov);
        }
        assertEquals(2, Main.run(args));
        // a log with an unknown user: exit 2, nothing written
        List<Row> rows = new ArrayList<>(logFrame(ratings, 1).collectAsList());
        rows.add(RowFactory.create(NU + 1, 0, 2.0));
        Path badLog = tmp.resolve("bad.parquet");
        spark.createDataFrame(rows, logFrame(ratings, 1).schema()).write().parquet(badLog.toString());
        args[4] = badLog.toString();
        args[args.length - 1] = tmp.resolve("cf-out2").toString();
        assertEquals(2, Main.run(args));
        assertTrue(Files.notExists(tmp.resolve("cf-out2")));
    }
}
