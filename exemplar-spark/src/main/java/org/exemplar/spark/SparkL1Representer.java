package org.exemplar.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.exemplar.attribution.MergeableTopK;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;

/**
 * The high-dimensional representer of L1-regularized logistic regression (Tsai et al. 2023, Corollary 2) where the
 * sparse training rows live: given the fitted weights (theta, bias, lambda), the top-k excitatory (positive) and
 * inhibitory (negative) training rows of every test point. Every number comes from exemplar-core's
 * {@link HighDimRepresenter.BlockKernel} (per CSR block of a partition's rows) and {@link MergeableTopK}; rows are
 * never densified.
 */
public final class SparkL1Representer {
    private SparkL1Representer() {
    }

    /**
     * A fitted L1 logistic regression: weights theta (length p), unpenalized bias (0 when none), the lambda of
     * (1/n) sum_i log(1 + exp(-y_i (x_i^T theta + b))) + lambda ||theta||_1.
     */
    public record Model(double[] theta, double bias, double lambda) implements Serializable {
        public Model {
            if (!(lambda > 0) || !Double.isFinite(lambda)) {
                throw new InputException("lambda must be a positive number, got " + lambda);
            }
            if (!Double.isFinite(bias)) {
                throw new InputException("bias must be finite, got " + bias);
            }
            for (int j = 0; j < theta.length; j++) {
                if (!Double.isFinite(theta[j])) {
                    throw new InputException("theta has a non-finite entry " + theta[j] + " at index " + j);
                }
            }
        }

        public int width() {
            return theta.length;
        }

        public int support() {
            int s = 0;
            for (double v : theta) {
                s += v != 0 ? 1 : 0;
            }
            return s;
        }
    }

    /**
     * Top-k training rows of every test point by the importance alpha_i sum_{j in S} |theta_j| x_ij x'_j, in one pass
     * over the training data per block of {@code testBlock} test points (broadcast). Each partition cuts its rows into
     * CSR blocks, checks them (width, indices, values, labels 0/1 or -1/+1), scores them with n alpha_i (the kernel
     * with n = 1: the pass is also the one that counts n) into bounded heaps, and sums every test point's
     * importances over all its rows; heaps, sums and counts are merged in a tree, and the driver scales the kept
     * scores and the sums by 1/n.
     *
     * @param test test points on the driver (ids ascending)
     */
    public static Result topK(SparkSession spark, SparseSet train, Model model, SparseSet.Chunk test, int k,
                              int testBlock) {
        if (test.x().cols() != model.width()) {
            throw new InputException("test rows have " + test.x().cols() + " features, the weights "
                    + model.width());
        }
        if (k < 1) {
            throw new InputException("k must be >= 1, got " + k);
        }
        if (testBlock < 1) {
            throw new InputException("test block must be >= 1, got " + testBlock);
        }
        int nt = test.x().rows();
        MergeableTopK all = new MergeableTopK(k, nt);
        double[] sums = new double[nt];
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Model> bm = jsc.broadcast(model);
        JavaRDD<SparseRow> rdd = train.rdd();
        Pass pass = null;
        for (int t0 = 0; t0 < nt; t0 += testBlock) {
            int t1 = Math.min(nt, t0 + testBlock);
            Broadcast<TestBlock> bt = jsc.broadcast(TestBlock.of(rows(test.x(), t0, t1)));
            int rows = t1 - t0;
            Partial part = Jobs.run(() -> rdd.mapPartitions((Iterator<SparseRow> it) -> {
                Model m = bm.value();
                HighDimRepresenter.BlockKernel kernel = new HighDimRepresenter.BlockKernel(m.theta(), m.bias(),
                        m.lambda(), bt.value().matrix());
                Partial p = new Partial(new MergeableTopK(k, rows), new double[rows], Pass.EMPTY);
                SparseSet.forEach(it, m.width(), "training", ch -> {
                    double[] y = p.signed(ch);
                    DenseMatrix v = kernel.values(ch.x(), y, 1);
                    p.heaps().accept(0, v, ch.ids());
                    double[] d = v.data();
                    int cols = v.cols();
                    for (int t = 0; t < rows; t++) {
                        double s = 0;
                        for (int i = 0; i < cols; i++) {
                            s += d[t * cols + i];
                        }
                        p.sums()[t] += s;
                    }
                });
                return List.of(p).iterator();
            }).treeReduce(Partial::merge), "training");
            bt.destroy();
            Pass ps = part.pass();
            if (ps.rows() == 0) {
                throw new InputException("training data is empty");
            }
            ps.checkLabels();
            double scale = 1.0 / ps.rows();
            part.heaps().scale(scale);
            SparkRepresenter.mergeInto(all, part.heaps(), t0);
            for (int t = 0; t < rows; t++) {
                sums[t0 + t] = part.sums()[t] * scale;
            }
            pass = ps;
        }
        bm.destroy();
        double[] prediction = new double[nt];
        for (int t = 0; t < nt; t++) {
            prediction[t] = test.x().rowDot(t, model.theta());
        }
        return new Result(test.ids(), all, sums, prediction, pass);
    }

    private static CsrMatrix rows(CsrMatrix x, int t0, int t1) {
        int[] idx = new int[t1 - t0];
        Arrays.setAll(idx, q -> t0 + q);
        return x.selectRows(idx);
    }

    /** A block of test rows as plain arrays (the library's CSR matrix is not Serializable). */
    record TestBlock(int rows, int cols, int[] indptr, int[] indices, double[] values) implements Serializable {
        static TestBlock of(CsrMatrix x) {
            return new TestBlock(x.rows(), x.cols(), x.indptr(), x.indices(), x.values());
        }

        CsrMatrix matrix() {
            return new CsrMatrix(rows, cols, indptr, indices, values);
        }
    }

    /**
     * What one pass saw of the training rows: count, order-invariant digest, and the first ids with a 0 label and
     * with a -1 label (a mix of the two is an error, as in the single-machine reader).
     */
    record Pass(long rows, long digest, long zeroLabelId, long minusOneLabelId) implements Serializable {
        static final Pass EMPTY = new Pass(0, 0, Long.MAX_VALUE, Long.MAX_VALUE);

        static Pass merge(Pass a, Pass b) {
            return new Pass(a.rows + b.rows, a.digest + b.digest, Math.min(a.zeroLabelId, b.zeroLabelId),
                    Math.min(a.minusOneLabelId, b.minusOneLabelId));
        }

        void checkLabels() {
            if (zeroLabelId != Long.MAX_VALUE && minusOneLabelId != Long.MAX_VALUE) {
                throw new InputException("training labels mix 0 (row id " + zeroLabelId + ") and -1 (row id "
                        + minusOneLabelId + "); use 0/1 or -1/+1");
            }
        }

        public String digestHex() {
            return String.format("%016x", digest);
        }
    }

    /** One partition's (then a subtree's) heaps, importance sums per test point, and pass. */
    static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        private final MergeableTopK heaps;
        private final double[] sums;
        private Pass pass;

        Partial(MergeableTopK heaps, double[] sums, Pass pass) {
            this.heaps = heaps;
            this.sums = sums;
            this.pass = pass;
        }

        MergeableTopK heaps() {
            return heaps;
        }

        double[] sums() {
            return sums;
        }

        Pass pass() {
            return pass;
        }

        /** Checks the chunk's labels, records it in the pass, and maps its labels to -1/+1 with core's rule. */
        double[] signed(SparseSet.Chunk ch) {
            long zero = Long.MAX_VALUE;
            long minus = Long.MAX_VALUE;
            long digest = 0;
            for (int i = 0; i < ch.ids().length; i++) {
                double y = ch.labels()[i];
                long id = ch.ids()[i];
                if (y != 0 && y != 1 && y != -1) {
                    throw new InputException("training row id " + id + " has label " + y
                            + "; binary logistic regression needs labels 0/1 or -1/+1");
                }
                if (y == 0) {
                    zero = Math.min(zero, id);
                } else if (y == -1) {
                    minus = Math.min(minus, id);
                }
                digest += RowDigest.ofSparse(id, ch.x().indices(), ch.x().values(), ch.x().indptr()[i],
                        ch.x().indptr()[i + 1], y);
            }
            pass = Pass.merge(pass, new Pass(ch.ids().length, digest, zero, minus));
            pass.checkLabels();
            return SparseLogisticRegression.signedLabels(ch.labels(), null);
        }

        static Partial merge(Partial a, Partial b) {
            double[] s = a.sums.clone();
            for (int t = 0; t < s.length; t++) {
                s[t] += b.sums[t];
            }
            return new Partial(a.heaps.merge(b.heaps), s, Pass.merge(a.pass, b.pass));
        }
    }

    /**
     * The rankings: per test point (ids ascending) the merged heaps, the sum of its importances over all training
     * rows and its prediction x'^T theta (Cor. 2: equal at the optimum, up to the KKT residual).
     */
    public record Result(long[] testIds, MergeableTopK topK, double[] importanceSums, double[] predictions,
                         Pass pass) {
        /**
         * Worst |sum_i importance_i - x'^T theta| / max(1, |x'^T theta|) over the test points: the decomposition
         * error (zero when the given weights are the exact optimum for this training data).
         */
        public double decompositionError() {
            double worst = 0;
            for (int t = 0; t < predictions.length; t++) {
                worst = Math.max(worst, Math.abs(importanceSums[t] - predictions[t])
                        / Math.max(1, Math.abs(predictions[t])));
            }
            return worst;
        }

        /** Long format: test_id, kind (excitatory / inhibitory), rank (1 = strongest), train_id, score. */
        public Dataset<Row> toDataset(SparkSession spark) {
            List<Row> rows = new ArrayList<>();
            for (int t = 0; t < testIds.length; t++) {
                add(rows, t, "excitatory", topK.supportingIds(t), topK.supportingScores(t));
                add(rows, t, "inhibitory", topK.opposingIds(t), topK.opposingScores(t));
            }
            StructType schema = new StructType().add("test_id", DataTypes.LongType, false)
                    .add("kind", DataTypes.StringType, false).add("rank", DataTypes.IntegerType, false)
                    .add("train_id", DataTypes.LongType, false).add("score", DataTypes.DoubleType, false);
            return spark.createDataFrame(rows, schema).coalesce(1);
        }

        private void add(List<Row> rows, int t, String kind, long[] ids, double[] scores) {
            for (int q = 0; q < ids.length; q++) {
                rows.add(RowFactory.create(testIds[t], kind, q + 1, ids[q], scores[q]));
            }
        }
    }
}
