package org.exemplar.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.exemplar.cf.CfLoss;
import org.exemplar.data.Npy;
import org.exemplar.linalg.DenseMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code exemplar spark cf}: Definition 1 explanations of every test pair, Algorithm 1 on the driver. */
@Command(name = "cf", mixinStandardHelpOptions = true,
        description = {"High-dimensional representer for collaborative filtering (Tsai et al. 2023, Definition 1) "
                + "for every test pair: Algorithm 1 on the driver turns the trained factors U^, V^ into normalized "
                + "embeddings; the interaction log is joined with the test pairs on the item (user-based terms, "
                + "eq. 13) and on the user (item-based terms, eq. 14); top-k per sign per test pair.",
            "Writes OUT/explanations.parquet (test_id, user, item, side, rank, train_user, train_item, kind, score), "
                + "OUT/predictions.parquet (test_id, user, item, prediction, user_based_sum, item_based_sum, "
                + "ratings) and OUT/summary.json."})
final class CfCommand implements Callable<Integer> {
    @Option(names = "--ratings", required = true, description = "interaction log (Parquet): user, item, rating "
            + "(0-based ids, the rating on the scale the factors were trained on)") String ratings;
    @Option(names = "--test-pairs", required = true, description = "pairs to explain (Parquet): id, user, item")
    String testPairs;
    @Option(names = "--user-embeddings", required = true, description = "trained user factors U^, (|U|, k) .npy")
    String userEmbeddings;
    @Option(names = "--item-embeddings", required = true, description = "trained item factors V^, (|I|, k) .npy")
    String itemEmbeddings;
    @Option(names = "--loss", defaultValue = "squared", description = "squared | logistic (the training loss)")
    String loss;
    @Option(names = "--negative-weight", defaultValue = "1.0",
            description = "weight of y = 0 ratings under the logistic loss (App. C)") double negativeWeight;
    @Option(names = "--k", defaultValue = "10", description = "ratings per sign per test pair") int k;
    @Option(names = "--user", defaultValue = "user", description = "user column (log and pairs)") String user;
    @Option(names = "--item", defaultValue = "item", description = "item column (log and pairs)") String item;
    @Option(names = "--rating", defaultValue = "rating", description = "rating column of the log") String rating;
    @Option(names = "--id", defaultValue = "id", description = "id column of the test pairs") String id;
    @Option(names = "--master", description = "Spark master (default: spark.master, else local[*])") String master;
    @Option(names = "--partitions", description = "repartition the interaction log into this many partitions")
    Integer partitions;
    @Option(names = "--out", required = true, description = "output folder (must not exist)") String out;

    @Override
    public Integer call() {
        CfLoss l;
        try {
            l = CfLoss.named(loss);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        DenseMatrix u = readFactors(userEmbeddings, "user");
        DenseMatrix v = readFactors(itemEmbeddings, "item");
        requireFinite(u, userEmbeddings);
        requireFinite(v, itemEmbeddings);
        long t0 = System.nanoTime();
        SparkCf.Model model = SparkCf.Model.of(u, v, l, negativeWeight);
        double secsSvd = (System.nanoTime() - t0) / 1e9;
        Main.Common c = new Main.Common();
        c.master = master;
        c.out = out;
        SparkSession s = c.session();
        Dataset<Row> log = read(s, ratings, "interaction log");
        Dataset<Row> pairs = read(s, testPairs, "test pairs");
        long t1 = System.nanoTime();
        SparkCf.Result r = SparkCf.explain(s, log, new SparkCf.LogColumns(user, item, rating), pairs,
                new SparkCf.PairColumns(id, user, item), model, k, partitions);
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("loss", l.name().toLowerCase(java.util.Locale.ROOT));
        st.put("negativeWeight", negativeWeight);
        st.put("constant", 1.0);
        st.put("k", k);
        st.put("embeddings", "Algorithm 1 (Tsai et al. 2023, App. F) with V~ = V2 V3 sqrt(S3), on the driver");
        st.put("score", "-w_ij l'(y_ij, <U~_i, V~_j>) times <U~_i, U~_i'> (kind user, same item, eq. 13) or "
                + "<V~_j, V~_j'> (kind item, same user, eq. 14); positive = excitatory");
        Map<String, String> in = new LinkedHashMap<>();
        in.put("ratings", ratings + " (" + r.log().rows() + " ratings, row-digest:" + r.log().digestHex() + ")");
        in.put("test_pairs", testPairs + " (" + r.testPairs() + " pairs)");
        in.put("user_embeddings", Main.fileInput(userEmbeddings));
        in.put("item_embeddings", Main.fileInput(itemEmbeddings));
        Map<String, Dataset<Row>> results = new LinkedHashMap<>();
        results.put("explanations", r.explanations(s));
        results.put("predictions", r.predictions(s));
        Map<String, Object> sum = new LinkedHashMap<>();
        sum.put("users", model.users());
        sum.put("items", model.items());
        sum.put("rank", model.embeddings().rank());
        sum.put("singularValues", model.embeddings().singularValues());
        sum.put("ratings", r.log().rows());
        sum.put("testPairs", r.testPairs());
        sum.put("secondsAlgorithm1", secsSvd);
        try {
            ParquetResults.write(s, results, out, ParquetResults.provenance("spark-hdrep-cf", st, in, null), sum);
        } finally {
            r.release();
        }
        double secs = (System.nanoTime() - t1) / 1e9;
        System.err.printf("cf: %d test pairs against %d ratings (%d users x %d items, rank %d), k = %d, "
                + "Algorithm 1 %.2f s, join and scoring %.1f s; wrote %s%n", r.testPairs(), r.log().rows(),
                model.users(), model.items(), model.embeddings().rank(), k, secsSvd, secs, out);
        return 0;
    }

    private static DenseMatrix readFactors(String path, String what) {
        try {
            return Npy.readMatrix(java.nio.file.Path.of(path));
        } catch (RuntimeException e) {
            throw new InputException("cannot read the " + what + " factors " + path + ": " + e.getMessage(), e);
        }
    }

    private static void requireFinite(DenseMatrix m, String path) {
        for (int q = 0; q < m.data().length; q++) {
            if (!Double.isFinite(m.data()[q])) {
                throw new InputException(path + " has a non-finite entry " + m.data()[q] + " at row "
                        + q / m.cols() + ", column " + q % m.cols());
            }
        }
    }

    static Dataset<Row> read(SparkSession s, String path, String what) {
        try {
            return s.read().parquet(path);
        } catch (Exception e) { // SparkException is checked in Java, thrown unchecked from Scala
            throw new InputException("cannot read " + what + " " + path + " as Parquet: "
                    + TrainingSet.rootMessage(e), e);
        }
    }
}
