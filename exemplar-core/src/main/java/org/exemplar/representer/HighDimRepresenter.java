package org.exemplar.representer;

import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticRegression;

/**
 * The high-dimensional representer for L1-regularized logistic regression (Tsai et al. 2023, Corollary 2) and the
 * baselines it is compared with (Sec. 6.2), all as importance of each training point for a test prediction
 * x'^T theta:
 * <ul>
 *   <li>high-dim: alpha_i * sum_{j in S} |theta_j| x_ij x'_j with global importance
 *       alpha_i = -(1/(n lambda)) l'(y_i, x_i^T theta + b). At the optimum sum_i alpha_i x_ij = sign(theta_j) on the
 *       support S, so the importances sum exactly to x'^T theta; an unpenalized bias b is a separate term;</li>
 *   <li>L2 representer: -l'(y_i, x_i^T theta + b) x_i^T x';</li>
 *   <li>influence function restricted to the support (Avella-Medina 2017, Prop. 5.3):
 *       -((1/n) l'_i x_{i,S} + lambda sign(theta)_S)^T H_S^{-1} x'_S, H_S = sum_i l''_i x_{i,S} x_{i,S}^T.</li>
 * </ul>
 * Positive importance = the training point raises the test prediction.
 */
public final class HighDimRepresenter {
    private final CsrMatrix x;
    private final double[] alpha;
    private final double[] lossDerivatives;
    private final double[] curvatures;
    private final SparseFit fit;
    private final double lambda;
    private final int[] support;
    private final double[] absTheta;
    /** The training rows restricted to the support's columns (column k = support[k]): the only ones Cor. 2 uses. */
    private final CsrMatrix xSupport;
    private final int[] supportPosition;
    private CsrMatrix xColumns;
    private Cholesky hessianS;

    public HighDimRepresenter(CsrMatrix x, double[] y, SparseFit fit, double lambda) {
        if (y.length != x.rows() || fit.theta().length != x.cols()) {
            throw new IllegalArgumentException("shapes: x " + x + ", labels " + y.length + ", theta " + fit.theta().length);
        }
        this.x = x;
        this.fit = fit;
        this.lambda = lambda;
        int n = x.rows();
        double[] z = SparseLogisticRegression.margins(x, fit.theta(), fit.bias());
        lossDerivatives = new double[n];
        curvatures = new double[n];
        alpha = new double[n];
        for (int i = 0; i < n; i++) {
            lossDerivatives[i] = SparseLogisticRegression.lossDerivative(y[i], z[i]);
            curvatures[i] = SparseLogisticRegression.lossSecondDerivative(z[i]);
            alpha[i] = -lossDerivatives[i] / (n * lambda);
        }
        support = java.util.stream.IntStream.range(0, x.cols()).filter(j -> fit.theta()[j] != 0).toArray();
        absTheta = new double[x.cols()];
        for (int j : support) {
            absTheta[j] = Math.abs(fit.theta()[j]);
        }
        supportPosition = new int[x.cols()];
        java.util.Arrays.fill(supportPosition, -1);
        for (int k = 0; k < support.length; k++) {
            supportPosition[support[k]] = k;
        }
        xSupport = x.selectColumns(support);
    }

    /** Global importances alpha_i (length n). */
    public double[] alpha() {
        return alpha.clone();
    }

    public int[] support() {
        return support.clone();
    }

    public SparseFit fit() {
        return fit;
    }

    /** The model's prediction score x'^T theta + b for test row t. */
    public double prediction(CsrMatrix test, int t) {
        return test.rowDot(t, fit.theta()) + fit.bias();
    }

    /**
     * The test side of Corollary 2 as an inner product: w_k = |theta_j| x'_j for the support's columns j = support[k],
     * so that the importance of training point i is alpha_i x_{i,S} . w ({@link #values}, {@link #supportKeys}).
     */
    public double[] supportQuery(CsrMatrix test, int t) {
        checkColumns(test);
        double[] w = new double[support.length];
        for (int k = test.indptr()[t]; k < test.indptr()[t + 1]; k++) {
            int j = test.indices()[k];
            int pos = supportPosition[j];
            if (pos >= 0) {
                w[pos] = absTheta[j] * test.values()[k];
            }
        }
        return w;
    }

    /**
     * The training side of Corollary 2: the support-scaled rows alpha_i x_{i,S} of training points [i0, i1) (dense,
     * one column per support feature, in {@link #support} order); importance(i, t) = row_i . {@link #supportQuery}.
     */
    public DenseMatrix supportKeys(int i0, int i1) {
        if (i0 < 0 || i1 > x.rows() || i0 > i1) {
            throw new IndexOutOfBoundsException("training rows [" + i0 + ", " + i1 + ") outside [0, " + x.rows() + ")");
        }
        DenseMatrix out = new DenseMatrix(i1 - i0, support.length);
        for (int i = i0; i < i1; i++) {
            for (int k = xSupport.indptr()[i]; k < xSupport.indptr()[i + 1]; k++) {
                out.set(i - i0, xSupport.indices()[k], alpha[i] * xSupport.values()[k]);
            }
        }
        return out;
    }

    /** High-dim representer importances of every training point for test row t (Corollary 2). */
    public double[] values(CsrMatrix test, int t) {
        // one sparse product with the support-restricted training matrix: O(nnz of X on the support)
        double[] w = supportQuery(test, t);
        double[] v = xSupport.multiply(w);
        for (int i = 0; i < v.length; i++) {
            v[i] *= alpha[i];
        }
        return v;
    }

    /**
     * L2-representer baseline importances for test row t: -l'_i x_i^T x_t. Computed column-wise,
     * X x_t = sum_{j in x_t} x_tj X[:, j], over the compressed columns of X: the cost is the document frequencies of
     * the test row's words, not all non-zeros of X (the whole-matrix product reads every one).
     */
    public double[] l2Values(CsrMatrix test, int t) {
        checkColumns(test);
        CsrMatrix columns = columns();
        double[] v = new double[x.rows()];
        int[] cp = columns.indptr();
        int[] ci = columns.indices();
        double[] cv = columns.values();
        for (int k = test.indptr()[t]; k < test.indptr()[t + 1]; k++) {
            int j = test.indices()[k];
            double xt = test.values()[k];
            for (int q = cp[j]; q < cp[j + 1]; q++) {
                v[ci[q]] += cv[q] * xt;
            }
        }
        for (int i = 0; i < v.length; i++) {
            v[i] *= -lossDerivatives[i];
        }
        return v;
    }

    private void checkColumns(CsrMatrix test) {
        if (test.cols() != x.cols()) {
            throw new IllegalArgumentException("test rows have " + test.cols() + " features, the training rows "
                    + x.cols());
        }
    }

    /** X in compressed-column form, built on first use (the same non-zeros again: 12 bytes each). */
    private synchronized CsrMatrix columns() {
        if (xColumns == null) {
            xColumns = x.transpose();
        }
        return xColumns;
    }

    /** Influence-function baseline restricted to the support, for test row t. */
    public synchronized double[] influenceValues(CsrMatrix test, int t) {
        int q = support.length;
        int n = x.rows();
        if (q == 0) {
            return new double[n];
        }
        int[] pos = new int[x.cols()];
        java.util.Arrays.fill(pos, -1);
        for (int k = 0; k < q; k++) {
            pos[support[k]] = k;
        }
        if (hessianS == null) {
            DenseMatrix h = new DenseMatrix(q, q);
            int[] idx = new int[q];
            double[] val = new double[q];
            for (int i = 0; i < n; i++) {
                int m = 0;
                for (int k = x.indptr()[i]; k < x.indptr()[i + 1]; k++) {
                    int p = pos[x.indices()[k]];
                    if (p >= 0) {
                        idx[m] = p;
                        val[m++] = x.values()[k];
                    }
                }
                double c = curvatures[i];
                for (int a = 0; a < m; a++) {
                    for (int b = 0; b < m; b++) {
                        h.add(idx[a], idx[b], c * val[a] * val[b]);
                    }
                }
            }
            hessianS = Cholesky.factorize(h);
        }
        double[] xs = new double[q];
        for (int k = test.indptr()[t]; k < test.indptr()[t + 1]; k++) {
            int p = pos[test.indices()[k]];
            if (p >= 0) {
                xs[p] = test.values()[k];
            }
        }
        double[] u = hessianS.solve(xs);
        double[] uFull = new double[x.cols()];
        double signTerm = 0;
        for (int k = 0; k < q; k++) {
            uFull[support[k]] = u[k];
            signTerm += Math.signum(fit.theta()[support[k]]) * u[k];
        }
        double[] xu = x.multiply(uFull);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = -(lossDerivatives[i] * xu[i] / n + lambda * signTerm);
        }
        return v;
    }

    /**
     * Corollary 2 for a training set that arrives in blocks (the kernel a distributed engine calls per partition):
     * prepared once for a set of test rows (projected on the support of theta, |theta_j| x'_tj), it gives for any
     * block of training rows of a set of n rows in all the importances alpha_i sum_{j in S} |theta_j| x_ij x'_tj of
     * those rows, with alpha_i = -(1/(n lambda)) l'(y_i, x_i^T theta + b) from each row's own margin: the numbers
     * {@link #values(CsrMatrix, int)} gives the same rows in the whole set. Sparse rows stay sparse: a block costs its
     * non-zeros (margins) plus its non-zeros on the support times the test rows; the prepared test rows take
     * |S| x n_test doubles.
     */
    public static final class BlockKernel {
        private final double[] theta;
        private final double bias;
        private final double lambda;
        private final int tests;
        /** Column j's position in the support, -1 off it. */
        private final int[] supportPosition;
        /** Row-major |S| x n_test: |theta_j| x'_tj for the k-th support column j. */
        private final double[] weightedTest;

        /**
         * @param theta  the fitted weights (length p)
         * @param bias   the unpenalized bias (0 without one)
         * @param lambda the L1 strength of the fit
         * @param test   the test rows (p columns)
         */
        public BlockKernel(double[] theta, double bias, double lambda, CsrMatrix test) {
            if (test.cols() != theta.length) {
                throw new IllegalArgumentException("test rows have " + test.cols() + " features, theta "
                        + theta.length);
            }
            if (!(lambda > 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("lambda must be a positive number, got " + lambda);
            }
            this.theta = theta.clone();
            this.bias = bias;
            this.lambda = lambda;
            this.tests = test.rows();
            supportPosition = new int[theta.length];
            int q = 0;
            for (int j = 0; j < theta.length; j++) {
                supportPosition[j] = theta[j] != 0 ? q++ : -1;
            }
            weightedTest = new double[q * tests];
            for (int t = 0; t < tests; t++) {
                for (int k = test.indptr()[t]; k < test.indptr()[t + 1]; k++) {
                    int j = test.indices()[k];
                    int pos = supportPosition[j];
                    if (pos >= 0) {
                        weightedTest[pos * tests + t] = Math.abs(theta[j]) * test.values()[k];
                    }
                }
            }
        }

        public int tests() {
            return tests;
        }

        public int features() {
            return theta.length;
        }

        /** alpha_i = -(1/(n lambda)) l'(y_i, x_i^T theta + b) of the block's rows (labels -1/+1). */
        public double[] alpha(CsrMatrix block, double[] labels, long n) {
            check(block, labels, n);
            double[] z = SparseLogisticRegression.margins(block, theta, bias);
            double[] a = new double[z.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = -SparseLogisticRegression.lossDerivative(labels[i], z[i]) / (n * lambda);
            }
            return a;
        }

        /** n_test x block rows: entry (t, i) = the importance of the block's row i for test row t. */
        public DenseMatrix values(CsrMatrix block, double[] labels, long n) {
            double[] a = alpha(block, labels, n);
            int m = block.rows();
            DenseMatrix out = new DenseMatrix(tests, m);
            double[] o = out.data();
            double[] acc = new double[tests];
            int[] ptr = block.indptr();
            int[] idx = block.indices();
            double[] val = block.values();
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(acc, 0);
                for (int k = ptr[i]; k < ptr[i + 1]; k++) {
                    int pos = supportPosition[idx[k]];
                    if (pos >= 0) {
                        double x = val[k];
                        int off = pos * tests;
                        for (int t = 0; t < tests; t++) {
                            acc[t] += x * weightedTest[off + t];
                        }
                    }
                }
                for (int t = 0; t < tests; t++) {
                    o[t * m + i] = acc[t] * a[i];
                }
            }
            return out;
        }

        private void check(CsrMatrix block, double[] labels, long n) {
            if (block.cols() != theta.length) {
                throw new IllegalArgumentException("training rows have " + block.cols() + " features, theta "
                        + theta.length);
            }
            if (labels.length != block.rows()) {
                throw new IllegalArgumentException(labels.length + " labels for " + block.rows() + " rows");
            }
            if (n < 1) {
                throw new IllegalArgumentException("n must be >= 1, got " + n);
            }
        }
    }

    /**
     * Relative decomposition error |sum_i values_i + b - prediction| / max(1, |prediction|) for test row t: zero at
     * an exact optimum, of the order of the KKT residual otherwise.
     */
    public double decompositionError(CsrMatrix test, int t) {
        return decompositionError(test, t, values(test, t));
    }

    /** As {@link #decompositionError(CsrMatrix, int)} for values already computed by {@link #values}. */
    public double decompositionError(CsrMatrix test, int t, double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        double pred = prediction(test, t);
        return Math.abs(s + fit.bias() - pred) / Math.max(1, Math.abs(pred));
    }
}
