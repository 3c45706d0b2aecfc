package org.exemplar.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The spark-submit entry point: {@code spark-submit --class org.exemplar.spark.Main exemplar-spark.jar topk ...},
 * or {@code ./exemplar spark topk ...} for local mode. Without a master (no --master, no spark.master) it runs in
 * local[*]. Exit codes: 0 done, 2 bad input (named before the long work starts where a schema check can find it),
 * 3 a fit that did not reach its stationarity tolerance (the residual is printed).
 */
@Command(name = "exemplar spark", mixinStandardHelpOptions = true,
        description = "Attribution on Apache Spark: the work is partitioned, every number comes from exemplar-core.",
        subcommands = {Main.TopKCommand.class, Main.AlphaCommand.class, Main.FitCommand.class,
                Main.SelfInfluenceCommand.class, Main.DemoCommand.class, TopKBench.class,
                L1Command.class, CfCommand.class, ConvertCommand.class, AucDelCommand.class})
public final class Main {
    static final int BAD_INPUT = 2;
    static final int NOT_CONVERGED = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof InputException || e instanceof IllegalArgumentException) {
                System.err.println("exemplar spark: " + e.getMessage());
                return BAD_INPUT;
            }
            if (e instanceof NotConverged nc) {
                System.err.println("exemplar spark: " + nc.getMessage());
                return NOT_CONVERGED;
            }
            throw e;
        });
        return cl.execute(args);
    }

    /** A fit stopped short of its tolerance. */
    static final class NotConverged extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotConverged(String m) {
            super(m);
        }
    }

    /** Options every job shares. */
    static class Common {
        @Option(names = "--master", description = "Spark master (default: spark.master, else local[*])")
        String master;
        @Option(names = "--partitions", description = "repartition the training data into this many partitions")
        Integer partitions;
        @Option(names = "--id", defaultValue = "id", description = "id column (long; ties break by it)")
        String idColumn;
        @Option(names = "--features", defaultValue = "features",
                description = "features column: array<double> or ML Vector")
        String featuresColumn;
        @Option(names = "--label", defaultValue = "label", description = "integer label column")
        String labelColumn;
        @Option(names = "--out", required = true, description = "output folder (must not exist)")
        String out;

        SparkSession session() {
            SparkSession.Builder b = SparkSession.builder().appName("exemplar-spark");
            if (master != null) {
                b.master(master);
            } else if (!new SparkConf().contains("spark.master")) {
                b.master("local[*]");
            }
            SparkSession s = b.getOrCreate();
            s.sparkContext().setLogLevel("WARN");
            ParquetResults.requireAbsent(s, out);
            return s;
        }

        TrainingSet train(SparkSession s, String path, boolean labeled) {
            Columns c = new Columns(idColumn, featuresColumn, labeled ? labelColumn : null);
            TrainingSet t = TrainingSet.parquet(s, path, c, "training");
            return partitions == null ? t : t.repartition(partitions);
        }
    }

    static DenseMatrix readTheta(String path) {
        try {
            return Npy.readMatrix(Path.of(path));
        } catch (RuntimeException e) {
            throw new InputException("cannot read last-layer weights " + path + ": " + e.getMessage(), e);
        }
    }

    static Map<String, String> inputs(String train, TrainingSet.Scan scan, Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train", train + " (" + scan.rows() + " rows x " + scan.width() + ", row-digest:" + scan.digestHex()
                + ")");
        m.putAll(more);
        return m;
    }

    static String fileInput(String path) {
        return path + " sha256:" + Provenance.sha256(Path.of(path));
    }

    @Command(name = "topk", mixinStandardHelpOptions = true,
            description = "Top-k excitatory / inhibitory representer points of every test point.")
    static final class TopKCommand extends Common implements Callable<Integer> {
        @Option(names = "--train", required = true) String train;
        @Option(names = "--test", required = true, description = "test points (Parquet, same columns; labels unused)")
        String test;
        @Option(names = "--theta", required = true, description = "last layer Theta, c x p .npy")
        String theta;
        @Option(names = "--loss", defaultValue = "softmax") String loss;
        @Option(names = "--lambda", required = true) double lambda;
        @Option(names = "--k", defaultValue = "10") int k;
        @Option(names = "--test-block", defaultValue = "1024",
                description = "test points per broadcast block (one pass over the training data per block)")
        int testBlock;

        @Override
        public Integer call() {
            DenseMatrix th = readTheta(theta);
            SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(th, loss, lambda);
            SparkSession s = session();
            long t0 = System.nanoTime();
            TrainingSet tr = train(s, train, true);
            TrainingSet te = TrainingSet.parquet(s, test, new Columns(idColumn, featuresColumn, null), "test");
            TrainingSet.Collected tc = te.collect(layer.width());
            SparkRepresenter.TopKResult r = SparkRepresenter.topK(s, tr, layer, tc, k, testBlock);
            TrainingSet.Scan scan = r.scan();
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("loss", loss);
            st.put("lambda", lambda);
            st.put("k", k);
            st.put("explained", "logit of the class the last layer predicts (Yeh et al. 2018, Thm 3.1)");
            st.put("score", "alpha_ic f_i^T f_t, positive = excitatory");
            st.put("testBlock", testBlock);
            Map<String, Object> sum = new LinkedHashMap<>();
            sum.put("trainRows", scan.rows());
            sum.put("testPoints", tc.ids().length);
            sum.put("seconds", secs);
            ParquetResults.write(s, r.toDataset(s), out, "topk", ParquetResults.provenance("spark-rps-topk", st,
                    inputs(train, scan, Map.of("test", test, "theta", fileInput(theta))), null), sum);
            System.err.printf("topk: %d test points x %d training rows, k = %d, %.1f s; wrote %s%n",
                    tc.ids().length, scan.rows(), k, secs, out);
            return 0;
        }
    }

    @Command(name = "alpha", mixinStandardHelpOptions = true,
            description = "Representer alpha of every training row from given last-layer weights (Thm 3.1).")
    static final class AlphaCommand extends Common implements Callable<Integer> {
        @Option(names = "--train", required = true) String train;
        @Option(names = "--theta", required = true) String theta;
        @Option(names = "--loss", defaultValue = "softmax") String loss;
        @Option(names = "--lambda", required = true) double lambda;

        @Override
        public Integer call() {
            SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(readTheta(theta), loss, lambda);
            SparkSession s = session();
            TrainingSet tr = train(s, train, true);
            TrainingSet.Scan scan = tr.scan(layer.width());
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("loss", loss);
            st.put("lambda", lambda);
            st.put("alpha", "-1/(2 lambda n) dL/dPhi_i at the given Theta (Yeh et al. 2018, Thm 3.1)");
            ParquetResults.write(s, SparkRepresenter.alpha(s, tr, scan, layer), out, "alpha",
                    ParquetResults.provenance("spark-rps-alpha", st,
                            inputs(train, scan, Map.of("theta", fileInput(theta))), null),
                    Map.of("trainRows", scan.rows()));
            System.err.printf("alpha: %d training rows; wrote %s%n", scan.rows(), out);
            return 0;
        }
    }

    @Command(name = "fit", mixinStandardHelpOptions = true,
            description = "Distributed last-layer fit of eq. (3) (L-BFGS, gradients by treeAggregate), then alpha.")
    static final class FitCommand extends Common implements Callable<Integer> {
        @Option(names = "--train", required = true) String train;
        @Option(names = "--loss", defaultValue = "softmax") String loss;
        @Option(names = "--lambda", required = true) double lambda;
        @Option(names = "--tolerance", defaultValue = "1e-10",
                description = "stationarity residual ||Theta - sum_i alpha_i f_i^T|| / ||Theta||")
        double tolerance;
        @Option(names = "--max-iterations", defaultValue = "5000") int maxIterations;
        @Option(names = "--allow-unconverged", description = "write the results of a fit short of its tolerance")
        boolean allowUnconverged;

        @Override
        public Integer call() {
            FitOptions o = new FitOptions(lambda, tolerance, maxIterations, true);
            SparkSession s = session();
            TrainingSet tr = train(s, train, true).cache();
            TrainingSet.Scan scan = tr.scan(-1);
            Loss l = Loss.named(loss);
            int outputs = l.outputsForClasses(Math.max(2, scan.maxLabel() + 1));
            long t0 = System.nanoTime();
            LastLayerFit fit = SparkRepresenter.fit(tr, scan, loss, outputs, o, null, null);
            System.err.printf("fit: %s, %d iterations, stationarity residual %.3e (%s), %.1f s%n", fit.method(),
                    fit.iterations(), fit.stationarityResidual(), fit.converged() ? "converged" : "NOT converged",
                    (System.nanoTime() - t0) / 1e9);
            if (!fit.converged() && !allowUnconverged) {
                throw new NotConverged("the fit stopped at stationarity residual " + fit.stationarityResidual()
                        + " > tolerance " + tolerance + " (" + fit.message() + "); nothing written. Raise "
                        + "--max-iterations or pass --allow-unconverged");
            }
            SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(fit.theta(), loss, lambda);
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("loss", loss);
            st.put("lambda", lambda);
            st.put("objective", "(1/n) sum_i L(y_i, Theta f_i) + lambda ||Theta||_F^2, features as given");
            st.put("tolerance", tolerance);
            st.put("maxIterations", maxIterations);
            Map<String, Object> sum = new LinkedHashMap<>();
            sum.put("trainRows", scan.rows());
            sum.put("iterations", fit.iterations());
            sum.put("method", fit.method());
            sum.put("stationarityResidual", fit.stationarityResidual());
            sum.put("converged", fit.converged());
            sum.put("objectiveValue", fit.objective());
            sum.put("theta", fit.theta().data());
            sum.put("thetaShape", List.of(fit.theta().rows(), fit.theta().cols()));
            ParquetResults.write(s, SparkRepresenter.alpha(s, tr, scan, layer), out, "alpha",
                    ParquetResults.provenance("spark-rps-fit", st, inputs(train, scan, Map.of()), null), sum);
            Npy.write(Path.of(out, "theta.npy"), fit.theta());
            System.err.printf("fit: wrote %s (alpha.parquet, theta.npy, summary.json)%n", out);
            return 0;
        }
    }

    @Command(name = "self-influence", mixinStandardHelpOptions = true,
            description = "Self-influence of every training row of a linear model (Hessian aggregated once).")
    static final class SelfInfluenceCommand extends Common implements Callable<Integer> {
        @Option(names = "--train", required = true) String train;
        @Option(names = "--theta", required = true, description = "[W | b], c x (d + 1) .npy")
        String theta;
        @Option(names = "--loss", defaultValue = "sigmoid") String loss;
        @Option(names = "--l2", required = true) double l2;
        @Option(names = "--damping", defaultValue = "0") double damping;

        @Override
        public Integer call() {
            DenseMatrix th = readTheta(theta);
            SparkSession s = session();
            TrainingSet tr = train(s, train, true);
            TrainingSet.Scan scan = tr.scan(th.cols() - 1);
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("loss", loss);
            st.put("l2", l2);
            st.put("damping", damping);
            st.put("objective", "(1/n) sum_i L + (l2/2) ||theta||^2, bias penalized");
            st.put("selfInfluence", "(1/n) grad L_i^T (H + damping I)^{-1} grad L_i");
            ParquetResults.write(s, SparkSelfInfluence.compute(s, tr, scan, th, loss, l2, damping), out,
                    "self_influence",
                    ParquetResults.provenance("spark-self-influence", st,
                            inputs(train, scan, Map.of("theta", fileInput(theta))), null),
                    Map.of("trainRows", scan.rows()));
            System.err.printf("self-influence: %d training rows; wrote %s%n", scan.rows(), out);
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "The shipped MNIST slice as Parquet, a distributed last-layer fit on its pixels, "
                    + "and the top-k training digits of 100 test digits.")
    static final class DemoCommand implements Callable<Integer> {
        @Option(names = "--mnist", description = "folder with the MNIST IDX files (default: the slice shipped in "
                + "exemplar-cli, found from the launcher's exemplar.home)")
        Path mnist;
        @Option(names = "--out", required = true) Path out;
        @Option(names = "--master") String master;
        @Option(names = "--lambda", defaultValue = "0.003") double lambda;
        @Option(names = "--tolerance", defaultValue = "1e-8") double tolerance;
        @Option(names = "--k", defaultValue = "5") int k;

        @Override
        public Integer call() throws Exception {
            if (mnist == null) {
                mnist = Path.of(System.getProperty("exemplar.home", "."),
                        "exemplar-cli/src/main/resources/org/exemplar/cli/data/mnist");
            }
            if (Files.exists(out)) {
                throw new InputException("output " + out + " exists; give a new folder");
            }
            DenseMatrix xtr = Idx.read(mnist.resolve("train-images-idx3-ubyte.gz")).toMatrix()
                    .scaleInPlace(1 / 255.0).withOnesColumn();
            int[] ytr = Idx.read(mnist.resolve("train-labels-idx1-ubyte.gz")).toIntArray();
            DenseMatrix xte = Idx.read(mnist.resolve("test-images-idx3-ubyte.gz")).toMatrix()
                    .scaleInPlace(1 / 255.0).withOnesColumn().rowRange(0, 100);
            Common c = new Common();
            c.master = master;
            c.idColumn = "id";
            c.featuresColumn = "features";
            c.labelColumn = "label";
            c.out = out.resolve("input").toString();
            SparkSession s = c.session();
            Path in = out.resolve("input");
            write(s, xtr, ytr, in.resolve("train.parquet"));
            write(s, xte, null, in.resolve("test.parquet"));
            System.err.printf("demo: wrote %s (%d training digits, %d test digits, 785 features with a ones "
                    + "column)%n", in, xtr.rows(), xte.rows());
            String tr = in.resolve("train.parquet").toString();
            int rc = new CommandLine(new FitCommand()).execute("--train", tr, "--lambda", String.valueOf(lambda),
                    "--tolerance", String.valueOf(tolerance), "--out", out.resolve("fit").toString());
            if (rc != 0) {
                return rc;
            }
            return new CommandLine(new TopKCommand()).execute("--train", tr, "--test",
                    in.resolve("test.parquet").toString(), "--theta", out.resolve("fit/theta.npy").toString(),
                    "--lambda", String.valueOf(lambda), "--k", String.valueOf(k), "--out",
                    out.resolve("topk").toString());
        }

        private static void write(SparkSession s, DenseMatrix x, int[] y, Path path) {
            StructType schema = new StructType().add("id", DataTypes.LongType, false)
                    .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                    .add("label", DataTypes.IntegerType, false);
            List<Row> rows = new java.util.ArrayList<>();
            for (int i = 0; i < x.rows(); i++) {
                rows.add(RowFactory.create((long) i, x.row(i), y == null ? -1 : y[i]));
            }
            Dataset<Row> df = s.createDataFrame(rows, schema);
            df.repartition(4).write().parquet(path.toString());
        }
    }
}
