package org.exemplar.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.exemplar.cf.CfDeletion;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.HeldOutPairs;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cf.SoftImpute;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.Ratings;
import org.exemplar.data.SparseData;
import org.exemplar.data.SvmLight;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.eval.DeletionDiagnostics;
import org.exemplar.eval.DeletionPlan;
import org.exemplar.eval.DeletionResult;
import org.exemplar.eval.DeletionTarget;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticDeletionTarget;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;
import org.exemplar.representer.L1DeletionMethods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUC-DEL with the retrainings as Spark tasks (local[2]) against core's single-machine
 * {@link DeletionDiagnostics#evaluate} on the same problems: L1 logistic regression and matrix factorization.
 */
class SparkDeletionTest {
    private static SparkSession spark;
    private static final double LAMBDA = 0.02;
    private static final double TOL = 1e-10;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("exemplar-spark-deletion-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Sparse rows (about 40 % nonzero), labels from a sparse linear model plus noise. */
    static SparseData data(int n, int p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, p);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < p; j++) {
                if (r.nextDouble() < 0.4) {
                    x.set(i, j, r.nextGaussian());
                    z += (j < 4 ? 1.5 : 0) * x.get(i, j);
                }
            }
            y[i] = z + 0.8 * r.nextGaussian() > 0 ? 1 : 0;
        }
        return new SparseData(CsrMatrix.fromDense(x), y, null);
    }

    record L1Problem(CsrMatrix x, double[] y, CsrMatrix test, SparseLogisticRegression trainer, SparseFit fit,
                     L1DeletionMethods setup) {
    }

    static L1Problem l1(SparseData tr, SparseData te) {
        double[] y = SparseLogisticRegression.signedLabels(tr.labels(), null);
        SparseLogisticRegression m = new SparseLogisticRegression(SparseLogisticRegression.Penalty.L1, LAMBDA, false,
                TOL, 20000);
        SparseFit fit = m.fit(tr.features(), y, null);
        assertTrue(fit.converged(), fit.message());
        HighDimRepresenter rep = new HighDimRepresenter(tr.features(), y, fit, LAMBDA);
        return new L1Problem(tr.features(), y, te.features(), m, fit,
                L1DeletionMethods.of(rep, te.features(), L1DeletionMethods.NAMES, 3, 5));
    }

    static void assertSame(List<DeletionResult> e, List<DeletionResult> g, double tol) {
        assertEquals(e.size(), g.size());
        for (int m = 0; m < e.size(); m++) {
            DeletionResult a = e.get(m);
            DeletionResult b = g.get(m);
            assertEquals(a.method(), b.method());
            for (int k = 0; k < a.ks().length; k++) {
                for (int t = 0; t < a.testPoints(); t++) {
                    assertEquals(a.delPlus()[k][t], b.delPlus()[k][t], tol, a.method() + " DEL+ k " + k + " t " + t);
                    assertEquals(a.delMinus()[k][t], b.delMinus()[k][t], tol, a.method() + " DEL- k " + k + " t " + t);
                }
            }
            assertEquals(a.aucDelPlus(), b.aucDelPlus(), tol);
            assertEquals(a.aucDelMinus(), b.aucDelMinus(), tol);
            assertEquals(a.aucDelPlusCi95(), b.aucDelPlusCi95(), tol);
        }
    }

    @Test
    void l1RetrainingsAsSparkTasksEqualTheCoreDiagnosticsForAnyPartitioning() {
        L1Problem pr = l1(data(80, 12, 1), data(10, 12, 2));
        int[] ks = {1, 2, 4};
        List<DeletionResult> core = DeletionDiagnostics.evaluate(new SparseLogisticDeletionTarget(pr.x(), pr.y(),
                pr.test(), pr.trainer(), pr.fit()), pr.setup().methods(), pr.setup().testIndices(), ks, 2, null);
        DeletionSpec spec = DeletionSpec.sparseLogistic(pr.x(), pr.y(), pr.test(), pr.trainer(), pr.fit());
        DeletionPlan plan = DeletionPlan.of(spec.target(), pr.setup().methods(), pr.setup().testIndices(), ks);
        assertEquals(4 * 3 * 2 * 3, plan.retrainings().size());
        // the same deterministic retraining (same rows, same warm start, same solver) runs in a task: identical
        // numbers; 1e-12 leaves room only for nothing (the fits themselves stop at KKT residual 1e-10)
        List<DeletionResult> oneEach = SparkDeletion.evaluate(spark, spec, plan, 0);
        List<DeletionResult> three = SparkDeletion.evaluate(spark, spec, plan, 3);
        assertSame(core, oneEach, 1e-12);
        assertSame(core, three, 1e-12);
        // not a trivial problem: removing the high-dim representer's top positive points lowers the score
        assertTrue(core.get(0).aucDelPlus() < -1e-3 && core.get(0).aucDelMinus() > 1e-3,
                core.get(0).aucDelPlus() + " " + core.get(0).aucDelMinus());
    }

    @Test
    void matrixFactorizationRetrainingsAsSparkTasksEqualTheCoreDiagnostics() {
        SplittableRandom r = new SplittableRandom(3);
        List<int[]> pairs = new ArrayList<>();
        for (int u = 0; u < 8; u++) {
            for (int i = 0; i < 7; i++) {
                if (r.nextDouble() < 0.6) {
                    pairs.add(new int[] {u, i});
                }
            }
        }
        int[] us = pairs.stream().mapToInt(a -> a[0]).toArray();
        int[] is = pairs.stream().mapToInt(a -> a[1]).toArray();
        double[] v = pairs.stream().mapToDouble(a -> 1 + (a[0] * 3 + a[1] * 5) % 5).toArray();
        Ratings train = new Ratings(8, 7, us, is, v);
        MfOptions o = new MfOptions(CfLoss.SQUARED, 2, 0.5, 20, 0.3, 8, 0.1, 1.0, 9);
        int[] tu = {0, 3, 5};
        int[] ti = {1, 2, 6};
        CfDeletion target = CfDeletion.forMf(train, o, MfTrainer.Algorithm.SGD, tu, ti);
        List<AttributionMethod> ms = List.of(target.method("random", CfDeletion.random(train, 4)));
        int[] ks = {1, 3};
        int[] tests = {0, 1, 2};
        List<DeletionResult> core = DeletionDiagnostics.evaluate(target, ms, tests, ks, 1, null);
        DeletionSpec spec = DeletionSpec.matrixFactorization(train, o, MfTrainer.Algorithm.SGD, tu, ti);
        List<DeletionResult> got = SparkDeletion.evaluate(spark, spec,
                DeletionPlan.of(spec.target(), ms, tests, ks), 0);
        assertSame(core, got, 1e-12);
        assertTrue(Math.abs(core.get(0).delPlus()[1][0]) > 1e-6, "a retraining that changes nothing proves nothing");
    }

    /** A model whose every retraining fails to converge. */
    static final class Failing extends DeletionSpec {
        private static final long serialVersionUID = 1L;

        @Override
        public String model() {
            return "failing";
        }

        @Override
        protected DeletionTarget build() {
            return new DeletionTarget() {
                public int trainSize() {
                    return 5;
                }

                public int testSize() {
                    return 1;
                }

                public double score(int t) {
                    return 0;
                }

                public double scoreWithout(int t, int[] removed) {
                    throw new ArithmeticException("retraining without " + removed.length
                            + " points did not converge: test");
                }
            };
        }
    }

    @Test
    void aRetrainingThatFailsFailsTheWholeJobWithItsMessage() {
        DeletionSpec failing = new Failing();
        AttributionMethod m = L1DeletionMethods.method("m", t -> new double[] {1, -1, 2, 0, 0});
        DeletionPlan plan = DeletionPlan.of(failing.target(), List.of(m), new int[] {0}, new int[] {1});
        SparkDeletion.RetrainingFailed e = assertThrows(SparkDeletion.RetrainingFailed.class,
                () -> SparkDeletion.evaluate(spark, failing, plan, 0));
        assertTrue(e.getMessage().contains("did not converge: test"), e.getMessage());
    }

    @Test
    void theCommandWritesParquetWithProvenanceEqualToCoreAndIsAllOrNothing() throws Exception {
        Path tr = tmp.resolve("train.svm");
        Path te = tmp.resolve("test.svm");
        SvmLight.write(tr, data(60, 10, 11));
        SvmLight.write(te, data(8, 10, 12));
        Path out = tmp.resolve("out");
        String[] args = {"auc-del", "l1", "--master", "local[2]", "--train", tr.toString(), "--test", te.toString(),
            "--lambda", String.valueOf(LAMBDA), "--tolerance", String.valueOf(TOL), "--test-points", "2",
            "--ks", "1,3", "--methods", "highdim,random", "--seed", "5", "--out", out.toString()};
        assertEquals(0, Main.run(args));
        Dataset<Row> agg = spark.read().parquet(out.resolve("deletion.parquet").toString());
        Dataset<Row> per = spark.read().parquet(out.resolve("per_test.parquet").toString());
        assertEquals(2 * 2, agg.count());
        assertEquals(2 * 2 * 2, per.count());
        String prov = ParquetResults.readProvenance(spark, out.resolve("per_test.parquet").toString());
        assertTrue(prov.contains("\"method\" : \"spark-auc-del-l1\"") && prov.contains("sha256:")
                && prov.contains("\"seed\" : 5"), prov);
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.contains("aucDelPlus"), summary);
        // the file's DEL+ at k = 3 of the high-dim representer is core's
        SparseData trd = SvmLight.read(tr);
        SparseData ted = SvmLight.read(te, trd.features().cols());
        double[] y = SparseLogisticRegression.signedLabels(trd.labels(), tr);
        SparseLogisticRegression m = new SparseLogisticRegression(SparseLogisticRegression.Penalty.L1, LAMBDA, false,
                TOL, 20000);
        SparseFit fit = m.fit(trd.features(), y, null);
        L1DeletionMethods setup = L1DeletionMethods.of(new HighDimRepresenter(trd.features(), y, fit, LAMBDA),
                ted.features(), List.of("highdim", "random"), 2, 5);
        List<DeletionResult> core = DeletionDiagnostics.evaluate(new SparseLogisticDeletionTarget(trd.features(), y,
                ted.features(), m, fit), setup.methods(), setup.testIndices(), new int[] {1, 3}, 1, null);
        Row row = agg.filter("method = 'high-dim representer' AND k = 3").first();
        assertEquals(core.get(0).delPlusMean()[1], row.getDouble(row.fieldIndex("del_plus")), 1e-12);
        // an existing folder: exit 2; a missing test file: exit 2 and nothing written
        assertEquals(2, Main.run(args));
        args[7] = tmp.resolve("missing.svm").toString();
        args[args.length - 1] = tmp.resolve("out2").toString();
        assertEquals(2, Main.run(args));
        assertTrue(Files.notExists(tmp.resolve("out2")));
    }

    /** A MovieLens u.data file: 14 users x 11 items, about 60 % observed, ratings 1..5 from a rank-2 pattern. */
    static Path uData(Path file) throws Exception {
        SplittableRandom r = new SplittableRandom(21);
        StringBuilder b = new StringBuilder();
        for (int u = 1; u <= 14; u++) {
            for (int i = 1; i <= 11; i++) {
                if (r.nextDouble() < 0.6) {
                    double z = Math.sin(u) * Math.cos(i) + 0.5 * Math.cos(2 * u) * Math.sin(i) + 0.3 * r.nextGaussian();
                    int v = (int) Math.max(1, Math.min(5, Math.round(3 + 2 * z)));
                    b.append(u).append('\t').append(i).append('\t').append(v).append('\t').append(880000000 + u * 100 + i)
                            .append('\n');
                }
            }
        }
        Files.writeString(file, b.toString());
        return file;
    }

    /**
     * Core's single-machine evaluation as `evaluate deletion cf` did it before its setup moved into
     * CfDeletionSetup: split, held-out pairs (seed + 1), fit, target, methods, DeletionDiagnostics on one thread.
     */
    static List<DeletionResult> coreCf(Path ratings, CfFit.Algorithm a, MfOptions mf, SoftImpute.Options si,
                                       double testFraction, int testPoints, List<String> methods, int[] ks, long seed) {
        Ratings all = RatingsFiles.read(ratings).affine(0.5, -1.5);
        Ratings.Split split = all.split(testFraction, seed);
        HeldOutPairs pairs = HeldOutPairs.sample(split, testPoints, seed + 1);
        CfFit.Result fit = CfFit.fit(split.train(), a, mf, si);
        CfDeletion target = CfFit.deletion(split.train(), a, mf, si, pairs.users(), pairs.items());
        List<AttributionMethod> ms = target.methods(methods, split.train(), fit, mf, 0, seed);
        int[] tests = java.util.stream.IntStream.range(0, testPoints).toArray();
        return DeletionDiagnostics.evaluate(target, ms, tests, ks, 1, null);
    }

    /** per_test.parquet against core's results: every (method, test pair, k) DEL+ and DEL- to {@code tol}. */
    static int assertPerTest(Path perTest, List<DeletionResult> core, double tol) {
        List<Row> rows = spark.read().parquet(perTest.toString()).collectAsList();
        int checked = 0;
        for (Row row : rows) {
            DeletionResult d = core.stream().filter(x -> x.method().equals(row.getString(0))).findFirst().orElseThrow();
            int t = row.getInt(1);
            int k = java.util.Arrays.binarySearch(d.ks(), row.getInt(2));
            assertEquals(d.delPlus()[k][t], row.getDouble(3), tol, row.toString());
            assertEquals(d.delMinus()[k][t], row.getDouble(4), tol, row.toString());
            checked++;
        }
        int expected = 0;
        for (DeletionResult d : core) {
            expected += d.testPoints() * d.ks().length;
        }
        assertEquals(expected, checked);
        return checked;
    }

    /** {@code args} with the value after {@code option} replaced. */
    static String[] with(String[] args, String option, String value) {
        String[] a = args.clone();
        int i = java.util.Arrays.asList(a).indexOf(option);
        assertTrue(i >= 0, option);
        a[i + 1] = value;
        return a;
    }

    @Test
    void theCfCommandEqualsCoreForAnyPartitioningAndRefusesBadInput() throws Exception {
        Path data = uData(tmp.resolve("u.data"));
        List<String> methods = List.of("high-dim", "fia", "tracincp", "random");
        int[] ks = {1, 3};
        MfOptions mf = new MfOptions(CfLoss.SQUARED, 3, 0.1, 15, 0.5, 16, 0.1, 1.0, 4);
        List<DeletionResult> core = coreCf(data, CfFit.Algorithm.SGD, mf, null, 0.2, 3, methods, ks, 4);
        String[] sgd = {"auc-del", "cf", "--master", "local[2]", "--ratings", data.toString(), "--normalize-ratings",
            "--test-fraction", "0.2", "--test-points", "3", "--ks", "1,3", "--train", "sgd", "--rank", "3", "--reg",
            "0.1", "--epochs", "15", "--learning-rate", "0.5", "--batch-size", "16", "--seed", "4",
            "--partitions", "0", "--out", tmp.resolve("sgd").toString()};
        assertEquals(0, Main.run(sgd));
        // every retraining is the same deterministic SGD run (same ratings in the same order, same seed) wherever
        // it runs, so the numbers are core's to 1e-12, not to a fit tolerance
        assertEquals(4 * 3 * 2, assertPerTest(tmp.resolve("sgd/per_test.parquet"), core, 1e-12));
        assertEquals(0, Main.run(with(with(sgd, "--partitions", "3"), "--out", tmp.resolve("sgd3").toString())));
        assertPerTest(tmp.resolve("sgd3/per_test.parquet"), core, 1e-12);
        Row agg = spark.read().parquet(tmp.resolve("sgd3/deletion.parquet").toString())
                .filter("method = 'high-dim' AND k = 3").first();
        assertEquals(core.get(0).delPlusMean()[1], agg.getDouble(agg.fieldIndex("del_plus")), 1e-12);
        assertTrue(Math.abs(core.get(0).delPlusMean()[1]) > 1e-4, "a retraining that changes nothing proves nothing");
        String prov = ParquetResults.readProvenance(spark, tmp.resolve("sgd3/per_test.parquet").toString());
        assertTrue(prov.contains("\"method\" : \"spark-auc-del-cf\"") && prov.contains("sha256:")
                && prov.contains("\"seed\" : 4"), prov);
        String summary = Files.readString(tmp.resolve("sgd3/summary.json"));
        assertTrue(summary.contains("aucDelPlus") && summary.contains("test_users"), summary);

        // Soft-Impute (the nuclear-norm model): its own broadcast spec, the same numbers as core
        SoftImpute.Options si = new SoftImpute.Options(0.005, 4, 200, 1e-6);
        List<DeletionResult> coreSi = coreCf(data, CfFit.Algorithm.SOFT_IMPUTE, null, si, 0.2, 2,
                List.of("high-dim", "random"), ks, 7);
        String[] soft = {"auc-del", "cf", "--master", "local[2]", "--ratings", data.toString(), "--normalize-ratings",
            "--test-fraction", "0.2", "--test-points", "2", "--ks", "1,3", "--train", "soft-impute", "--methods",
            "high-dim,random", "--lambda", "0.005", "--rank", "4", "--max-iterations", "200", "--tolerance", "1e-6",
            "--seed", "7", "--partitions", "2", "--out", tmp.resolve("soft").toString()};
        assertEquals(0, Main.run(soft));
        assertPerTest(tmp.resolve("soft/per_test.parquet"), coreSi, 1e-12);
        assertTrue(Math.abs(coreSi.get(0).delPlus()[1][0]) > 1e-4, "Soft-Impute kept a nonzero model");

        // bad input: exit 2, nothing written
        assertEquals(2, Main.run(sgd)); // the folder exists
        Path bad = tmp.resolve("bad.data");
        Files.writeString(bad, "1\t2\t5\n3\t4\n");
        assertEquals(2, Main.run(with(with(sgd, "--ratings", bad.toString()), "--out", tmp.resolve("bad").toString())));
        assertTrue(Files.notExists(tmp.resolve("bad")));
        assertEquals(2, Main.run(with(with(soft, "--methods", "high-dim,fia"), "--out", tmp.resolve("fia").toString()))); // FIA is defined for MF only
        assertTrue(Files.notExists(tmp.resolve("fia")));
        // a Soft-Impute fit short of its tolerance: exit 3, nothing written
        assertEquals(3, Main.run(with(with(soft, "--max-iterations", "2"), "--out", tmp.resolve("stuck").toString())));
        assertTrue(Files.notExists(tmp.resolve("stuck")));
    }
}
