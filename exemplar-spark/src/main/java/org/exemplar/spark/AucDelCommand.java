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
import org.exemplar.data.DataException;
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
        subcommands = {AucDelCommand.L1.class})
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
            Main.Common c = new Main.Common();
            c.master = master;
            c.out = out;
            SparkSession s = c.session();
            long t0 = System.nanoTime();
            List<DeletionResult> res;
            try {
                res = SparkDeletion.evaluate(s, ds, plan, partitions);
            } catch (SparkDeletion.RetrainingFailed e) {
                throw new Main.NotConverged(e.getMessage() + "; nothing written");
            }
            double secs = (System.nanoTime() - t0) / 1e9;
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
            sum.put("seconds", secs);
            ParquetResults.write(s, results(s, res, setup.testIndices()), out,
                    ParquetResults.provenance("spark-auc-del-l1", st, in, seed), sum);
            System.out.printf(Locale.ROOT, "| method | AUC-DEL+ | AUC-DEL- |%n|---|---|---|%n");
            for (DeletionResult r : res) {
                System.out.printf(Locale.ROOT, "| %s | %.4f +- %.4f | %.4f +- %.4f |%n", r.method(), r.aucDelPlus(),
                        r.aucDelPlusCi95(), r.aucDelMinus(), r.aucDelMinusCi95());
            }
            System.err.printf(Locale.ROOT, "auc-del: %d retrainings as Spark tasks in %.1f s; wrote %s%n",
                    plan.retrainingsNeeded(), secs, out);
            return 0;
        }
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
