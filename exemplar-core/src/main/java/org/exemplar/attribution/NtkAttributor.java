package org.exemplar.attribution;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.InfluenceScores;
import org.exemplar.ntk.NtkInfluence;
import org.exemplar.ntk.NtkKernel;

/**
 * NTK influence in closed form (Zhang &amp; Zhang 2022, eq. 6-9): kernel ridge regression with the two-layer ReLU
 * NTK on unit-norm inputs, and the exact leave-one-out change of the test loss for every pair, wrapping
 * {@link NtkInfluence}. Prepared by factorizing K + lambda I.
 *
 * <p>Raw quantity: I(x_i, x_t) = 1/2 (f^{\i}(x_t) - y_t)^2 - 1/2 (f(x_t) - y_t)^2 (eq. 8), the exact change of
 * the test loss when i is removed. Explained output: -1/2 (f(x_t) - y_t)^2, the negated test loss; score = raw
 * (positive = helpful). Self-influence: the same with t = i, 1/2 e_loo,i^2 - 1/2 e_i^2 &gt;= 0. Decomposition
 * residual: Prop. 2's two terms against the exact value.
 */
public final class NtkAttributor extends PreparedAttributor<Examples> {
    /** The method name. */
    public static final String METHOD = "ntk";

    private final DenseMatrix trainX;
    private final double[] y;
    private final double lambda;
    private final NtkInfluence fit;

    private NtkAttributor(String name, Map<String, Object> s, String sha, TrustDiagnostics d, DenseMatrix x,
                          double[] y, double lambda, NtkInfluence fit) {
        super(METHOD, name, s, sha, null, d);
        this.trainX = x;
        this.y = y;
        this.lambda = lambda;
        this.fit = fit;
    }

    private NtkAttributor(Artifact.Reader r, DenseMatrix x, double[] y, double lambda, NtkInfluence fit) {
        super(r);
        this.trainX = x;
        this.y = y;
        this.lambda = lambda;
        this.fit = fit;
    }

    public NtkInfluence fit() {
        return fit;
    }

    /** Training target y_i of point i. */
    public double trainingTarget(int i) {
        return y[i];
    }

    /** The kernel ridge regression's prediction f(x) = k(x, X) beta (eq. 3) for one unit-norm input. */
    public double prediction(double[] x) {
        DenseMatrix q = new DenseMatrix(1, x.length, x.clone());
        checkUnit(q, "query");
        DenseMatrix k = NtkKernel.matrix(q, trainX);
        double[] beta = fit.beta();
        double s = 0;
        for (int i = 0; i < beta.length; i++) {
            s += k.get(0, i) * beta[i];
        }
        return s;
    }

    @Override
    public Convention convention() {
        return exactLooConvention();
    }

    /** The convention of the NTK's exact leave-one-out change of the squared test loss (eq. 8-9): score = +raw. */
    public static Convention exactLooConvention() {
        return new Convention(METHOD, "-1/2 (f(x_t) - y_t)^2, the negated squared test loss of the NTK regression",
                "I(x_i, x_t) = 1/2 (f^{-i}(x_t) - y_t)^2 - 1/2 (f(x_t) - y_t)^2, exact LOO (Zhang & Zhang 2022, "
                        + "eq. 8-9)", 1.0, "squared-loss units; exact, not linearized");
    }

    @Override
    public int trainSize() {
        return y.length;
    }

    @Override
    protected RawBlock rawScores(Examples block) {
        checkUnit(block.features(), "test");
        InfluenceScores s = fit.score(NtkKernel.matrix(block.features(), trainX), block.targetVector());
        double res = s.decomposition().maxRelativeResidual(s.exact());
        return new RawBlock(s.exact(), new TrustDiagnostics(Double.NaN, res, Double.NaN, 0, true, List.of()));
    }

    @Override
    public boolean hasSelfInfluence() {
        return true;
    }

    @Override
    public SelfInfluence selfInfluence() {
        double[] loo = fit.leaveOneOutResiduals();
        double[] pred = fit.trainingPredictions();
        double[] out = new double[y.length];
        for (int i = 0; i < out.length; i++) {
            double e = pred[i] - y[i];
            out[i] = 0.5 * loo[i] * loo[i] - 0.5 * e * e;
        }
        return new SelfInfluence(out, new Convention(METHOD, "-1/2 (f(x_i) - y_i)^2, the point's own negated loss",
                "1/2 (f^{-i}(x_i) - y_i)^2 - 1/2 (f(x_i) - y_i)^2 (eq. 8-9 with t = i)", 1.0, "squared-loss units"),
                diagnostics());
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        w.put("train_features", trainX).put("train_targets", y).state("lambda", lambda);
    }

    /** Reloads: the kernel is recomputed and factorized again (deterministic; no training is involved). */
    static NtkAttributor load(Artifact.Reader r) {
        DenseMatrix x = r.matrix("train_features");
        double[] y = r.doubles("train_targets");
        double lambda = r.number("lambda");
        return new NtkAttributor(r, x, y, lambda, NtkInfluence.fit(NtkKernel.gram(x), y, lambda));
    }

    private static void checkUnit(DenseMatrix x, String what) {
        int c = x.cols();
        for (int i = 0; i < x.rows(); i++) {
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += x.get(i, j) * x.get(i, j);
            }
            if (Math.abs(Math.sqrt(s) - 1) > org.exemplar.ntk.UnitSphere.DEFAULT_TOLERANCE) {
                throw new IllegalArgumentException(what + " row " + i + " has norm " + Math.sqrt(s)
                        + "; the NTK needs unit-norm inputs (normalize with org.exemplar.ntk.UnitSphere)");
            }
        }
    }

    /** Options of the kernel ridge regression. */
    public static final class Builder {
        private double lambda = 1e-3;
        private String name;

        Builder() {
        }

        /** Ridge strength lambda &gt;= 0 of eq. (2) (default 1e-3). */
        public Builder lambda(double l) {
            if (!(l >= 0) || !Double.isFinite(l)) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, got " + l);
            }
            this.lambda = l;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** Factorizes K + lambda I for unit-norm training inputs with one real target each. */
        public NtkAttributor prepare(Examples train) {
            checkUnit(train.features(), "training");
            double[] y = train.targetVector();
            DenseMatrix k = NtkKernel.gram(train.features());
            NtkInfluence fit = NtkInfluence.fit(k, y, lambda);
            double[] beta = fit.beta();
            double num = 0;
            double den = 0;
            for (int i = 0; i < y.length; i++) {
                double r = lambda * beta[i] - y[i];
                for (int j = 0; j < y.length; j++) {
                    r += k.get(i, j) * beta[j];
                }
                num += r * r;
                den += y[i] * y[i];
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("lambda", lambda);
            s.put("kernel", "two-layer ReLU NTK, first layer trained (Zhang & Zhang 2022, eq. 4)");
            TrustDiagnostics d = TrustDiagnostics.ofFit(Math.sqrt(num / Math.max(den, 1e-300)), true,
                    "stationarity = ||(K + lambda I) beta - y|| / ||y||");
            return new NtkAttributor(name, s, train.sha256(), d, train.features(), y, lambda, fit);
        }
    }
}
