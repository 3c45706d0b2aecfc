package org.exemplar.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.exemplar.cf.CfDeletion;
import org.exemplar.cf.CfDeletionSetup;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cf.SoftImpute;
import org.exemplar.data.DataException;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.data.SparseData;
import org.exemplar.data.SvmLight;
import org.exemplar.eval.DeletionDiagnostics;
import org.exemplar.eval.DeletionPlan;
import org.exemplar.eval.DeletionResult;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;
import org.exemplar.representer.L1DeletionMethods;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exemplar spark auc-del}: case-deletion diagnostics (DEL+/DEL-, AUC-DEL; Tsai et al. 2023 Sec. 6.1) with
 * one Spark task per retraining ({@link SparkDeletion}).
 */
@Command(name = "auc-del", mixinStandardHelpOptions = true,
        description = "AUC-DEL with the retrainings fanned out as Spark tasks (one retraining per task).",
        subcommands = {AucDelCommand.L1.class, AucDelCommand.Cf.class})
final class AucDelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "l1", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"AUC-DEL for L1 logistic regression, as `exemplar evaluate deletion l1` (same test points, "
                + "methods, k schedule and retraining), with every retraining a Spark task. The data set is read and "
                + "fitted on the driver and broadcast to the executors.",
                "Writes OUT/deletion.parquet (method, k, DEL+/DEL- means and 95% half-widths), OUT/per_test.parquet "
                    + "(method, test_index, k, del_plus, del_minus) and OUT/summary.json (AUC-DEL per method), all or "
                    + "nothing."})
    static final class L1 implements Callable<Integer> {
        @Option(names = "--train", required = true, description = "training set, svmlight (labels 0/1 or -1/+1)")
        Path train;
        @Option(names = "--test", required = true, description = "test set, svmlight")
        Path test;
        @Option(names = "--lambda", required = true, description = "L1 strength") double lambda;
        @Option(names = "--bias", description = "fit an unpenalized bias") boolean bias;
        @Option(names = "--tolerance", defaultValue = "1e-8", description = "KKT residual target of every (re)fit")
        double tolerance;
        @Option(names = "--max-iterations", defaultValue = "20000") int maxIterations;
        @Option(names = "--test-points", defaultValue = "40") int testPoints;
        @Option(names = "--ks", split = ",", description = "k schedule (default: 1%%, .., 5%% of the training set)")
        int[] ks;
        @Option(names = "--methods", defaultValue = "highdim,l2,if,random", split = ",") List<String> methods;
        @Option(names = "--seed", defaultValue = "0", description = "test-point draw and random baseline")
        long seed;
        @Option(names = "--master", description = "Spark master (default: spark.master, else local[*])")
        String master;
        @Option(names = "--partitions", defaultValue = "0",
                description = "Spark partitions of the retrainings (default 0: one retraining per task)")
        int partitions;
        @Option(names = "--out", required = true, description = "output folder (must not exist)") String out;

        @Override
        public Integer call() {
            if (testPoints < 1) {
                throw new InputException("--test-points must be >= 1, got " + testPoints);
            }
            if (partitions < 0) {
                throw new InputException("--partitions must be >= 0, got " + partitions);
            }
            if (Files.exists(Path.of(out))) {
                throw new InputException("output " + out + " exists; give a new folder (results are never merged)");
            }
            SparseData tr;
            SparseData te;
            try {
                tr = SvmLight.read(train);
                te = SvmLight.read(test, -1);
                int cols = Math.max(tr.features().cols(), te.features().cols());
                tr = cols == tr.features().cols() ? tr : SvmLight.read(train, cols);
                te = SvmLight.read(test, cols);
            } catch (DataException e) {
                throw new InputException(e.getMessage(), e);
            }
            int[] schedule = DeletionDiagnostics.checkedSchedule(ks, tr.features().rows());
            double[] y = SparseLogisticRegression.signedLabels(tr.labels(), train);
            SparseLogisticRegression model = new SparseLogisticRegression(SparseLogisticRegression.Penalty.L1,
                    lambda, bias, tolerance, maxIterations);
            SparseFit fit = model.fit(tr.features(), y, null);
            if (!fit.converged()) {
                throw new Main.NotConverged("the L1 fit did not converge (KKT residual " + fit.kktResidual() + "): "
                        + fit.message());
            }
            HighDimRepresenter rep = new HighDimRepresenter(tr.features(), y, fit, lambda);
            L1DeletionMethods setup = L1DeletionMethods.of(rep, te.features(), methods, testPoints, seed);
            DeletionSpec ds = DeletionSpec.sparseLogistic(tr.features(), y, te.features(), model, fit);
            DeletionPlan plan = DeletionPlan.of(ds.target(), setup.methods(), setup.testIndices(), schedule);
            Evaluated ev = evaluate(master, out, ds, plan, partitions);
            List<DeletionResult> res = ev.results();
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("lambda", lambda);
            st.put("bias", bias);
            st.put("tolerance", tolerance);
            st.put("maxIterations", maxIterations);
            st.put("ks", schedule);
            st.put("testPoints", setup.testIndices().length);
            st.put("methods", methods);
            st.put("retraining", "same objective and lambda, 1/n' over the remaining points, warm start from the "
                    + "full-data optimum, KKT tolerance as above; one Spark task per retraining");
            st.put("model", ds.model());
            st.put("partitions", partitions);
            Map<String, String> in = new LinkedHashMap<>();
            in.put("train", Main.fileInput(train.toString()));
            in.put("test", Main.fileInput(test.toString()));
            Map<String, Object> sum = new LinkedHashMap<>();
            sum.put("method", "case-deletion diagnostics, L1 logistic regression, retrainings as Spark tasks");
            sum.put("results", res);
            sum.put("test_indices", setup.testIndices());
            sum.put("retrainings", plan.retrainingsNeeded());
            sum.put("support_size", fit.support());
            sum.put("kkt_residual", fit.kktResidual());
            sum.put("seconds", ev.seconds());
            return report(ev, plan, setup.testIndices(), out,
                    ParquetResults.provenance("spark-auc-del-l1", st, in, seed), sum);
        }
    }

    @Command(name = "cf", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"AUC-DEL for collaborative filtering (Tsai et al. 2023, Sec. 6.3), as `exemplar evaluate "
                + "deletion cf` (same split, test pairs, methods, k schedule and retraining: core's CfDeletionSetup), "
                + "with every retraining a Spark task. The ratings are read and the model fitted on the driver; the "
                + "training ratings are broadcast to the executors.",
                "Writes OUT/deletion.parquet (method, k, DEL+/DEL- means and 95% half-widths), OUT/per_test.parquet "
                    + "(method, test_index, k, del_plus, del_minus; pairs as in summary.json) and OUT/summary.json "
                    + "(AUC-DEL per method), all or nothing."})
    static final class Cf implements Callable<Integer> {
        @Option(names = "--ratings", required = true, paramLabel = "R.npy|u.data", description = "All ratings (split here).")
        Path ratings;
        @Option(names = "--test-fraction", defaultValue = "0.1") double testFraction;
        @Option(names = "--test-points", defaultValue = "40") int testPoints;
        @Option(names = "--ks", split = ",", defaultValue = "10,20,30,40,50") int[] ks;
        @Option(names = "--methods", split = ",", defaultValue = "high-dim,fia,tracincp,random") List<String> methods;
        @Option(names = "--fia-damping", defaultValue = "0") double fiaDamping;
        @Option(names = "--train", defaultValue = "sgd", paramLabel = "als|sgd|soft-impute") String train;
        @Option(names = "--loss", defaultValue = "squared", description = "squared | logistic") String loss;
        @Option(names = "--rank", defaultValue = "16") int rank;
        @Option(names = "--reg", defaultValue = "1.0") double reg;
        @Option(names = "--epochs", defaultValue = "10") int epochs;
        @Option(names = "--learning-rate", defaultValue = "2.0") double learningRate;
        @Option(names = "--batch-size", defaultValue = "3000") int batchSize;
        @Option(names = "--init-scale", defaultValue = "0.1") double initScale;
        @Option(names = "--negative-weight", defaultValue = "1.0") double negativeWeight;
        @Option(names = "--lambda", defaultValue = "0.0005", description = "Soft-Impute lambda of eq. (12)") double lambda;
        @Option(names = "--max-iterations", defaultValue = "20", description = "Soft-Impute iterations") int maxIterations;
        @Option(names = "--tolerance", defaultValue = "1e-6", description = "Soft-Impute relative change") double tolerance;
        @Option(names = "--normalize-ratings", description = "Map ratings 1..5 onto [-1, 1] by (y - 3) / 2 first.")
        boolean normalize;
        @Option(names = "--allow-unconverged", description = "Continue when Soft-Impute stops above its tolerance.")
        boolean allowUnconverged;
        @Option(names = "--seed", defaultValue = "0", description = "Initialization, shuffling, split and test pairs")
        long seed;
        @Option(names = "--master", description = "Spark master (default: spark.master, else local[*])")
        String master;
        @Option(names = "--partitions", defaultValue = "0",
                description = "Spark partitions of the retrainings (default 0: one retraining per task)")
        int partitions;
        @Option(names = "--out", required = true, description = "output folder (must not exist)") String out;

        @Override
        public Integer call() {
            CfFit.Algorithm a = CfFit.Algorithm.parse(train);
            CfDeletionSetup.check(ks, testPoints, methods, a);
            if (partitions < 0) {
                throw new InputException("--partitions must be >= 0, got " + partitions);
            }
            if (Files.exists(Path.of(out))) {
                throw new InputException("output " + out + " exists; give a new folder (results are never merged)");
            }
            boolean soft = a == CfFit.Algorithm.SOFT_IMPUTE;
            MfOptions mf = soft ? null : new MfOptions(CfLoss.named(loss), rank, reg, epochs, learningRate, batchSize,
                    initScale, negativeWeight, seed);
            SoftImpute.Options si = soft ? new SoftImpute.Options(lambda, rank, maxIterations, tolerance) : null;
            Ratings all;
            String ratingsInput;
            try {
                all = RatingsFiles.read(ratings);
                ratingsInput = Main.fileInput(ratings.toString());
            } catch (DataException e) {
                throw new InputException(e.getMessage(), e);
            }
            all = normalize ? all.affine(0.5, -1.5) : all;
            CfDeletionSetup setup = CfDeletionSetup.of(all, testFraction, testPoints, a, mf, si, seed);
            CfFit.Result fit = setup.fit();
            if (!fit.converged() && !allowUnconverged) {
                SoftImpute.Result r = fit.soft();
                throw new Main.NotConverged("soft-impute did not converge in " + r.iterations() + " iterations: "
                        + "relative change " + r.relativeChange() + ", KKT residual " + r.kktResidual()
                        + "; raise --max-iterations or pass --allow-unconverged");
            }
            CfDeletion target = setup.target();
            List<AttributionMethod> ms = setup.methods(target, methods, fit, fiaDamping, seed);
            DeletionSpec ds = DeletionSpec.cf(setup);
            DeletionPlan plan = DeletionPlan.of(target, ms, setup.testIndices(), ks);
            Evaluated ev = evaluate(master, out, ds, plan, partitions);
            List<DeletionResult> res = ev.results();
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("train", a.name().toLowerCase(Locale.ROOT));
            st.put("normalize_ratings", normalize);
            st.put("seed", seed);
            if (soft) {
                st.put("lambda", lambda);
                st.put("max_rank", rank);
                st.put("max_iterations", maxIterations);
                st.put("tolerance", tolerance);
            } else {
                st.put("loss", mf.loss().name().toLowerCase(Locale.ROOT));
                st.put("rank", rank);
                st.put("reg", reg);
                st.put("epochs", epochs);
                if (a == CfFit.Algorithm.SGD) {
                    st.put("learning_rate", learningRate);
                    st.put("batch_size", batchSize);
                }
                st.put("init_scale", initScale);
                st.put("negative_weight", negativeWeight);
            }
            st.put("test_fraction", testFraction);
            st.put("test_points", testPoints);
            st.put("ks", ks);
            st.put("methods", methods);
            st.put("fia_damping", fiaDamping);
            st.put("retraining", "same algorithm, settings and seed on the remaining training ratings; one Spark "
                    + "task per retraining");
            st.put("model", ds.model());
            st.put("partitions", partitions);
            Map<String, Object> sum = new LinkedHashMap<>();
            sum.put("method", "case-deletion diagnostics for CF (Tsai et al. 2023, Sec. 6.3), retrainings as Spark "
                    + "tasks");
            sum.put("train_ratings", setup.train().size());
            sum.put("held_out_ratings", setup.split().test().size());
            sum.put("test_users", setup.pairs().users());
            sum.put("test_items", setup.pairs().items());
            sum.put("fit", fit.summary());
            sum.put("results", res);
            sum.put("retrainings", plan.retrainingsNeeded());
            sum.put("seconds", ev.seconds());
            return report(ev, plan, setup.testIndices(), out,
                    ParquetResults.provenance("spark-auc-del-cf", st, Map.of("ratings", ratingsInput), seed), sum);
        }
    }

    /** The session the retrainings ran in, their results and the wall time. */
    record Evaluated(SparkSession session, List<DeletionResult> results, double seconds) {
    }

    /** Runs every retraining of the plan as a Spark task; one that fails exits 3 with nothing written. */
    static Evaluated evaluate(String master, String out, DeletionSpec ds, DeletionPlan plan, int partitions) {
        Main.Common c = new Main.Common();
        c.master = master;
        c.out = out;
        SparkSession s = c.session();
        long t0 = System.nanoTime();
        try {
            List<DeletionResult> res = SparkDeletion.evaluate(s, ds, plan, partitions);
            return new Evaluated(s, res, (System.nanoTime() - t0) / 1e9);
        } catch (SparkDeletion.RetrainingFailed e) {
            throw new Main.NotConverged(e.getMessage() + "; nothing written");
        }
    }

    /** Writes OUT (all or nothing) and prints the AUC-DEL table. */
    static int report(Evaluated ev, DeletionPlan plan, int[] testIndices, String out,
                      org.exemplar.io.Provenance provenance, Map<String, Object> summary) {
        ParquetResults.write(ev.session(), results(ev.session(), ev.results(), testIndices), out, provenance, summary);
        System.out.printf(Locale.ROOT, "| method | AUC-DEL+ | AUC-DEL- |%n|---|---|---|%n");
        for (DeletionResult r : ev.results()) {
            System.out.printf(Locale.ROOT, "| %s | %.4f +- %.4f | %.4f +- %.4f |%n", r.method(), r.aucDelPlus(),
                    r.aucDelPlusCi95(), r.aucDelMinus(), r.aucDelMinusCi95());
        }
        System.err.printf(Locale.ROOT, "auc-del: %d retrainings as Spark tasks in %.1f s; wrote %s%n",
                plan.retrainingsNeeded(), ev.seconds(), out);
        return 0;
    }

    /** deletion.parquet (per method and k) and per_test.parquet (per method, test point and k). */
    static Map<String, Dataset<Row>> results(SparkSession s, List<DeletionResult> res, int[] testIds) {
        List<Row> agg = new ArrayList<>();
        for (DeletionResult r : res) {
            for (int k = 0; k < r.ks().length; k++) {
                agg.add(RowFactory.create(r.method(), r.ks()[k], r.delPlusMean()[k], r.delPlusCi95()[k],
                        r.delMinusMean()[k], r.delMinusCi95()[k]));
            }
        }
        StructType a = new StructType().add("method", DataTypes.StringType, false).add("k", DataTypes.IntegerType,
                false).add("del_plus", DataTypes.DoubleType, false).add("del_plus_ci95", DataTypes.DoubleType, false)
                .add("del_minus", DataTypes.DoubleType, false).add("del_minus_ci95", DataTypes.DoubleType, false);
        List<Row> per = new ArrayList<>();
        for (Object[] o : DeletionResult.perTestRows(res, testIds)) {
            per.add(RowFactory.create(o));
        }
        StructType p = new StructType().add("method", DataTypes.StringType, false)
                .add("test_index", DataTypes.IntegerType, false).add("k", DataTypes.IntegerType, false)
                .add("del_plus", DataTypes.DoubleType, false).add("del_minus", DataTypes.DoubleType, false);
        Map<String, Dataset<Row>> m = new LinkedHashMap<>();
        m.put("deletion", s.createDataFrame(agg, a).coalesce(1));
        m.put("per_test", s.createDataFrame(per, p).coalesce(1));
        return m;
    }
}
