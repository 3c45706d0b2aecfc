package org.exemplar.representer;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;

/**
 * Representer points of a fitted last layer (Yeh et al. 2018, Thm 3.1): at a stationary point of eq. (3),
 * alpha_i = -1/(2 lambda n) dL(t_i, Phi_i)/dPhi_i, Theta = sum_i alpha_i f_i^T, and every output decomposes as
 * Phi(x_t)_j = sum_i alpha_ij f_i^T f_t.
 *
 * <p>Class convention: for a multi-output model the value for class j uses output j. For a single-output
 * sigmoid model (binary task, c = 1) the values for class 1 are the output's own decomposition and those for
 * class 0 are negated, so that positive always means excitatory for the explained class.
 */
public final class RepresenterPoints {
    private final DenseMatrix trainFeatures;
    private final DenseMatrix alpha;
    private final DenseMatrix theta;
    private final Loss loss;
    private final double lambda;

    private RepresenterPoints(DenseMatrix trainFeatures, DenseMatrix alpha, DenseMatrix theta, Loss loss,
                              double lambda) {
        this.trainFeatures = trainFeatures;
        this.alpha = alpha;
        this.theta = theta;
        this.loss = loss;
        this.lambda = lambda;
    }

    /** alpha_i = -1/(2 lambda n) dL/dPhi_i at the fitted Theta (Thm 3.1). */
    public static RepresenterPoints of(DenseMatrix trainFeatures, DenseMatrix targets, Loss loss, double lambda,
                                       DenseMatrix theta) {
        DenseMatrix g = alphaRows(trainFeatures, targets, loss, lambda, theta, trainFeatures.rows());
        return new RepresenterPoints(trainFeatures, g, theta, loss, lambda);
    }

    /**
     * alpha_i = -1/(2 lambda n) dL/dPhi_i at Theta (Thm 3.1) for the rows of one block of a training set of
     * {@code n} points in all (the block's rows get the alpha they have in the whole set): the kernel a
     * distributed engine calls per partition.
     */
    public static DenseMatrix alphaRows(DenseMatrix features, DenseMatrix targets, Loss loss, double lambda,
                                        DenseMatrix theta, long n) {
        LastLayerObjective objective = new LastLayerObjective(features, targets, loss, lambda);
        DenseMatrix g = objective.outputGradients(theta.data());
        g.scaleInPlace(-1.0 / (2 * lambda * n));
        return g;
    }

    /**
     * Representer points from given alpha (n x c), for importing values computed elsewhere and for
     * benchmarks; Theta is taken as sum_i alpha_i f_i^T, so the decomposition is exact by construction.
     */
    public static RepresenterPoints fromAlpha(DenseMatrix trainFeatures, DenseMatrix alpha, Loss loss, double lambda) {
        if (alpha.rows() != trainFeatures.rows()) {
            throw new IllegalArgumentException("alpha has " + alpha.rows() + " rows, features " + trainFeatures.rows());
        }
        DenseMatrix theta = Blas.multiply(Transpose.YES, alpha, Transpose.NO, trainFeatures);
        return new RepresenterPoints(trainFeatures, alpha, theta, loss, lambda);
    }

    public DenseMatrix alpha() {
        return alpha;
    }

    public DenseMatrix theta() {
        return theta;
    }

    public DenseMatrix trainFeatures() {
        return trainFeatures;
    }

    public int trainSize() {
        return trainFeatures.rows();
    }

    public int outputs() {
        return theta.rows();
    }

    public Loss loss() {
        return loss;
    }

    public double lambda() {
        return lambda;
    }

    /** sum_i alpha_i f_i^T (c x p), the last layer the representer decomposition reproduces. */
    public DenseMatrix representerTheta() {
        return Blas.multiply(Transpose.YES, alpha, Transpose.NO, trainFeatures);
    }

    /** ||Theta - sum_i alpha_i f_i^T||_F / ||Theta||_F. */
    public double identityResidual() {
        DenseMatrix rep = representerTheta();
        double[] d = new double[rep.data().length];
        for (int k = 0; k < d.length; k++) {
            d[k] = theta.data()[k] - rep.data()[k];
        }
        return org.exemplar.linalg.Vectors.norm2(d) / Math.max(1e-300, theta.frobeniusNorm());
    }

    /** Outputs of the fitted last layer, F Theta^T. */
    public DenseMatrix outputs(DenseMatrix features) {
        checkFeatures(features);
        return Blas.multiply(Transpose.NO, features, Transpose.YES, theta);
    }

    /** Representer reconstruction sum_i alpha_i f_i^T f_t for every row of {@code features}. */
    public DenseMatrix reconstruct(DenseMatrix features) {
        checkFeatures(features);
        return Blas.multiply(Transpose.NO, features, Transpose.YES, representerTheta());
    }

    /** Predicted class of each row under the fitted last layer. */
    public int[] predictedClasses(DenseMatrix features) {
        checkFeatures(features);
        return predictedClasses(theta, loss, features);
    }

    /** Predicted class of each row under the last layer Theta (c x p): the largest logit, or sigmoid &gt; 1/2. */
    public static int[] predictedClasses(DenseMatrix theta, Loss loss, DenseMatrix features) {
        if (features.cols() != theta.cols()) {
            throw new IllegalArgumentException("features have " + features.cols() + " columns, the last layer "
                    + theta.cols());
        }
        DenseMatrix phi = Blas.multiply(Transpose.NO, features, Transpose.YES, theta);
        int c = phi.cols();
        int[] out = new int[phi.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = loss.predictedClass(phi.data(), i * c, c);
        }
        return out;
    }

    /** The output index and sign that a class's values use (see the class convention above). */
    private static int outputIndex(int cls, int c) {
        if (c == 1) {
            if (cls != 0 && cls != 1) {
                throw new IllegalArgumentException("binary model: class must be 0 or 1, got " + cls);
            }
            return 0;
        }
        if (cls < 0 || cls >= c) {
            throw new IllegalArgumentException("class " + cls + " outside [0, " + c + ")");
        }
        return cls;
    }

    private int outputIndex(int cls) {
        return outputIndex(cls, outputs());
    }

    private static double classSign(int cls, int c) {
        return c == 1 && cls == 0 ? -1.0 : 1.0;
    }

    private double classSign(int cls) {
        return classSign(cls, outputs());
    }

    /** Receives consecutive blocks of the values matrix. */
    @FunctionalInterface
    public interface BlockSink {
        /** {@code block} holds rows firstRow .. firstRow + block.rows() - 1 (one row per test point). */
        void accept(int firstRow, DenseMatrix block);
    }

    /**
     * Representer values for every (test point, training point) pair, for the class listed per test point,
     * produced in row blocks of at most {@code blockRows} test points: entry (t, i) = alpha_{i, c_t} f_i^T f_t.
     * One BLAS product F_t F^T per block, then a column scaling.
     */
    public void values(DenseMatrix testFeatures, int[] classes, int blockRows, BlockSink sink) {
        checkFeatures(testFeatures);
        values(trainFeatures, alpha, testFeatures, classes, blockRows, sink);
    }

    /**
     * The values of {@link #values(DenseMatrix, int[], int, BlockSink)} for any block of training rows with their
     * alpha (rows of the whole set's alpha): entry (t, i) = alpha_{i, c_t} f_i^T f_t, columns = the block's rows.
     * The kernel a distributed engine calls per partition; no Theta is formed.
     */
    public static void values(DenseMatrix trainFeatures, DenseMatrix alpha, DenseMatrix testFeatures, int[] classes,
                              int blockRows, BlockSink sink) {
        if (testFeatures.cols() != trainFeatures.cols()) {
            throw new IllegalArgumentException("features have " + testFeatures.cols()
                    + " columns, the training features " + trainFeatures.cols());
        }
        if (alpha.rows() != trainFeatures.rows()) {
            throw new IllegalArgumentException("alpha has " + alpha.rows() + " rows, features " + trainFeatures.rows());
        }
        if (classes.length != testFeatures.rows()) {
            throw new IllegalArgumentException(classes.length + " classes for " + testFeatures.rows() + " test points");
        }
        int n = trainFeatures.rows();
        int p = trainFeatures.cols();
        int c = alpha.cols();
        int bRows = Math.max(1, blockRows);
        for (int start = 0; start < testFeatures.rows(); start += bRows) {
            int rows = Math.min(bRows, testFeatures.rows() - start);
            DenseMatrix block = new DenseMatrix(rows, n);
            Blas.gemm(Transpose.NO, Transpose.YES, rows, n, p, 1.0, testFeatures.data(), start * p, p,
                    trainFeatures.data(), 0, p, 0.0, block.data(), 0, n);
            double[] a = alpha.data();
            double[] b = block.data();
            for (int r = 0; r < rows; r++) {
                int cls = classes[start + r];
                int j = outputIndex(cls, c);
                double sign = classSign(cls, c);
                int off = r * n;
                for (int i = 0; i < n; i++) {
                    b[off + i] *= sign * a[i * c + j];
                }
            }
            sink.accept(start, block);
        }
    }

    /** All values in one matrix (n_test x n); for large problems use the block form. */
    public DenseMatrix values(DenseMatrix testFeatures, int[] classes) {
        DenseMatrix out = new DenseMatrix(testFeatures.rows(), trainFeatures.rows());
        values(testFeatures, classes, 512, (first, block) ->
                System.arraycopy(block.data(), 0, out.data(), first * out.cols(), block.data().length));
        return out;
    }

    /**
     * Top-k excitatory and inhibitory training points of one row of a values block.
     *
     * @param valuesRow the values of test point {@code testIndex} (length n), e.g. a row of a block
     */
    public Explanation explain(int testIndex, int cls, double[] valuesRow, int rowOffset, int k) {
        int n = trainFeatures.rows();
        int c = outputs();
        int j = outputIndex(cls);
        double sign = classSign(cls);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += valuesRow[rowOffset + i];
        }
        List<RepresenterPoint> exc = new ArrayList<>();
        for (int i : TopK.largestPositive(valuesRow, rowOffset, n, k)) {
            exc.add(point(i, valuesRow[rowOffset + i], sign * alpha.data()[i * c + j]));
        }
        List<RepresenterPoint> inh = new ArrayList<>();
        for (int i : TopK.mostNegative(valuesRow, rowOffset, n, k)) {
            inh.add(point(i, valuesRow[rowOffset + i], sign * alpha.data()[i * c + j]));
        }
        return new Explanation(testIndex, cls, total, List.copyOf(exc), List.copyOf(inh));
    }

    private RepresenterPoint point(int i, double value, double alphaSigned) {
        double sim = alphaSigned == 0 ? 0 : value / alphaSigned;
        return new RepresenterPoint(i, value, alphaSigned, sim);
    }

    /** Explanation of one test feature vector for one class. */
    public Explanation explain(int testIndex, double[] testFeature, int cls, int k) {
        DenseMatrix one = new DenseMatrix(1, testFeature.length, testFeature.clone());
        DenseMatrix v = values(one, new int[] {cls});
        return explain(testIndex, cls, v.data(), 0, k);
    }

    private void checkFeatures(DenseMatrix f) {
        if (f.cols() != trainFeatures.cols()) {
            throw new IllegalArgumentException("features have " + f.cols() + " columns, the training features "
                    + trainFeatures.cols());
        }
    }
}
