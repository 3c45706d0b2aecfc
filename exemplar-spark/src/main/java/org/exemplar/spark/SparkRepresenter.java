package org.exemplar.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.exemplar.attribution.MergeableTopK;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.LastLayerObjective;
import org.exemplar.representer.RepresenterPoints;
import org.exemplar.representer.SummedLastLayerObjective;
import org.exemplar.solver.IterationListener;

/**
 * Representer points (Yeh et al. 2018) where the training data lives: alpha from given last-layer weights, the
 * distributed last-layer fit of eq. (3), and the top-k excitatory / inhibitory training points of every test point.
 * Every number comes from exemplar-core's kernels ({@link RepresenterPoints#alphaRows},
 * {@link RepresenterPoints#values(DenseMatrix, DenseMatrix, DenseMatrix, int[], int, RepresenterPoints.BlockSink)},
 * {@link LastLayerObjective#dataTerm}, {@link MergeableTopK}); this class only partitions the work.
 */
public final class SparkRepresenter {
    private SparkRepresenter() {
    }

    /**
     * A last layer: Theta (c x p, features used as given), its loss and the lambda of eq. (3).
     *
     * @param theta  row-major c x p
     * @param loss   loss name ({@link Loss#named}): softmax or sigmoid
     * @param lambda eq. (3)'s lambda (lambda ||Theta||^2)
     */
    public record Layer(int outputs, int width, double[] theta, String loss, double lambda) implements Serializable {
        public static Layer of(DenseMatrix theta, String loss, double lambda) {
            Loss.named(loss);
            if (!(lambda > 0)) {
                throw new InputException("lambda must be > 0, got " + lambda);
            }
            return new Layer(theta.rows(), theta.cols(), theta.data().clone(), loss, lambda);
        }

        public DenseMatrix thetaMatrix() {
            return new DenseMatrix(outputs, width, theta.clone());
        }

        DenseMatrix targets(Loss l, int[] labels) {
            for (int y : labels) {
                if (y < 0) {
                    throw new InputException("training rows need class labels (a label is missing or negative)");
                }
                if (outputs > 1 && y >= outputs) {
                    throw new InputException("label " + y + " outside [0, " + outputs + ") for a last layer of "
                            + outputs + " outputs");
                }
                if (outputs == 1 && y > 1) {
                    throw new InputException("label " + y + " for a one-output (sigmoid) layer: labels must be 0/1");
                }
            }
            return l.targetsFromLabels(labels, outputs);
        }
    }

    /** alpha (n x c) per training row: a Dataset (id: long, alpha: array&lt;double&gt;). */
    public static Dataset<Row> alpha(SparkSession spark, TrainingSet train, TrainingSet.Scan scan, Layer layer) {
        checkWidth(scan, layer);
        long n = scan.rows();
        JavaRDD<Row> rows = train.rdd().mapPartitions((Iterator<TrainRow> it) -> {
            Loss l = Loss.named(layer.loss());
            DenseMatrix theta = layer.thetaMatrix();
            List<Row> out = new ArrayList<>();
            Chunks.forEach(it, layer.width(), Chunks.DEFAULT_ROWS, "training", ch -> {
                DenseMatrix a = RepresenterPoints.alphaRows(ch.features(), layer.targets(l, ch.labels()), l,
                        layer.lambda(), theta, n);
                for (int r = 0; r < ch.rows(); r++) {
                    out.add(RowFactory.create(ch.ids()[r], a.row(r)));
                }
            });
            return out.iterator();
        });
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("alpha", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        return spark.createDataFrame(rows, schema);
    }

    /**
     * Fits Theta to a stationary point of eq. (3) with core's {@link LastLayerFitter} (L-BFGS, then Newton-CG if
     * it stops short) on an objective whose data terms are one treeAggregate over the partitions per evaluation.
     * The rows are read once into dense blocks kept in executor memory for the whole fit.
     *
     * @param outputs c (classes for softmax, 1 for sigmoid)
     */
    public static LastLayerFit fit(TrainingSet train, TrainingSet.Scan scan, String loss, int outputs,
                                   FitOptions options, DenseMatrix start, IterationListener listener) {
        Loss.named(loss);
        int p = scan.width();
        int dim = outputs * p;
        double lambda = options.lambda();
        Layer shape = new Layer(outputs, p, new double[dim], loss, lambda);
        // the partitions' rows as dense blocks with their loss targets, built once and kept in executor memory
        // (deserialized): every L-BFGS evaluation then costs two BLAS products per block and one treeAggregate
        JavaRDD<Block> blocks = train.rdd().mapPartitions((Iterator<TrainRow> it) -> {
            Loss l = Loss.named(loss);
            List<Block> out = new ArrayList<>();
            Chunks.forEach(it, p, Chunks.DEFAULT_ROWS, "training",
                    ch -> out.add(new Block(ch.features(), shape.targets(l, ch.labels()))));
            return out.iterator();
        }).persist(org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
        SummedLastLayerObjective objective = new SummedLastLayerObjective(outputs, p, scan.rows(), lambda,
                new SummedLastLayerObjective.DataTerms() {
                    @Override
                    public double lossAndGradientSums(double[] theta, double[] gradSum) {
                        double[] acc = Jobs.run(() -> blocks.mapPartitions((Iterator<Block> it) -> {
                            Loss l = Loss.named(loss);
                            double[] sum = new double[dim + 1];
                            double[] part = new double[dim];
                            while (it.hasNext()) {
                                Block b = it.next();
                                sum[dim] += new LastLayerObjective(b.features(), b.targets(), l, lambda)
                                        .dataTerm(theta, part);
                                for (int k = 0; k < dim; k++) {
                                    sum[k] += part[k];
                                }
                            }
                            return List.of(sum).iterator();
                        }).treeReduce(SparkRepresenter::add), "training");
                        System.arraycopy(acc, 0, gradSum, 0, dim);
                        return acc[dim];
                    }

                    @Override
                    public void hessianSums(double[] theta, double[] v, double[] out) {
                        double[] acc = Jobs.run(() -> blocks.mapPartitions((Iterator<Block> it) -> {
                            Loss l = Loss.named(loss);
                            double[] sum = new double[dim];
                            double[] part = new double[dim];
                            while (it.hasNext()) {
                                Block b = it.next();
                                new LastLayerObjective(b.features(), b.targets(), l, lambda)
                                        .hessianDataTerm(theta, v, part);
                                for (int k = 0; k < dim; k++) {
                                    sum[k] += part[k];
                                }
                            }
                            return List.of(sum).iterator();
                        }).treeReduce(SparkRepresenter::add), "training");
                        System.arraycopy(acc, 0, out, 0, dim);
                    }
                });
        try {
            return new LastLayerFitter(options).fit(objective, outputs, p, start, listener);
        } finally {
            blocks.unpersist(false);
        }
    }

    /** A dense block of training rows with their loss targets (kept in memory during a fit). */
    record Block(DenseMatrix features, DenseMatrix targets) {
    }

    private static double[] add(double[] a, double[] b) {
        double[] s = a.clone();
        for (int k = 0; k < s.length; k++) {
            s[k] += b[k];
        }
        return s;
    }

    /**
     * Top-k excitatory (positive) and inhibitory (negative) training points of every test point, for the class
     * the layer predicts, in one pass over the training data per block of {@code testBlock} test points. The test
     * block goes out as a broadcast; each partition reads its rows in chunks of 2048, checks them, computes their
     * n alpha_i (alpha without the 1/n, {@link RepresenterPoints#alphaRows} with n = 1: the pass is also the one
     * that counts n) and their values with one BLAS product per chunk into bounded heaps
     * ({@link MergeableTopK}), and the partitions' heaps and counts are merged in a tree. The driver then scales
     * the kept scores by 1/n (positive: the rankings are unchanged), so the scores are alpha_ic f_i^T f_t.
     * With more than one test block the rows are first packed into cached dense blocks ({@link PackedRows},
     * MEMORY_AND_DISK) so that only the first pass decodes them.
     *
     * @param test      test points on the driver (ids ascending)
     * @param testBlock test points per broadcast block (one pass over the training data per block)
     */
    public static TopKResult topK(SparkSession spark, TrainingSet train, Layer layer, TrainingSet.Collected test,
                                  int k, int testBlock) {
        check(layer, test, k, testBlock);
        if (test.features().rows() > testBlock) {
            PackedRows packed = PackedRows.of(train, layer.width(), StorageLevel.MEMORY_AND_DISK());
            try {
                return topK(spark, packed, layer, test, k, testBlock);
            } finally {
                packed.unpersist();
            }
        }
        JavaRDD<TrainRow> rdd = train.rdd();
        return passes(spark, layer, test, k, testBlock, b -> rdd.mapPartitions((Iterator<TrainRow> it) -> {
            Scorer sc = new Scorer(layer, b.value(), k);
            TrainingSet.ScanningIterator scanned = new TrainingSet.ScanningIterator(it, layer.width());
            Chunks.forEach(scanned, layer.width(), Chunks.DEFAULT_ROWS, "training", sc);
            return List.of(new Partial(sc.heaps, scanned.scan())).iterator();
        }).treeReduce(Partial::merge), null);
    }

    /**
     * The same rankings from rows packed into cached dense blocks ({@link PackedRows}): every pass is BLAS on the
     * cached arrays (the rows were checked, counted and digested when they were packed).
     */
    public static TopKResult topK(SparkSession spark, PackedRows train, Layer layer, TrainingSet.Collected test,
                                  int k, int testBlock) {
        check(layer, test, k, testBlock);
        checkWidth(train.scan(), layer);
        JavaRDD<Chunks.Chunk> blocks = train.blocks();
        return passes(spark, layer, test, k, testBlock, b -> blocks.mapPartitions((Iterator<Chunks.Chunk> it) -> {
            Scorer sc = new Scorer(layer, b.value(), k);
            while (it.hasNext()) {
                sc.accept(it.next());
            }
            return List.of(new Partial(sc.heaps, TrainingSet.Scan.EMPTY)).iterator();
        }).treeReduce(Partial::merge), train.scan());
    }

    private static void check(Layer layer, TrainingSet.Collected test, int k, int testBlock) {
        if (test.features().cols() != layer.width()) {
            throw new InputException("test features have " + test.features().cols() + " columns, the last layer "
                    + layer.width());
        }
        if (k < 1) {
            throw new InputException("k must be >= 1, got " + k);
        }
        if (testBlock < 1) {
            throw new InputException("test block must be >= 1, got " + testBlock);
        }
    }

    /** One pass over the training data for a broadcast test block, returning the merged heaps (and scan). */
    private interface Pass {
        Partial run(Broadcast<TestBlock> block);
    }

    /**
     * Runs one pass per test block and merges the blocks' heaps.
     *
     * @param known the training data's scan when it is known already (packed rows), else null (each pass scans)
     */
    private static TopKResult passes(SparkSession spark, Layer layer, TrainingSet.Collected test, int k,
                                     int testBlock, Pass pass, TrainingSet.Scan known) {
        Loss loss = Loss.named(layer.loss());
        int[] classes = RepresenterPoints.predictedClasses(layer.thetaMatrix(), loss, test.features());
        int nt = test.features().rows();
        MergeableTopK all = new MergeableTopK(k, nt);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainingSet.Scan scan = known;
        for (int t0 = 0; t0 < nt; t0 += testBlock) {
            int t1 = Math.min(nt, t0 + testBlock);
            Broadcast<TestBlock> b = jsc.broadcast(new TestBlock(test.features().rowRange(t0, t1).data(),
                    java.util.Arrays.copyOfRange(classes, t0, t1)));
            Partial part;
            try {
                part = Jobs.run(() -> pass.run(b), "training");
            } finally {
                b.destroy();
            }
            TrainingSet.Scan s = known != null ? known : part.scan();
            if (s.rows() == 0) {
                throw new InputException("training data is empty");
            }
            part.heaps().scale(1.0 / s.rows());
            mergeInto(all, part.heaps(), t0);
            scan = s;
        }
        return new TopKResult(test.ids(), classes, all, scan);
    }

    /**
     * Scores chunks of training rows against a test block into bounded heaps: n alpha_i per chunk
     * ({@link RepresenterPoints#alphaRows} with n = 1) and one BLAS product per chunk
     * ({@link RepresenterPoints#values(DenseMatrix, DenseMatrix, DenseMatrix, int[], int, RepresenterPoints.BlockSink)}).
     */
    static final class Scorer implements Chunks.Consumer {
        private final Layer layer;
        private final Loss loss;
        private final DenseMatrix theta;
        private final DenseMatrix ft;
        private final int[] classes;
        final MergeableTopK heaps;

        Scorer(Layer layer, TestBlock blk, int k) {
            this.layer = layer;
            this.loss = Loss.named(layer.loss());
            this.theta = layer.thetaMatrix();
            this.classes = blk.classes();
            this.ft = new DenseMatrix(classes.length, layer.width(), blk.features());
            this.heaps = new MergeableTopK(k, classes.length);
        }

        @Override
        public void accept(Chunks.Chunk ch) {
            DenseMatrix f = ch.features();
            DenseMatrix a = RepresenterPoints.alphaRows(f, layer.targets(loss, ch.labels()), loss, layer.lambda(),
                    theta, 1);
            RepresenterPoints.values(f, a, ft, classes, classes.length,
                    (first, values) -> heaps.accept(first, values, ch.ids()));
        }
    }

    /** One partition's (then a subtree's) heaps and what its pass saw. */
    record Partial(MergeableTopK heaps, TrainingSet.Scan scan) implements Serializable {
        static Partial merge(Partial a, Partial b) {
            return new Partial(a.heaps.merge(b.heaps), TrainingSet.Scan.merge(a.scan, b.scan));
        }
    }

    /** Copies a block's heaps into rows t0.. of the whole (merging is exact: each heap holds k best of its side). */
    static void mergeInto(MergeableTopK all, MergeableTopK block, int t0) {
        MergeableTopK shifted = new MergeableTopK(all.k(), all.tests());
        for (int t = 0; t < block.tests(); t++) {
            long[] si = block.supportingIds(t);
            double[] ss = block.supportingScores(t);
            long[] oi = block.opposingIds(t);
            double[] os = block.opposingScores(t);
            long[] ids = new long[si.length + oi.length];
            DenseMatrix row = new DenseMatrix(1, ids.length);
            for (int q = 0; q < si.length; q++) {
                ids[q] = si[q];
                row.set(0, q, ss[q]);
            }
            for (int q = 0; q < oi.length; q++) {
                ids[si.length + q] = oi[q];
                row.set(0, si.length + q, os[q]);
            }
            shifted.accept(t0 + t, row, ids);
        }
        all.merge(shifted);
    }

    private static void checkWidth(TrainingSet.Scan scan, Layer layer) {
        if (scan.width() != layer.width()) {
            throw new InputException("training features have " + scan.width() + " columns, the last layer "
                    + layer.width() + " (Theta is " + layer.outputs() + " x " + layer.width() + ")");
        }
    }

    /** One broadcast block of test points. */
    record TestBlock(double[] features, int[] classes) implements Serializable {
    }

    /**
     * The rankings: per test point (ids ascending) its predicted class and the merged heaps.
     *
     * @param testIds test ids, the rows of {@code topK}
     * @param classes the class explained per test point
     * @param scan    what the scoring pass saw of the training data (rows, width, digest)
     */
    public record TopKResult(long[] testIds, int[] classes, MergeableTopK topK, TrainingSet.Scan scan) {
        /** Long format: test_id, class, kind (excitatory / inhibitory), rank (1 = strongest), train_id, score. */
        public Dataset<Row> toDataset(SparkSession spark) {
            List<Row> rows = new ArrayList<>();
            for (int t = 0; t < testIds.length; t++) {
                add(rows, t, "excitatory", topK.supportingIds(t), topK.supportingScores(t));
                add(rows, t, "inhibitory", topK.opposingIds(t), topK.opposingScores(t));
            }
            StructType schema = new StructType().add("test_id", DataTypes.LongType, false)
                    .add("class", DataTypes.IntegerType, false).add("kind", DataTypes.StringType, false)
                    .add("rank", DataTypes.IntegerType, false).add("train_id", DataTypes.LongType, false)
                    .add("score", DataTypes.DoubleType, false);
            return spark.createDataFrame(rows, schema).coalesce(1);
        }

        private void add(List<Row> rows, int t, String kind, long[] ids, double[] scores) {
            for (int q = 0; q < ids.length; q++) {
                rows.add(RowFactory.create(testIds[t], classes[t], kind, q + 1, ids[q], scores[q]));
            }
        }
    }
}
