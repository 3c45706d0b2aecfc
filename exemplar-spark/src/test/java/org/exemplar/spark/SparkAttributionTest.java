package org.exemplar.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.exemplar.attribution.MergeableTopK;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.TopK;
import org.exemplar.attribution.TopKSink;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;
import org.exemplar.solver.ExactSolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark module against the single-machine library on generated data, in local[2]: the same numbers
 * (scoring to 1e-10, alpha to the fit's tolerance), results that do not depend on partitioning, clear errors.
 */
class SparkAttributionTest {
    private static SparkSession spark;
    private static final String SOFTMAX = "softmax";
    private static final double LAMBDA = 0.01;

    // n training rows, p features, c classes; nt test points
    private static final int N = 400;
    private static final int P = 6;
    private static final int C = 3;
    private static final int NT = 11;
    private static DenseMatrix f;
    private static int[] y;
    private static DenseMatrix ft;
    private static DenseMatrix theta;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("exemplar-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        Random r = new Random(42);
        f = gaussian(r, N, P);
        y = r.ints(N, 0, C).toArray();
        ft = gaussian(r, NT, P);
        theta = gaussian(r, C, P);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DenseMatrix gaussian(Random r, int n, int p) {
        DenseMatrix m = new DenseMatrix(n, p);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = r.nextGaussian();
        }
        return m;
    }

    /** Rows (id = row index) in a shuffled order, so that no partition holds a contiguous id range. */
    static Dataset<Row> frame(DenseMatrix x, int[] labels, long seed) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < x.rows(); i++) {
            rows.add(RowFactory.create((long) i, x.row(i), labels == null ? 0 : labels[i]));
        }
        Collections.shuffle(rows, new Random(seed));
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema);
    }

    static TrainingSet train(int partitions, long seed) {
        return TrainingSet.of(frame(f, y, seed), Columns.defaults(), "training").repartition(partitions);
    }

    static TrainingSet.Collected test() {
        return TrainingSet.of(frame(ft, null, 1), Columns.defaults().withoutLabel(), "test").collect(P);
    }

    /** Core: RepresenterPoints on the whole matrix, its values streamed into the library's TopKSink. */
    static TopK coreTopK(int k) {
        Loss l = Loss.named(SOFTMAX);
        RepresenterPoints rp = RepresenterPoints.of(f, l.targetsFromLabels(y, C), l, LAMBDA, theta);
        TopKSink sink = new TopKSink(k);
        rp.values(ft, rp.predictedClasses(ft), 4, sink::accept);
        return sink.result();
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
            assertEquals(e.get(q).score(), g.get(q).score(), tol * Math.max(1, Math.abs(e.get(q).score())),
                    what + " rank " + q);
        }
    }

    @Test
    void topKEqualsTheCoreLibrary() {
        TrainingSet tr = train(3, 7);
        SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(theta, SOFTMAX, LAMBDA);
        // test block 4 of 11 test points: three broadcast blocks, the last one short
        SparkRepresenter.TopKResult r = SparkRepresenter.topK(spark, tr, layer, test(), 7, 4);
        assertEquals(N, r.scan().rows());
        assertEquals(tr.scan(P).digest(), r.scan().digest());
        // BLAS sums f_i^T f_t in another blocking than the whole-matrix product: rounding only, ~1e-15
        assertSameRanking(coreTopK(7), r.topK().toTopK(), 1e-10);
        assertEquals(7, r.topK().toTopK().supporting(0).size());
    }

    @Test
    void packedBlocksGiveBitIdenticalRankingsAndTheSameScan() {
        TrainingSet tr = train(3, 7);
        SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(theta, SOFTMAX, LAMBDA);
        TrainingSet.Collected test = test();
        // one pass over rows decoded per pass vs the same rows packed into cached 2048-row blocks: the same chunks
        // go through the same kernels, so every score is the same double
        SparkRepresenter.TopKResult rows = SparkRepresenter.topK(spark, tr, layer, test, 6, 64);
        PackedRows packed = PackedRows.of(tr, P, org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
        try {
            SparkRepresenter.TopKResult blocks = SparkRepresenter.topK(spark, packed, layer, test, 6, 64);
            assertSameRanking(rows.topK().toTopK(), blocks.topK().toTopK(), 0);
            assertEquals(rows.scan().digest(), packed.scan().digest());
            assertEquals(rows.scan().width(), packed.scan().width());
            assertEquals(rows.scan().maxLabel(), packed.scan().maxLabel());
            assertEquals(N, packed.scan().rows());
            assertSameRanking(coreTopK(6), blocks.topK().toTopK(), 1e-10);
        } finally {
            packed.unpersist();
        }
        // a row of the wrong width is named when the rows are packed
        assertEquals("training row id 0 has 6 features, expected 7", assertThrows(InputException.class,
                () -> PackedRows.of(tr, P + 1, org.apache.spark.storage.StorageLevel.MEMORY_ONLY())).getMessage()
                .replaceAll("row id \\d+", "row id 0"));
    }

    @Test
    void resultsDoNotDependOnPartitionsOrTheirOrder() {
        SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(theta, SOFTMAX, LAMBDA);
        TopK reference = null;
        TrainingSet.Collected test = test();
        // 1, 2 and 5 partitions, rows shuffled differently each time (so partitions hold other rows, in other order)
        int[] parts = {1, 2, 5};
        long[] seeds = {3, 99, 1234};
        for (int q = 0; q < parts.length; q++) {
            TrainingSet tr = train(parts[q], seeds[q]);
            TopK got = SparkRepresenter.topK(spark, tr, layer, test, 5, 64).topK().toTopK();
            if (reference == null) {
                reference = got;
            } else {
                // same ids in the same order; scores equal up to the BLAS blocking's rounding
                assertSameRanking(reference, got, 1e-12);
            }
        }
        // the order-invariant digest is the same whatever the split
        assertEquals(train(1, 3).scan(P).digest(), train(4, 8).scan(P).digest());
        assertTrue(train(1, 3).scan(P).digest() != TrainingSet.of(frame(ft, null, 1), Columns.defaults(),
                "x").scan(P).digest());
    }

    @Test
    void alphaFromGivenWeightsEqualsTheCoreLibrary() {
        TrainingSet tr = train(3, 5);
        TrainingSet.Scan scan = tr.scan(P);
        Loss l = Loss.named(SOFTMAX);
        DenseMatrix expected = RepresenterPoints.of(f, l.targetsFromLabels(y, C), l, LAMBDA, theta).alpha();
        List<Row> rows = SparkRepresenter.alpha(spark, tr, scan, SparkRepresenter.Layer.of(theta, SOFTMAX, LAMBDA))
                .collectAsList();
        assertEquals(N, rows.size());
        for (Row row : rows) {
            int i = (int) row.getLong(0);
            List<Double> a = row.getList(1);
            for (int j = 0; j < C; j++) {
                assertEquals(expected.get(i, j), a.get(j), 1e-15 * Math.max(1e-3, Math.abs(expected.get(i, j))));
            }
        }
    }

    @Test
    void distributedFitReachesTheCoreFitsThetaAndAlpha() {
        TrainingSet tr = train(3, 11).cache();
        TrainingSet.Scan scan = tr.scan(P);
        FitOptions o = new FitOptions(LAMBDA, 1e-10, 5000, true);
        Loss l = Loss.named(SOFTMAX);
        DenseMatrix t = l.targetsFromLabels(y, C);
        LastLayerFit core = new LastLayerFitter(o).fit(f, t, l, null, null);
        LastLayerFit dist = SparkRepresenter.fit(tr, scan, SOFTMAX, C, o, null, null);
        assertTrue(dist.converged(), "residual " + dist.stationarityResidual());
        assertTrue(dist.stationarityResidual() <= 1e-10);
        // two points stationary to 1e-10 (relative) of a 2-lambda-strongly convex J: Theta agrees to ~1e-10
        // relative; 1e-8 absolute on entries of order 1 leaves margin for the summation order
        assertArrayEquals(core.theta().data(), dist.theta().data(), 1e-8);
        DenseMatrix ac = RepresenterPoints.of(f, t, l, LAMBDA, core.theta()).alpha();
        DenseMatrix ad = RepresenterPoints.of(f, t, l, LAMBDA, dist.theta()).alpha();
        // alpha is -1/(2 lambda n) times a 1-Lipschitz-in-Phi gradient: |d alpha| <= |d Theta| |f| / (2 lambda n)
        assertArrayEquals(ac.data(), ad.data(), 1e-8);
    }

    @Test
    void selfInfluenceEqualsTheCoreExactSolver() {
        Random r = new Random(9);
        DenseMatrix th = gaussian(r, C, P + 1);
        double l2 = 0.05;
        double damping = 0.001;
        Loss l = Loss.named(SOFTMAX);
        double[] expected = InfluenceFunctions.prepare(LinearModels.fromTheta(th),
                new TrainingData(f, l.targetsFromLabels(y, C), l, l2), InfluenceOptions.of(Curvature.HESSIAN, damping),
                new ExactSolver()).selfInfluence(null).values();
        TrainingSet tr = train(3, 13);
        TrainingSet.Scan scan = tr.scan(P);
        List<Row> rows = SparkSelfInfluence.compute(spark, tr, scan, th, SOFTMAX, l2, damping).collectAsList();
        assertEquals(N, rows.size());
        for (Row row : rows) {
            int i = (int) row.getLong(0);
            assertEquals(expected[i], row.getDouble(1), 1e-10 * Math.abs(expected[i]), "row " + i);
        }
    }

    @Test
    void anMlVectorColumnGivesTheSameRanking() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            rows.add(RowFactory.create((long) i, Vectors.dense(f.row(i)), y[i]));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.IntegerType);
        TrainingSet tr = TrainingSet.of(spark.createDataFrame(rows, schema), Columns.defaults(), "training")
                .repartition(2);
        TopK got = SparkRepresenter.topK(spark, tr, SparkRepresenter.Layer.of(theta, SOFTMAX, LAMBDA), test(),
                6, 64).topK().toTopK();
        assertSameRanking(coreTopK(6), got, 1e-10);
    }

    @Test
    void aWrongVectorWidthIsNamedWithItsRow() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            double[] x = i == 37 ? new double[P + 1] : f.row(i);
            rows.add(RowFactory.create((long) i, x, y[i]));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType)).add("label", DataTypes.IntegerType);
        TrainingSet tr = TrainingSet.of(spark.createDataFrame(rows, schema), Columns.defaults(), "training")
                .repartition(3);
        InputException e = assertThrows(InputException.class, () -> tr.scan(P));
        assertEquals("training row id 37 has 7 features, expected 6", e.getMessage());
        // without an expected width, rows are checked against each other
        InputException e2 = assertThrows(InputException.class, () -> tr.scan(-1));
        assertTrue(e2.getMessage().contains("7 features") || e2.getMessage().contains("has 7"), e2.getMessage());
        // test points of another width than the last layer: named before any job over the training data
        InputException e3 = assertThrows(InputException.class, () -> SparkRepresenter.topK(spark, train(2, 1),
                SparkRepresenter.Layer.of(gaussian(new Random(1), C, P + 2), SOFTMAX, LAMBDA), test(), 3, 8));
        // and the scoring pass names a bad training row too
        SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(theta, SOFTMAX, LAMBDA);
        InputException e4 = assertThrows(InputException.class, () -> SparkRepresenter.topK(spark, tr, layer, test(),
                3, 8));
        assertEquals("training row id 37 has 7 features, expected 6", e4.getMessage());
        assertTrue(e3.getMessage().contains("8"), e3.getMessage());
    }

    @Test
    void aMissingColumnOrAWrongTypeIsNamed() {
        InputException e = assertThrows(InputException.class, () -> TrainingSet.of(frame(f, y, 1),
                new Columns("id", "pixels", "label"), "training"));
        assertEquals("training data has no column 'pixels' (columns: id, features, label)", e.getMessage());
        InputException e2 = assertThrows(InputException.class, () -> TrainingSet.of(frame(f, y, 1),
                new Columns("id", "label", null), "training"));
        assertTrue(e2.getMessage().contains("features column 'label' has type int"), e2.getMessage());
    }

    @Test
    void aCorruptedParquetFileGivesAClearError() throws IOException {
        Path good = tmp.resolve("train.parquet");
        frame(f, y, 1).coalesce(1).write().parquet(good.toString());
        try (Stream<Path> s = Files.list(good)) {
            Path part = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(part);
            // keep the magic at both ends, wreck the footer length and the footer
            for (int q = b.length - 200; q < b.length - 4; q++) {
                b[q] = (byte) 0x5A;
            }
            Files.write(part, b);
        }
        InputException e = assertThrows(InputException.class, () -> TrainingSet.parquet(spark, good.toString(),
                Columns.defaults(), "training").scan(P));
        assertTrue(e.getMessage().startsWith("cannot read"), e.getMessage());
        assertTrue(e.getMessage().contains("train.parquet"), e.getMessage());
    }

    @Test
    void theCommandWritesParquetWithProvenanceAndRefusesAnExistingFolder() throws IOException {
        Path trainPath = tmp.resolve("train.parquet");
        Path testPath = tmp.resolve("test.parquet");
        frame(f, y, 2).repartition(3).write().parquet(trainPath.toString());
        frame(ft, null, 2).write().parquet(testPath.toString());
        Path th = tmp.resolve("theta.npy");
        org.exemplar.data.Npy.write(th, theta);
        Path out = tmp.resolve("out");
        String[] args = {"topk", "--master", "local[2]", "--train", trainPath.toString(), "--test",
            testPath.toString(), "--theta", th.toString(), "--lambda", String.valueOf(LAMBDA), "--k", "4", "--out",
            out.toString()};
        assertEquals(0, Main.run(args));
        Dataset<Row> res = spark.read().parquet(out.resolve("topk.parquet").toString());
        assertEquals(NT * 4 * 2, res.count());
        String prov = ParquetResults.readProvenance(spark, out.resolve("topk.parquet").toString());
        assertTrue(prov.contains("\"method\" : \"spark-rps-topk\"") && prov.contains("row-digest:")
                && prov.contains("sha256:"), prov);
        assertTrue(Files.exists(out.resolve("summary.json")));
        // the numbers in the file are core's
        TopK core = coreTopK(4);
        Row best = res.filter("test_id = 0 AND kind = 'excitatory' AND rank = 1").first();
        assertEquals(core.supporting(0).get(0).trainIndex(), best.getLong(best.fieldIndex("train_id")));
        assertEquals(core.supporting(0).get(0).score(), best.getDouble(best.fieldIndex("score")), 1e-10);
        // an existing folder is refused (exit 2), nothing is merged into it
        assertEquals(2, Main.run(args));
        // a theta of the wrong width: exit 2
        org.exemplar.data.Npy.write(tmp.resolve("bad.npy"), gaussian(new Random(2), C, P + 1));
        args[8] = tmp.resolve("bad.npy").toString();
        args[args.length - 1] = tmp.resolve("out2").toString();
        assertEquals(2, Main.run(args));
        assertTrue(Files.notExists(tmp.resolve("out2")));
    }

    @Test
    void mergeableTopKShipsBetweenTasks() {
        // the heaps a partition returns survive Spark's serialization (Java) unchanged
        MergeableTopK m = new MergeableTopK(2, 1);
        m.accept(0, new DenseMatrix(1, 3, new double[] {1, -2, 3}), new long[] {10, 11, 12});
        MergeableTopK back = spark.createDataset(List.of(1), org.apache.spark.sql.Encoders.INT()).javaRDD()
                .map(i -> m).collect().get(0);
        assertArrayEquals(new long[] {12, 10}, back.supportingIds(0));
        assertArrayEquals(new long[] {11}, back.opposingIds(0));
    }
}
