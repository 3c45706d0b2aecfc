package org.exemplar.attribution;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;

/**
 * Representers of logistic regression on sparse data (Tsai et al. 2023), prepared by fitting
 * (1/n) sum_i log(1 + exp(-y_i (x_i^T theta + b))) + penalty with {@link SparseLogisticRegression} to its KKT
 * tolerance, wrapping {@link HighDimRepresenter}.
 * <ul>
 *   <li>{@code representer-l1}: penalty lambda ||theta||_1; raw = the high-dimensional representer importance
 *       alpha_i sum_{j in S} |theta_j| x_ij x'_j (Corollary 2), score = raw;</li>
 *   <li>{@code representer-l2}: penalty (lambda/2) ||theta||^2; raw = the L2 representer -l'_i x_i^T x', score =
 *       raw / (n lambda) (at the optimum theta = -(1/(n lambda)) sum_i l'_i x_i).</li>
 * </ul>
 * Explained output: the prediction score x'^T theta (+ b); in both cases a test point's scores sum to it (minus the
 * unpenalized bias), up to the KKT residual: the decomposition residual. No self-influence.
 */
public final class SparseRepresenterAttributor extends PreparedAttributor<SparseExamples> {
    /** Method names. */
    public static final String L1 = "representer-l1";
    public static final String L2 = "representer-l2";

    private final SparseLogisticRegression.Penalty penalty;
    private final HighDimRepresenter representer;
    private final SparseExamples train;
    private final double lambda;

    private SparseRepresenterAttributor(String name, Map<String, Object> s, String sha, TrustDiagnostics d,
                                        SparseLogisticRegression.Penalty penalty, HighDimRepresenter rep,
                                        SparseExamples train, double lambda) {
        super(penalty == SparseLogisticRegression.Penalty.L1 ? L1 : L2, name, s, sha, null, d);
        this.penalty = penalty;
        this.representer = rep;
        this.train = train;
        this.lambda = lambda;
    }

    private SparseRepresenterAttributor(Artifact.Reader r, SparseLogisticRegression.Penalty penalty,
                                        HighDimRepresenter rep, SparseExamples train, double lambda) {
        super(r);
        this.penalty = penalty;
        this.representer = rep;
        this.train = train;
        this.lambda = lambda;
    }

    public HighDimRepresenter representer() {
        return representer;
    }

    /**
     * representer-l1 as one inner product per training point (Tsai et al. 2023, Cor. 2): keys alpha_i x_{i,S} over
     * the fit's support S ({@link HighDimRepresenter#supportKeys}), query |theta_S| x'_S
     * ({@link HighDimRepresenter#supportQuery}); raw factor 1.
     *
     * @throws IllegalStateException for representer-l2, whose scores are not offered in this form
     */
    public InnerProductForm<SparseExamples> l1InnerProductForm() {
        if (penalty != SparseLogisticRegression.Penalty.L1) {
            throw new IllegalStateException(method() + " has no support-scaled form; only " + L1 + " has");
        }
        return new InnerProductForm<>() {
            @Override
            public int keyWidth() {
                return representer.support().length;
            }

            @Override
            public DenseMatrix trainingKeys(int from, int to) {
                return representer.supportKeys(from, to);
            }

            @Override
            public DenseMatrix queryVectors(SparseExamples block) {
                DenseMatrix q = new DenseMatrix(block.size(), keyWidth());
                for (int t = 0; t < block.size(); t++) {
                    double[] w = representer.supportQuery(block.x(), t);
                    System.arraycopy(w, 0, q.data(), t * w.length, w.length);
                }
                return q;
            }
        };
    }

    /** The training rows (sparse) and their -1/+1 labels. */
    public SparseExamples trainingData() {
        return train;
    }

    @Override
    public Convention convention() {
        return penalty == SparseLogisticRegression.Penalty.L1 ? l1Convention() : l2Convention(train.size(), lambda);
    }

    /** The convention of the L1 high-dimensional representer (Tsai et al. 2023, Cor. 2): score = +raw. */
    public static Convention l1Convention() {
        return new Convention(L1, "x'^T theta, the prediction score (logit) without the bias",
                "high-dimensional representer alpha_i sum_{j in S} |theta_j| x_ij x'_j (Tsai et al. 2023, Cor. 2)",
                1.0, "logit units; a test point's scores sum to x'^T theta");
    }

    /**
     * The convention of the L2 representer -l'_i x_i^T x' of an L2 logistic regression on n points with strength
     * lambda (Tsai et al. 2023, Sec. 6.2): score = raw / (n lambda).
     */
    public static Convention l2Convention(int n, double lambda) {
        return new Convention(L2, "x'^T theta, the prediction score (logit) without the bias",
                "L2 representer -l'(y_i, x_i^T theta + b) x_i^T x' (Tsai et al. 2023, Sec. 6.2)",
                1.0 / (n * lambda), "logit units; a test point's scores sum to x'^T theta");
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    protected RawBlock rawScores(SparseExamples block) {
        CsrMatrix x = block.x();
        int n = train.size();
        DenseMatrix out = new DenseMatrix(x.rows(), n);
        double worst = 0;
        double factor = convention().rawFactor();
        for (int t = 0; t < x.rows(); t++) {
            double[] v = penalty == SparseLogisticRegression.Penalty.L1 ? representer.values(x, t)
                    : representer.l2Values(x, t);
            System.arraycopy(v, 0, out.data(), t * n, n);
            double s = 0;
            for (double a : v) {
                s += a;
            }
            double pred = representer.prediction(x, t) - representer.fit().bias();
            worst = Math.max(worst, Math.abs(factor * s - pred) / Math.max(1.0, Math.abs(pred)));
        }
        return new RawBlock(out, new TrustDiagnostics(Double.NaN, worst, Double.NaN, 0, true, List.of()));
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        CsrMatrix x = train.x();
        SparseFit f = representer.fit();
        w.put("x_indptr", x.indptr()).put("x_indices", x.indices()).put("x_values", x.values())
                .put("labels", train.labels()).put("theta", f.theta())
                .state("rows", x.rows()).state("cols", x.cols()).state("lambda", lambda)
                .state("penalty", penalty.name()).state("bias", f.bias()).state("hasBias", f.hasBias())
                .state("objective", f.objective()).state("kktResidual", f.kktResidual())
                .state("iterations", f.iterations()).state("converged", f.converged());
    }

    static SparseRepresenterAttributor load(Artifact.Reader r) {
        CsrMatrix x = new CsrMatrix((int) r.number("rows"), (int) r.number("cols"), r.ints("x_indptr"),
                r.ints("x_indices"), r.doubles("x_values"));
        SparseExamples train = new SparseExamples(x, r.doubles("labels"));
        double[] theta = r.doubles("theta");
        int support = 0;
        for (double v : theta) {
            support += v != 0 ? 1 : 0;
        }
        SparseFit fit = new SparseFit(theta, r.number("bias"), r.state().path("hasBias").asBoolean(),
                r.number("objective"), r.number("kktResidual"), support, (int) r.number("iterations"),
                r.state().path("converged").asBoolean(), "reloaded", 0);
        double lambda = r.number("lambda");
        return new SparseRepresenterAttributor(r, SparseLogisticRegression.Penalty.valueOf(r.string("penalty")),
                new HighDimRepresenter(x, train.labels(), fit, lambda), train, lambda);
    }

    /** Options of the sparse logistic fit. */
    public static final class Builder {
        private final SparseLogisticRegression.Penalty penalty;
        private double lambda = Double.NaN;
        private boolean fitBias;
        private double tolerance = 1e-8;
        private int maxIterations = 1000;
        private String name;

        Builder(SparseLogisticRegression.Penalty penalty) {
            this.penalty = penalty;
        }

        /** The penalty strength (required). */
        public Builder lambda(double l) {
            new SparseLogisticRegression(penalty, l, fitBias, tolerance, maxIterations);
            this.lambda = l;
            return this;
        }

        /** Fit an unpenalized bias (default false). */
        public Builder fitBias(boolean b) {
            this.fitBias = b;
            return this;
        }

        /** KKT tolerance (relative to lambda) and iteration cap (defaults 1e-8, 1000). */
        public Builder tolerance(double t, int maxIter) {
            new SparseLogisticRegression(penalty, 1, fitBias, t, maxIter);
            this.tolerance = t;
            this.maxIterations = maxIter;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** Fits the model on labeled sparse rows (labels -1/+1). */
        public SparseRepresenterAttributor prepare(SparseExamples train) {
            if (Double.isNaN(lambda)) {
                throw new IllegalStateException("set lambda before prepare (e.g. .lambda(1e-3))");
            }
            if (train.labels() == null) {
                throw new IllegalArgumentException("training rows need labels -1/+1");
            }
            SparseLogisticRegression m = new SparseLogisticRegression(penalty, lambda, fitBias, tolerance,
                    maxIterations);
            return prepare(train, m.fit(train.x(), train.labels(), null));
        }

        /**
         * Binds a fit the caller already made with this builder's settings (penalty, lambda, bias, tolerance) on the
         * same rows, instead of fitting again (a command that fitted for its own outputs saves it as an artifact).
         */
        public SparseRepresenterAttributor prepare(SparseExamples train, SparseFit fit) {
            if (Double.isNaN(lambda)) {
                throw new IllegalStateException("set lambda before prepare (e.g. .lambda(1e-3))");
            }
            if (train.labels() == null) {
                throw new IllegalArgumentException("training rows need labels -1/+1");
            }
            if (fit.theta().length != train.x().cols()) {
                throw new IllegalArgumentException("the fit has " + fit.theta().length + " weights, the rows "
                        + train.x().cols() + " columns");
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("penalty", penalty.name());
            s.put("lambda", lambda);
            s.put("fitBias", fitBias);
            s.put("tolerance", tolerance);
            s.put("maxIterations", maxIterations);
            TrustDiagnostics d = TrustDiagnostics.ofFit(fit.kktResidual(), fit.converged(),
                    fit.converged() ? null : "sparse fit did not converge: " + fit.message());
            return new SparseRepresenterAttributor(name, s, train.sha256(), d, penalty,
                    new HighDimRepresenter(train.x(), train.labels(), fit, lambda), train, lambda);
        }
    }
}
