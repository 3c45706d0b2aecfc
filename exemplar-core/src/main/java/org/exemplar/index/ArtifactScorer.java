package org.exemplar.index;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.NtkAttributor;
import org.exemplar.attribution.RatingPairs;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.SparseExamples;
import org.exemplar.attribution.TestSet;
import org.exemplar.attribution.TopK;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.representer.HighDimRepresenter;

/**
 * How an index built from a saved artifact (every method but the rps-l2 linear scan) answers a query: the query's
 * features become the attributor's test set ({@link Shape}), the model's outputs come from the library, and the
 * ranking from {@link #rank(TestSet, int)}, implemented per index kind ({@link LibraryTopK}: the library's topK;
 * {@link InnerProductRows}: a scan of stored keys). No method formula lives here.
 *
 * @param <Q> the attributor's test-set type
 */
abstract class ArtifactScorer<Q extends TestSet<Q>> {
    private final Shape<Q> shape;

    ArtifactScorer(Shape<Q> shape) {
        this.shape = shape;
    }

    /** Number of model outputs. */
    final int outputs() {
        return shape.outputs();
    }

    /** The model's outputs for one query's features. */
    final double[] outputs(double[] f) {
        return shape.outputs(f);
    }

    final int predictedClass(double[] outputs) {
        return shape.predictedClass(outputs);
    }

    /** Exact top-k of every query (rows of fs; cls: per query, the label / class the method reads). */
    final TopK rank(double[][] fs, int[] cls, int k) {
        return rank(shape.of(fs, cls), k);
    }

    /** As {@link #rank(double[][], int[], int)} with a real target per query (ntk; null for the other shapes). */
    final TopK rank(double[][] fs, int[] cls, double[] targets, int k) {
        return rank(targets == null ? shape.of(fs, cls) : shape.of(fs, cls, targets), k);
    }

    /** Whether a query needs a real-valued target (ntk). */
    final boolean needsTarget() {
        return shape.needsTarget();
    }

    /** The real target of training point i when the shape reads one (ntk), else null. */
    final Double trainingTarget(int i) {
        return shape.trainingTarget(i);
    }

    abstract TopK rank(Q queries, int k);

    /** The queries as the attributor's test set. */
    final Q queries(double[][] fs, int[] cls) {
        return shape.of(fs, cls);
    }

    /** The index's inner-product form for approximate search, or null when it is scored through the library. */
    MipsForm mips() {
        return null;
    }

    /** Bytes of the stored rows a query scans beyond the artifact (0 when it scores through the library alone). */
    long scanBytes() {
        return 0;
    }

    static TopK topK(int k, StreamingTopK[] heaps) {
        List<List<RankedPoint>> sup = new ArrayList<>();
        List<List<RankedPoint>> opp = new ArrayList<>();
        for (StreamingTopK h : heaps) {
            sup.add(h.supporting());
            opp.add(h.opposing());
        }
        return new TopK(k, sup, opp);
    }

    /**
     * A dense feature query as the attributor's test set, and the model's outputs for it.
     *
     * @param <Q> the test-set type
     */
    interface Shape<Q extends TestSet<Q>> {
        Q of(double[][] fs, int[] cls);

        /** With a real target per query; only shapes that read one ({@link #needsTarget}) accept it. */
        default Q of(double[][] fs, int[] cls, double[] targets) {
            throw new IllegalArgumentException("this index's method reads no target; give none");
        }

        default boolean needsTarget() {
            return false;
        }

        default Double trainingTarget(int i) {
            return null;
        }

        int outputs();

        double[] outputs(double[] f);

        int predictedClass(double[] outputs);
    }

    /** Dense features with a class label per query, a differentiable model's logits (influence, kfac, ekfac). */
    record ModelShape(DifferentiableModel model, Loss loss) implements Shape<Examples> {
        @Override
        public Examples of(double[][] fs, int[] cls) {
            return Examples.labeled(DenseMatrix.fromRows(fs), cls);
        }

        @Override
        public int outputs() {
            return model.outputWidth();
        }

        @Override
        public double[] outputs(double[] f) {
            return model.logits(new DenseMatrix(1, f.length, f.clone())).data();
        }

        @Override
        public int predictedClass(double[] o) {
            return loss.predictedClass(o, 0, o.length);
        }
    }

    /**
     * Dense features with a class label per query (the class whose correct-class log-odds TRAK explains), the outputs
     * of an ensemble: the mean of its models' logits (one model: that model's logits); the predicted class is the
     * mean's argmax (one output: class 1 when it is &gt;= 0, as {@link org.exemplar.trak.MarginOutput}).
     */
    record EnsembleShape(List<DifferentiableModel> models) implements Shape<Examples> {
        @Override
        public Examples of(double[][] fs, int[] cls) {
            return Examples.labeled(DenseMatrix.fromRows(fs), cls);
        }

        @Override
        public int outputs() {
            return models.get(0).outputWidth();
        }

        @Override
        public double[] outputs(double[] f) {
            double[] mean = new double[outputs()];
            for (DifferentiableModel m : models) {
                double[] o = m.logits(new DenseMatrix(1, f.length, f.clone())).data();
                for (int j = 0; j < mean.length; j++) {
                    mean[j] += o[j] / models.size();
                }
            }
            return mean;
        }

        @Override
        public int predictedClass(double[] o) {
            if (o.length == 1) {
                return o[0] >= 0 ? 1 : 0;
            }
            return org.exemplar.linalg.Vectors.argmax(o, 0, o.length);
        }
    }

    /**
     * Dense features made sparse rows (unlabelled: the sparse representers explain the prediction score whatever the
     * class), the sparse logistic fit's score x'^T theta + b as the one output (representer-l1).
     */
    record SparseShape(HighDimRepresenter representer) implements Shape<SparseExamples> {
        @Override
        public SparseExamples of(double[][] fs, int[] cls) {
            return SparseExamples.unlabeled(CsrMatrix.fromDense(DenseMatrix.fromRows(fs)));
        }

        @Override
        public int outputs() {
            return 1;
        }

        @Override
        public double[] outputs(double[] f) {
            return new double[] {representer.prediction(CsrMatrix.fromDense(new DenseMatrix(1, f.length, f.clone())), 0)};
        }

        @Override
        public int predictedClass(double[] o) {
            return o[0] > 0 ? 1 : 0;
        }
    }

    /**
     * A (user, item) pair query (cf-mf, cf-nuclear, fia, tracin-cp), carried as the two-value row {user, item}; the one
     * output is the library's predicted score of the pair ({@link CfAttributor#prediction}); the class is not read.
     */
    record PairShape(CfAttributor attributor) implements Shape<RatingPairs> {
        @Override
        public RatingPairs of(double[][] fs, int[] cls) {
            int[] u = new int[fs.length];
            int[] it = new int[fs.length];
            for (int q = 0; q < fs.length; q++) {
                u[q] = id(fs[q], 0, attributor.numUsers(), "user");
                it[q] = id(fs[q], 1, attributor.numItems(), "item");
            }
            return RatingPairs.of(u, it);
        }

        private static int id(double[] f, int j, int count, String what) {
            if (f.length != 2) {
                throw new IllegalArgumentException("a pair query has 2 values (user, item), got " + f.length);
            }
            double v = f[j];
            if (v != Math.rint(v) || v < 0 || v >= count) {
                throw new IllegalArgumentException("unknown " + what + " id " + (v == Math.rint(v) && Math.abs(v) < 1e15
                        ? Long.toString((long) v) : Double.toString(v)) + " (the index has " + what
                        + "s 0.." + (count - 1) + ")");
            }
            return (int) v;
        }

        @Override
        public int outputs() {
            return 1;
        }

        @Override
        public double[] outputs(double[] f) {
            return new double[] {attributor.prediction(id(f, 0, attributor.numUsers(), "user"),
                    id(f, 1, attributor.numItems(), "item"))};
        }

        @Override
        public int predictedClass(double[] outputs) {
            return 0;
        }
    }

    /**
     * Unit-norm dense features with the real target y_t each query's squared test loss reads (ntk, Zhang &amp; Zhang
     * 2022 eq. 8); the one output is the kernel ridge regression's prediction f(x_t); the class is not read.
     */
    record NtkShape(NtkAttributor attributor) implements Shape<Examples> {
        @Override
        public Examples of(double[][] fs, int[] cls) {
            throw new IllegalArgumentException("an ntk query needs its real-valued target y_t (the test loss "
                    + "1/2 (f(x_t) - y_t)^2 it explains reads it)");
        }

        @Override
        public Examples of(double[][] fs, int[] cls, double[] targets) {
            if (targets.length != fs.length) {
                throw new IllegalArgumentException(targets.length + " targets for " + fs.length + " queries");
            }
            for (int q = 0; q < targets.length; q++) {
                if (!Double.isFinite(targets[q])) {
                    throw new IllegalArgumentException("target " + q + " is " + targets[q] + " (must be finite)");
                }
            }
            return Examples.regression(DenseMatrix.fromRows(fs), targets);
        }

        @Override
        public boolean needsTarget() {
            return true;
        }

        @Override
        public Double trainingTarget(int i) {
            return attributor.trainingTarget(i);
        }

        @Override
        public int outputs() {
            return 1;
        }

        @Override
        public double[] outputs(double[] f) {
            return new double[] {attributor.prediction(f)};
        }

        @Override
        public int predictedClass(double[] outputs) {
            return 0;
        }
    }
}
