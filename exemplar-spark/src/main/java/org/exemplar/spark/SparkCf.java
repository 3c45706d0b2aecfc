package org.exemplar.spark;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.exemplar.attribution.MergeableTopK;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.NormalizedEmbeddings;
import org.exemplar.linalg.DenseMatrix;
import scala.Tuple2;

/**
 * The high-dimensional representer for collaborative filtering (Tsai et al. 2023, Definition 1) for every test pair
 * of a Spark source: Algorithm 1 (the thin SVDs that give the normalized embeddings U~, V~ from trained factors U^,
 * V^) runs on the driver ({@link NormalizedEmbeddings#of}), the embeddings go out as a broadcast, and Definition 1
 * is a join: the interaction log joined with the test pairs on the item (user-based terms, eq. 13) and on the user
 * with another item (item-based terms, eq. 14), each joined row scored by core's {@link CfRepresenter#pairScores}
 * in blocks per partition into bounded heaps per test pair ({@link MergeableTopK}), merged by test pair. The
 * constant c is 1 (plain MF and two-tower models, eq. 16-18).
 */
public final class SparkCf {
    /** Rows per block handed to the kernel. */
    static final int BLOCK = 4096;

    private SparkCf() {
    }

    /** Column names of the interaction log (user, item, rating; 0-based integer ids, a numeric rating). */
    public record LogColumns(String user, String item, String rating) implements Serializable {
        public static LogColumns defaults() {
            return new LogColumns("user", "item", "rating");
        }
    }

    /** Column names of the test pairs (a unique integer id, 0-based user and item). */
    public record PairColumns(String id, String user, String item) implements Serializable {
        public static PairColumns defaults() {
            return new PairColumns("id", "user", "item");
        }
    }

    /**
     * The model: normalized embeddings (Algorithm 1 of the trained factors), the loss the factors were trained with,
     * and the weight of y = 0 ratings under the logistic loss (App. C).
     */
    public record Model(NormalizedEmbeddings embeddings, CfLoss loss, double negativeWeight) {
        /** Algorithm 1 on the driver. */
        public static Model of(DenseMatrix users, DenseMatrix items, CfLoss loss, double negativeWeight) {
            if (users.cols() != items.cols()) {
                throw new InputException("user factors " + users.shapeString() + " and item factors "
                        + items.shapeString() + " differ in width");
            }
            if (!(negativeWeight > 0)) {
                throw new InputException("negative weight must be > 0, got " + negativeWeight);
            }
            return new Model(NormalizedEmbeddings.of(new Factorization(users, items)), loss, negativeWeight);
        }

        public int users() {
            return embeddings.users().rows();
        }

        public int items() {
            return embeddings.items().rows();
        }
    }

    /** The embeddings as plain arrays, for the broadcast (the library's matrices are not Serializable). */
    record Shipped(int users, int items, int rank, double[] u, double[] v, double[] s, CfLoss loss,
                   double negativeWeight) implements Serializable {
        static Shipped of(Model m) {
            NormalizedEmbeddings e = m.embeddings();
            return new Shipped(e.users().rows(), e.items().rows(), e.users().cols(), e.users().data(),
                    e.items().data(), e.singularValues(), m.loss(), m.negativeWeight());
        }

        NormalizedEmbeddings embeddings() {
            return new NormalizedEmbeddings(new DenseMatrix(users, rank, u), new DenseMatrix(items, rank, v), s);
        }
    }

    /**
     * Explains every test pair by its top-k training ratings of each sign.
     *
     * @param partitions repartition the log into this many partitions first (null: as read)
     */
    public static Result explain(SparkSession spark, Dataset<Row> log, LogColumns lc, Dataset<Row> pairs,
                                 PairColumns pc, Model model, int k, Integer partitions) {
        if (k < 1) {
            throw new InputException("k must be >= 1, got " + k);
        }
        Dataset<Row> read = normalizedLog(log, lc);
        Dataset<Row> r = partitions == null ? read : read.repartition(partitions);
        Dataset<Row> t = normalizedPairs(pairs, pc);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Shipped> b = jsc.broadcast(Shipped.of(model));
        int nu = model.users();
        int ni = model.items();
        // the log: ranges, finiteness, count and digest, before the join (a rating no test pair joins is checked too)
        LogScan logScan = Jobs.run(() -> r.javaRDD().mapPartitions((Iterator<Row> it) -> {
            LogScan s = LogScan.EMPTY;
            while (it.hasNext()) {
                Row row = it.next();
                checkRating(row, nu, ni);
                s = LogScan.merge(s, new LogScan(1, RowDigest.ofRating(row.getLong(0), row.getLong(1),
                        row.getDouble(2))));
            }
            return List.of(s).iterator();
        }).treeReduce(LogScan::merge), "interaction log");
        if (logScan.rows() == 0) {
            throw new InputException("the interaction log is empty");
        }
        // Definition 1 as a join: same item (user-based, eq. 13, the test pair itself included when observed),
        // same user and another item (item-based, eq. 14)
        org.apache.spark.HashPartitioner byTest = new org.apache.spark.HashPartitioner(
                Math.max(1, spark.sparkContext().defaultParallelism()));
        Dataset<Row> userBased = r.join(t, r.col("i").equalTo(t.col("ti")));
        Dataset<Row> itemBased = r.join(t, r.col("u").equalTo(t.col("tu")).and(r.col("i").notEqual(t.col("ti"))));
        Dataset<Row> joined = userBased.select("tid", "tu", "ti", "u", "i", "y")
                .union(itemBased.select("tid", "tu", "ti", "u", "i", "y"));
        JavaPairRDD<Long, PairTop> tops = joined.javaRDD().mapPartitionsToPair((Iterator<Row> it) -> {
            Shipped sh = b.value();
            NormalizedEmbeddings emb = sh.embeddings();
            Map<Long, PairTop> heaps = new HashMap<>();
            Block blk = new Block();
            while (it.hasNext()) {
                blk.add(it.next(), sh);
                if (blk.m == BLOCK) {
                    blk.score(emb, sh, heaps, k);
                }
            }
            blk.score(emb, sh, heaps, k);
            List<Tuple2<Long, PairTop>> out = new ArrayList<>(heaps.size());
            heaps.forEach((id, h) -> out.add(new Tuple2<>(id, h)));
            return out.iterator();
        }).reduceByKey(byTest, PairTop::merge);
        // every test pair (ranges checked, ids unique) with its prediction <U~_i', V~_j'> and the sums of its user-
        // and item-based terms; partitioned as the heaps, so that the join adds no shuffle
        JavaPairRDD<Long, long[]> byId = t.javaRDD().mapToPair(row -> {
            checkPair(row, nu, ni);
            return new Tuple2<>(row.getLong(0), new long[] {row.getLong(0), row.getLong(1), row.getLong(2)});
        }).reduceByKey(byTest, (a, c) -> {
            throw new InputException("test pair id " + a[0] + " appears twice ((user " + a[1] + ", item " + a[2]
                    + ") and (user " + c[1] + ", item " + c[2] + "))");
        });
        JavaRDD<Row> explained = byId.leftOuterJoin(tops, byTest).map(e -> {
            long[] p = new long[] {e._2()._1()[1], e._2()._1()[2]};
            PairTop top = e._2()._2().orElse(null);
            double prediction = b.value().embeddings().predict((int) p[0], (int) p[1]);
            return RowFactory.create(e._1(), p[0], p[1], prediction, top == null ? 0.0 : top.userSum,
                    top == null ? 0.0 : top.itemSum, top == null ? 0L : top.ratings, top);
        }).cache();
        long testPairs = Jobs.run(explained::count, "interaction log");
        if (testPairs == 0) {
            explained.unpersist(false);
            throw new InputException("no test pairs");
        }
        return new Result(explained, testPairs, logScan, nu, ni, b);
    }

    private static Dataset<Row> normalizedLog(Dataset<Row> log, LogColumns c) {
        integral(log, c.user(), "interaction log", "user");
        integral(log, c.item(), "interaction log", "item");
        DataType ty = TrainingSet.field(log, c.rating(), "interaction log").dataType();
        if (!(ty instanceof NumericType)) {
            throw new InputException("interaction log: rating column '" + c.rating() + "' has type "
                    + ty.simpleString() + ", expected a number");
        }
        return log.select(col(c.user()).cast(DataTypes.LongType).as("u"), col(c.item()).cast(DataTypes.LongType)
                .as("i"), col(c.rating()).cast(DataTypes.DoubleType).as("y"));
    }

    private static Dataset<Row> normalizedPairs(Dataset<Row> pairs, PairColumns c) {
        integral(pairs, c.id(), "test pairs", "id");
        integral(pairs, c.user(), "test pairs", "user");
        integral(pairs, c.item(), "test pairs", "item");
        return pairs.select(col(c.id()).cast(DataTypes.LongType).as("tid"), col(c.user()).cast(DataTypes.LongType)
                .as("tu"), col(c.item()).cast(DataTypes.LongType).as("ti"));
    }

    private static void integral(Dataset<Row> d, String name, String what, String role) {
        DataType t = TrainingSet.field(d, name, what).dataType();
        if (!(t instanceof IntegralType)) {
            throw new InputException(what + ": " + role + " column '" + name + "' has type " + t.simpleString()
                    + ", expected an integer type (0-based ids)");
        }
    }

    static void checkRating(Row row, int users, int items) {
        if (row.isNullAt(0) || row.isNullAt(1) || row.isNullAt(2)) {
            throw new InputException("interaction log row (user " + row.get(0) + ", item " + row.get(1)
                    + ", rating " + row.get(2) + ") has a null");
        }
        long u = row.getLong(0);
        long i = row.getLong(1);
        double y = row.getDouble(2);
        String at = "interaction log row (user " + u + ", item " + i + ", rating " + y + "): ";
        if (u < 0 || u >= users) {
            throw new InputException(at + "unknown user " + u + ": outside [0, " + users + "), the rows of the user "
                    + "factors");
        }
        if (i < 0 || i >= items) {
            throw new InputException(at + "unknown item " + i + ": outside [0, " + items + "), the rows of the item "
                    + "factors");
        }
        if (!Double.isFinite(y)) {
            throw new InputException(at + "the rating is not a finite number");
        }
    }

    static void checkPair(Row row, int users, int items) {
        if (row.isNullAt(0) || row.isNullAt(1) || row.isNullAt(2)) {
            throw new InputException("test pair (id " + row.get(0) + ", user " + row.get(1) + ", item "
                    + row.get(2) + ") has a null");
        }
        long id = row.getLong(0);
        long u = row.getLong(1);
        long i = row.getLong(2);
        if (u < 0 || u >= users) {
            throw new InputException("test pair id " + id + ": unknown user " + u + ": outside [0, " + users
                    + "), the rows of the user factors");
        }
        if (i < 0 || i >= items) {
            throw new InputException("test pair id " + id + ": unknown item " + i + ": outside [0, " + items
                    + "), the rows of the item factors");
        }
    }

    /** Joined rows collected into arrays, scored by the library's kernel a block at a time. */
    private static final class Block {
        final long[] tid = new long[BLOCK];
        final int[] tu = new int[BLOCK];
        final int[] ti = new int[BLOCK];
        final int[] u = new int[BLOCK];
        final int[] i = new int[BLOCK];
        final double[] y = new double[BLOCK];
        final double[] w = new double[BLOCK];
        int m;

        void add(Row row, Shipped sh) {
            checkPair(row, sh.users(), sh.items());     // (tid, tu, ti) lead the joined row as they lead a pair
            tid[m] = row.getLong(0);
            tu[m] = (int) row.getLong(1);
            ti[m] = (int) row.getLong(2);
            u[m] = (int) row.getLong(3);
            i[m] = (int) row.getLong(4);
            y[m] = row.getDouble(5);
            w[m] = CfRepresenter.weight(sh.loss(), sh.negativeWeight(), y[m]);
            m++;
        }

        void score(NormalizedEmbeddings emb, Shipped sh, Map<Long, PairTop> heaps, int k) {
            if (m == 0) {
                return;
            }
            double[] s = new double[m];
            CfRepresenter.pairScores(emb, sh.loss(), 1.0, java.util.Arrays.copyOf(u, m),
                    java.util.Arrays.copyOf(i, m), java.util.Arrays.copyOf(y, m), java.util.Arrays.copyOf(w, m),
                    java.util.Arrays.copyOf(tu, m), java.util.Arrays.copyOf(ti, m), s);
            for (int r = 0; r < m; r++) {
                int tUser = tu[r];
                int tItem = ti[r];
                PairTop top = heaps.computeIfAbsent(tid[r], id -> new PairTop(tUser, tItem, k));
                top.accept(u[r], i[r], tUser, tItem, s[r], sh.items());
            }
            m = 0;
        }
    }

    /** One test pair's heaps, sums of its user- and item-based terms, and count of joined ratings. */
    static final class PairTop implements Serializable {
        private static final long serialVersionUID = 1L;
        final long user;
        final long item;
        final MergeableTopK heaps;
        double userSum;
        double itemSum;
        long ratings;
        private transient DenseMatrix one;
        private transient long[] oneId;

        PairTop(long user, long item, int k) {
            this.user = user;
            this.item = item;
            this.heaps = new MergeableTopK(k, 1);
        }

        void accept(int u, int i, int testUser, int testItem, double score, int items) {
            if (CfRepresenter.kind(u, i, testUser, testItem) == org.exemplar.cf.CfAttribution.Kind.USER) {
                userSum += score;
            } else {
                itemSum += score;
            }
            ratings++;
            if (one == null) {
                one = new DenseMatrix(1, 1);
                oneId = new long[1];
            }
            one.data()[0] = score;
            oneId[0] = (long) u * items + i;
            heaps.accept(0, one, oneId);
        }

        static PairTop merge(PairTop a, PairTop b) {
            PairTop m = new PairTop(a.user, a.item, a.heaps.k());
            m.heaps.merge(a.heaps).merge(b.heaps);
            m.userSum = a.userSum + b.userSum;
            m.itemSum = a.itemSum + b.itemSum;
            m.ratings = a.ratings + b.ratings;
            return m;
        }
    }

    /** What the validation pass saw of the log: rating count and an order-invariant digest. */
    public record LogScan(long rows, long digest) implements Serializable {
        static final LogScan EMPTY = new LogScan(0, 0);

        static LogScan merge(LogScan a, LogScan b) {
            return new LogScan(a.rows + b.rows, a.digest + b.digest);
        }

        public String digestHex() {
            return String.format("%016x", digest);
        }
    }

    /**
     * Every test pair's explanation, distributed: rows (test_id, user, item, prediction, user_based_sum,
     * item_based_sum, ratings, top), cached.
     */
    public static final class Result {
        private final JavaRDD<Row> rows;
        private final long testPairs;
        private final LogScan log;
        private final int items;
        private final Broadcast<Shipped> broadcast;

        Result(JavaRDD<Row> rows, long testPairs, LogScan log, int users, int items, Broadcast<Shipped> b) {
            this.rows = rows;
            this.testPairs = testPairs;
            this.log = log;
            this.items = items;
            this.broadcast = b;
        }

        public long testPairs() {
            return testPairs;
        }

        public LogScan log() {
            return log;
        }

        /**
         * The top-k training ratings of each sign per test pair, long format: test_id, user, item, side
         * (excitatory: positive score, inhibitory: negative), rank (1 = strongest), train_user, train_item, kind
         * (user: same item as the pair, eq. 13; item: same user, eq. 14), score.
         */
        public Dataset<Row> explanations(SparkSession spark) {
            int ni = items;
            JavaRDD<Row> out = rows.flatMap(r -> {
                List<Row> o = new ArrayList<>();
                PairTop top = (PairTop) r.get(7);
                if (top != null) {
                    add(o, r.getLong(0), top, "excitatory", top.heaps.supportingIds(0),
                            top.heaps.supportingScores(0), ni);
                    add(o, r.getLong(0), top, "inhibitory", top.heaps.opposingIds(0), top.heaps.opposingScores(0),
                            ni);
                }
                return o.iterator();
            });
            StructType schema = new StructType().add("test_id", DataTypes.LongType, false)
                    .add("user", DataTypes.LongType, false).add("item", DataTypes.LongType, false)
                    .add("side", DataTypes.StringType, false).add("rank", DataTypes.IntegerType, false)
                    .add("train_user", DataTypes.LongType, false).add("train_item", DataTypes.LongType, false)
                    .add("kind", DataTypes.StringType, false).add("score", DataTypes.DoubleType, false);
            return spark.createDataFrame(out, schema);
        }

        private static void add(List<Row> o, long id, PairTop top, String side, long[] ids, double[] scores,
                                int items) {
            for (int q = 0; q < ids.length; q++) {
                long u = ids[q] / items;
                long i = ids[q] % items;
                o.add(RowFactory.create(id, top.user, top.item, side, q + 1, u, i,
                        CfRepresenter.kind((int) u, (int) i, (int) top.user, (int) top.item).label(), scores[q]));
            }
        }

        /**
         * Per test pair: test_id, user, item, prediction &lt;U~_i', V~_j'&gt;, user_based_sum, item_based_sum (every
         * joined rating's score, not just the top k), ratings (how many training ratings share its user or item).
         */
        public Dataset<Row> predictions(SparkSession spark) {
            JavaRDD<Row> out = rows.map(r -> RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4),
                    r.get(5), r.get(6)));
            StructType schema = new StructType().add("test_id", DataTypes.LongType, false)
                    .add("user", DataTypes.LongType, false).add("item", DataTypes.LongType, false)
                    .add("prediction", DataTypes.DoubleType, false).add("user_based_sum", DataTypes.DoubleType, false)
                    .add("item_based_sum", DataTypes.DoubleType, false).add("ratings", DataTypes.LongType, false);
            return spark.createDataFrame(out, schema);
        }

        /** Frees the cached rows and the broadcast embeddings. */
        public void release() {
            rows.unpersist(false);
            broadcast.destroy();
        }
    }
}
