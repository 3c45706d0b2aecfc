package org.exemplar.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code exemplar spark l1}: the high-dimensional representer of an L1 logistic regression on sparse rows. */
@Command(name = "l1", mixinStandardHelpOptions = true,
        description = {"Top-k excitatory / inhibitory training rows of every test point by the high-dimensional "
                + "representer of L1 logistic regression (Tsai et al. 2023, Cor. 2), alpha_i sum_{j in support} "
                + "|theta_j| x_ij x'_j, on sparse rows (an ML Vector column, or --indices and --values array "
                + "columns), from given weights: --theta/--lambda/--bias, or --model, the folder `exemplar hdrep l1` "
                + "wrote.",
            "Writes OUT/l1.parquet (test_id, kind, rank, train_id, score) and OUT/summary.json."})
final class L1Command extends Main.Common implements Callable<Integer> {
    @Option(names = "--train", required = true, description = "training rows (Parquet): id, features, label 0/1 "
            + "or -1/+1") String train;
    @Option(names = "--test", required = true, description = "test rows (Parquet, same columns; labels unused)")
    String test;
    @Option(names = "--model", description = "an `exemplar hdrep l1` output folder: theta.npy, and lambda and the "
            + "bias from its summary.json") Path model;
    @Option(names = "--theta", description = "weights theta, a length-p .npy (as `hdrep l1` writes it)") String theta;
    @Option(names = "--lambda", description = "the L1 strength theta was fitted with") Double lambda;
    @Option(names = "--bias", description = "the unpenalized bias of the fit (default 0: none)") Double bias;
    @Option(names = "--indices", description = "features as two array columns: the indices column (with --values)")
    String indices;
    @Option(names = "--values", description = "the values column (with --indices)") String values;
    @Option(names = "--k", defaultValue = "10") int k;
    @Option(names = "--test-block", defaultValue = "256",
            description = "test points per broadcast block (one pass over the training data per block)")
    int testBlock;

    @Override
    public Integer call() {
        Weights w = weights();
        SparkL1Representer.Model m = new SparkL1Representer.Model(w.theta(), w.bias(), w.lambda());
        SparseColumns cols = indices != null || values != null
                ? SparseColumns.arrays(idColumn, indices, values, labelColumn)
                : SparseColumns.vector(idColumn, featuresColumn, labelColumn);
        SparkSession s = session();
        long t0 = System.nanoTime();
        SparseSet tr = SparseSet.parquet(s, train, cols, "training");
        if (partitions != null) {
            tr = tr.repartition(partitions);
        }
        SparseSet.Chunk te = SparseSet.parquet(s, test, cols.withoutLabel(), "test").collect(m.width());
        SparkL1Representer.Result r = SparkL1Representer.topK(s, tr, m, te, k, testBlock);
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("model", "L1 logistic regression (1/n) sum log(1+exp(-y (x.theta + b))) + lambda ||theta||_1");
        st.put("lambda", w.lambda());
        st.put("bias", w.bias());
        st.put("k", k);
        st.put("testBlock", testBlock);
        st.put("explained", "x'^T theta, the prediction score without the bias");
        st.put("score", "alpha_i sum_{j in S} |theta_j| x_ij x'_j, alpha_i = -l'(y_i, x_i.theta + b)/(n lambda) "
                + "(Tsai et al. 2023, Cor. 2); positive = excitatory");
        Map<String, String> in = new LinkedHashMap<>();
        in.put("train", train + " (" + r.pass().rows() + " rows, row-digest:" + r.pass().digestHex() + ")");
        in.put("test", test + " (" + te.ids().length + " rows)");
        in.put("theta", Main.fileInput(w.source()));
        Map<String, Object> sum = new LinkedHashMap<>();
        sum.put("trainRows", r.pass().rows());
        sum.put("testPoints", te.ids().length);
        sum.put("features", m.width());
        sum.put("supportSize", m.support());
        sum.put("decompositionError", r.decompositionError());
        sum.put("decompositionErrorMeaning", "worst |sum_i score_i - x'theta| / max(1, |x'theta|) over the test "
                + "points, every training row summed: zero at the exact optimum of this training data");
        sum.put("seconds", secs);
        ParquetResults.write(s, r.toDataset(s), out, "l1", ParquetResults.provenance("spark-hdrep-l1", st, in, null),
                sum);
        System.err.printf("l1: %d test points x %d training rows (p = %d, support %d), k = %d, decomposition "
                + "error %.2e, %.1f s; wrote %s%n", te.ids().length, r.pass().rows(), m.width(), m.support(), k,
                r.decompositionError(), secs, out);
        return 0;
    }

    /** theta, lambda, bias and the weights file they came from. */
    record Weights(double[] theta, double lambda, double bias, String source) {
    }

    Weights weights() {
        if ((model == null) == (theta == null)) {
            throw new InputException("give the weights either as --model DIR (an `exemplar hdrep l1` output) or as "
                    + "--theta FILE with --lambda");
        }
        if ((indices == null) != (values == null)) {
            throw new InputException("give both --indices and --values, or neither (an ML Vector --features column)");
        }
        if (model != null) {
            Path summary = model.resolve("summary.json");
            JsonNode j;
            try {
                j = Json.mapper().readTree(Files.readString(summary));
            } catch (Exception e) {
                throw new InputException("cannot read " + summary + ": " + e.getMessage(), e);
            }
            JsonNode l = j.path("settings").path("lambda");
            if (!l.isNumber()) {
                throw new InputException(summary + " has no settings.lambda: is " + model + " an `exemplar hdrep l1` "
                        + "output?");
            }
            return new Weights(readVector(model.resolve("theta.npy").toString()), lambda != null ? lambda
                    : l.asDouble(), bias != null ? bias : j.path("bias_term").asDouble(0),
                    model.resolve("theta.npy").toString());
        }
        if (lambda == null) {
            throw new InputException("--theta needs --lambda (the L1 strength it was fitted with)");
        }
        return new Weights(readVector(theta), lambda, bias == null ? 0 : bias, theta);
    }

    static double[] readVector(String path) {
        NpyArray a;
        try {
            a = Npy.read(Path.of(path));
        } catch (RuntimeException e) {
            throw new InputException("cannot read the weights " + path + ": " + e.getMessage(), e);
        }
        if (a.ndim() > 2 || (a.ndim() == 2 && a.rows() != 1 && a.cols() != 1)) {
            throw new InputException("the weights " + path + " have shape " + a.shapeString()
                    + ", expected a vector (p,)");
        }
        return a.toMatrix().data();
    }
}
