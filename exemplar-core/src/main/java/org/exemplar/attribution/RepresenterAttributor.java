package org.exemplar.attribution;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;

/**
 * RPS-L2, the representer points of a last layer (Yeh et al. 2018, Thm 3.1), prepared by fitting Theta to a
 * stationary point of eq. (3), (1/n) sum_i L(y_i, Theta f_i) + lambda ||Theta||_F^2, on the given features
 * (used as given: append a ones column for a bias). Wraps {@link LastLayerFitter} and {@link RepresenterPoints}.
 *
 * <p>Explained output: the logit Phi_c(x_t) of the class c the fitted layer predicts for x_t (for one sigmoid
 * output: +Phi for class 1, -Phi for class 0). Raw quantity: the representer value alpha_ic f_i^T f_t, which is
 * the score (rawFactor 1); a test point's values sum to its explained logit (the decomposition residual says how
 * exactly). No self-influence.
 */
public final class RepresenterAttributor extends PreparedAttributor<Examples> {
    /** The method name. */
    public static final String METHOD = "rps-l2";

    /** Which class's logit a test point's scores explain. */
    public enum ExplainedClass {
        /** The class the fitted last layer predicts (default; needs no test labels). */
        PREDICTED,
        /** The test point's label (the test set must carry labels), e.g. to see what supports a wrong label. */
        LABEL
    }

    private final RepresenterPoints points;
    private final DenseMatrix targets;
    private final ExplainedClass explained;

    private RepresenterAttributor(String name, Map<String, Object> settings, String sha, TrustDiagnostics d,
                                  RepresenterPoints points, DenseMatrix targets, ExplainedClass explained) {
        super(METHOD, name, settings, sha, null, d);
        this.points = points;
        this.targets = targets;
        this.explained = explained;
    }

    private RepresenterAttributor(Artifact.Reader r, RepresenterPoints points, DenseMatrix targets,
                                  ExplainedClass explained) {
        super(r);
        this.points = points;
        this.targets = targets;
        this.explained = explained;
    }

    /** The wrapped representer points (alpha, Theta). */
    public RepresenterPoints points() {
        return points;
    }

    @Override
    public Convention convention() {
        return convention(explained == ExplainedClass.PREDICTED ? "predicted class c" : "labelled class c");
    }

    /**
     * The convention of representer values explaining the logit of {@code which} ("predicted class c", "labelled
     * class c", "class 3"): score = raw = alpha_ic f_i^T f_t (Yeh et al. 2018, Thm 3.1).
     */
    public static Convention convention(String which) {
        return new Convention(METHOD, "Phi_c(x_t), the logit of the " + which + " (one sigmoid output: "
                + "+Phi for class 1, -Phi for class 0)",
                "representer value alpha_ic f_i^T f_t (Yeh et al. 2018, Thm 3.1)", 1.0,
                "logit units; a test point's scores sum to its explained logit");
    }

    @Override
    public int trainSize() {
        return points.trainSize();
    }

    @Override
    protected RawBlock rawScores(Examples block) {
        DenseMatrix f = block.features();
        int[] cls;
        if (explained == ExplainedClass.PREDICTED) {
            cls = points.predictedClasses(f);
        } else {
            if (block.labels() == null) {
                throw new IllegalArgumentException("this attributor explains the labelled class: give test labels");
            }
            cls = block.labels();
        }
        DenseMatrix values = points.values(f, cls);
        DenseMatrix phi = points.outputs(f);
        int c = phi.cols();
        int n = values.cols();
        double worst = 0;
        for (int r = 0; r < values.rows(); r++) {
            double g = c == 1 ? (cls[r] == 1 ? 1 : -1) * phi.get(r, 0) : phi.get(r, cls[r]);
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += values.get(r, i);
            }
            worst = Math.max(worst, Math.abs(s - g) / Math.max(1.0, Math.abs(g)));
        }
        return new RawBlock(values, new TrustDiagnostics(Double.NaN, worst, Double.NaN, 0, true, List.of()));
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        w.put("train_features", points.trainFeatures()).put("train_targets", targets).put("theta", points.theta())
                .state("loss", points.loss().name()).state("lambda", points.lambda())
                .state("explained", explained.name());
    }

    /** Reloads a saved artifact: alpha is recomputed from the saved Theta (one gradient, no fit). */
    static RepresenterAttributor load(Artifact.Reader r) {
        DenseMatrix f = r.matrix("train_features");
        DenseMatrix t = r.matrix("train_targets");
        RepresenterPoints p = RepresenterPoints.of(f, t, Loss.named(r.string("loss")), r.number("lambda"),
                r.matrix("theta"));
        return new RepresenterAttributor(r, p, t, ExplainedClass.valueOf(r.string("explained")));
    }

    /** Options of the last-layer fit; {@link #prepare} fits and returns the artifact. */
    public static final class Builder {
        private Loss loss = new SoftmaxCrossEntropy();
        private double lambda = 0.003;
        private double tolerance = 1e-10;
        private int maxIterations = 5000;
        private String name;
        private DenseMatrix teacherLogits;
        private DenseMatrix start;
        private ExplainedClass explainedClass = ExplainedClass.PREDICTED;

        Builder() {
        }

        /** The loss of eq. (3): softmax (default) or sigmoid (one output, labels 0/1). */
        public Builder loss(Loss l) {
            this.loss = java.util.Objects.requireNonNull(l, "loss");
            return this;
        }

        /** lambda of eq. (3), which carries lambda ||Theta||^2 (not lambda/2); default 0.003. */
        public Builder lambda(double l) {
            new FitOptions(l, tolerance, maxIterations, true);
            this.lambda = l;
            return this;
        }

        /** Stationarity tolerance of the fit (relative), default 1e-10. */
        public Builder tolerance(double t) {
            new FitOptions(lambda, t, maxIterations, true);
            this.tolerance = t;
            return this;
        }

        public Builder maxIterations(int m) {
            new FitOptions(lambda, tolerance, m, true);
            this.maxIterations = m;
            return this;
        }

        /**
         * Fit against a trained network's logits on the training points (eq. 4: targets that make these logits
         * the unregularized optimum) instead of the labels; the training examples then need no labels.
         */
        public Builder teacherLogits(DenseMatrix trainLogits) {
            this.teacherLogits = java.util.Objects.requireNonNull(trainLogits, "teacher logits");
            return this;
        }

        /** Start the fit from the network's last layer (c x p, bias last if the features carry a ones column). */
        public Builder startFrom(DenseMatrix lastLayer) {
            this.start = java.util.Objects.requireNonNull(lastLayer, "last layer");
            return this;
        }

        /** Which class's logit to explain (default: the predicted class). */
        public Builder explain(ExplainedClass c) {
            this.explainedClass = java.util.Objects.requireNonNull(c, "explained class");
            return this;
        }

        /** The artifact's name (default: method and key prefix). */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /**
         * Fits the last layer on labeled training features and computes alpha.
         *
         * @param train last-layer features with class labels
         */
        public RepresenterAttributor prepare(Examples train) {
            DenseMatrix targets;
            if (teacherLogits != null) {
                if (teacherLogits.rows() != train.size()) {
                    throw new IllegalArgumentException("teacher logits have " + teacherLogits.rows()
                            + " rows for " + train.size() + " training points");
                }
                targets = loss.targetsFromLogits(teacherLogits);
            } else {
                targets = train.lossTargets(loss, loss.outputsForClasses(train.classes()));
            }
            LastLayerFit fit = new LastLayerFitter(new FitOptions(lambda, tolerance, maxIterations, true))
                    .fit(train.features(), targets, loss, start, null);
            RepresenterPoints p = RepresenterPoints.of(train.features(), targets, loss, lambda, fit.theta());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("loss", loss.name());
            s.put("lambda", lambda);
            s.put("objective", "(1/n) sum_i L(y_i, Theta f_i) + lambda ||Theta||_F^2, features as given");
            s.put("tolerance", tolerance);
            s.put("maxIterations", maxIterations);
            s.put("targets", teacherLogits == null ? "labels (eq. 3)" : "teacher logits (eq. 4), sha256:"
                    + new Artifact.Digest().add(teacherLogits).hex());
            if (start != null) {
                s.put("start", "given last layer, sha256:" + new Artifact.Digest().add(start).hex());
            }
            s.put("explained", explainedClass.name());
            TrustDiagnostics d = TrustDiagnostics.ofFit(p.identityResidual(), fit.converged(),
                    fit.converged() ? null : "last-layer fit did not converge: " + fit.message());
            String sha = teacherLogits == null ? train.sha256()
                    : new Artifact.Digest().add(train.features()).add(teacherLogits).hex();
            return new RepresenterAttributor(name, s, sha, d, p, targets, explainedClass);
        }
    }
}
