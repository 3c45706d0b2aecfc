package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.curvature.FisherKind;
import org.exemplar.curvature.KfacInfluence;
import org.exemplar.curvature.KroneckerFactors;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.TightTrainingOptions;

/**
 * Influence functions with Kronecker-factored curvature: K-FAC or EK-FAC (George et al. 2018; Grosse et al. 2023,
 * eq. 16-20), wrapping {@link KfacInfluence} and {@link KroneckerFactors}. Prepared from a trained {@link Mlp} or
 * from a linear model kind that {@link Builder#prepare} trains to a tight optimum (as {@link InfluenceAttributor}).
 *
 * <p>Raw quantity: I(t, i) = (1/n) grad f_t^T (F + damping I)^{-1} grad L_i with F the (EK-)FAC Fisher, the
 * predicted change of f_t when i is removed. Mapping as for {@code influence}: measure = loss explains -loss,
 * score = +I; margin / logit explain f itself, score = -I. Self-influence (1/n) grad L_i^T (F + damping I)^{-1}
 * grad L_i, score = raw.
 */
public final class KfacAttributor extends PreparedAttributor<Examples> implements InnerProductForm<Examples> {
    /** Method names. */
    public static final String KFAC = "kfac";
    public static final String EKFAC = "ekfac";

    private final KfacInfluence influence;
    private final DenseMatrix trainFeatures;
    private final DenseMatrix trainTargets;
    private final Loss loss;
    private final TestFunction testFunction;
    private final Map<String, Object> state;

    private KfacAttributor(String method, String name, Map<String, Object> settings, String sha, Long seed,
                           TrustDiagnostics d, KfacInfluence influence, DenseMatrix x, DenseMatrix targets, Loss loss,
                           TestFunction f) {
        super(method, name, settings, sha, seed, d);
        this.influence = influence;
        this.trainFeatures = x;
        this.trainTargets = targets;
        this.loss = loss;
        this.testFunction = f;
        this.state = settings;
    }

    private KfacAttributor(Artifact.Reader r, KfacInfluence influence, DenseMatrix x, DenseMatrix targets, Loss loss,
                           TestFunction f, Map<String, Object> state) {
        super(r);
        this.influence = influence;
        this.trainFeatures = x;
        this.trainTargets = targets;
        this.loss = loss;
        this.testFunction = f;
        this.state = state;
    }

    /** The wrapped scores. */
    public KfacInfluence influence() {
        return influence;
    }

    /** The fitted factors (a named artifact of their own: {@link KroneckerFactors#save}). */
    public KroneckerFactors factors() {
        return influence.factors();
    }

    /** The trained model (a copy). */
    public Mlp model() {
        return influence.model();
    }

    public Loss loss() {
        return loss;
    }

    public TestFunction testFunction() {
        return testFunction;
    }

    private boolean explainsLoss() {
        return testFunction.name().equals(TestFunction.LOSS.name());
    }

    @Override
    public Convention convention() {
        String raw = "I(t,i) = (1/n) grad f_t^T (F_" + method() + " + damping I)^{-1} grad L_i, predicted "
                + "f_t(theta_-i) - f_t(theta) (Grosse et al. 2023, eq. 16-20), f = " + testFunction.name();
        return explainsLoss()
                ? new Convention(method(), "-L(t_t, Phi(x_t)), the negated test loss", raw, 1.0,
                "loss units per removed point; carries 1/n")
                : new Convention(method(), testFunction.name() + " f_t", raw, -1.0,
                testFunction.name() + " units per removed point; carries 1/n");
    }

    @Override
    public int trainSize() {
        return influence.trainSize();
    }

    @Override
    protected RawBlock rawScores(Examples block) {
        return new RawBlock(influence.scores(block.features(), testTargets(block), testFunction),
                TrustDiagnostics.none());
    }

    private DenseMatrix testTargets(Examples block) {
        int c = influence.model().outputWidth();
        return testFunction.name().startsWith("logit") ? new DenseMatrix(block.size(), c) : block.lossTargets(loss, c);
    }

    /** The flat parameter count P: keys are the training gradients in the Kronecker eigenbasis. */
    @Override
    public int keyWidth() {
        return influence.parameterCount();
    }

    /** e_i of {@link KfacInfluence#trainingKeys}: grad L_i in the Kronecker eigenbasis. */
    @Override
    public DenseMatrix trainingKeys(int from, int to) {
        return influence.trainingKeys(from, to);
    }

    /**
     * (rawFactor / n) r_t with r_t of {@link KfacInfluence#testVectors}, so that q_t . e_i is the score (sign of the
     * convention) of I(t, i) = (1/n) r_t . e_i.
     */
    @Override
    public DenseMatrix queryVectors(Examples block) {
        DenseMatrix r = influence.testVectors(block.features(), testTargets(block), testFunction);
        double s = convention().rawFactor() / influence.trainSize();
        double[] d = r.data();
        for (int j = 0; j < d.length; j++) {
            d[j] *= s;
        }
        return r;
    }

    @Override
    public boolean hasSelfInfluence() {
        return true;
    }

    @Override
    public SelfInfluence selfInfluence() {
        Convention c = new Convention(method(), "-L(z_i), the training point's own negated loss",
                "(1/n) grad L_i^T (F_" + method() + " + damping I)^{-1} grad L_i, predicted rise of L_i when i is "
                        + "removed", 1.0, "loss units; carries 1/n");
        return new SelfInfluence(influence.selfInfluence(), c, diagnostics());
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        Mlp mlp = influence.model();
        w.put("train_features", trainFeatures).put("train_targets", trainTargets);
        for (int k = 0; k < mlp.layerCount(); k++) {
            w.put("layer" + k + ".weight", mlp.weight(k)).put("layer" + k + ".bias", mlp.bias(k));
        }
        w.put("widths", mlp.widths());
        List<String> acts = new ArrayList<>();
        for (Activation a : mlp.activations()) {
            acts.add(a.externalName());
        }
        w.state("activations", acts);
        KroneckerFactors f = influence.factors();
        f.forEachArray("factors.", w::put);
        w.state("factorsName", f.name());
        w.state("factorsKey", f.key());
        w.state("factorsExamples", f.examples());
        w.state("factorsCorrected", f.hasCorrection());
        state.forEach(w::state);
    }

    static KfacAttributor load(Artifact.Reader r) {
        int[] widths = r.ints("widths");
        int layers = widths.length - 1;
        DenseMatrix[] weights = new DenseMatrix[layers];
        double[][] biases = new double[layers][];
        for (int k = 0; k < layers; k++) {
            weights[k] = r.matrix("layer" + k + ".weight");
            biases[k] = r.doubles("layer" + k + ".bias");
        }
        Activation[] acts = new Activation[layers - 1];
        for (int k = 0; k < acts.length; k++) {
            acts[k] = Activation.fromName(r.state().path("activations").get(k).asText());
        }
        Mlp mlp = Mlp.of(widths, acts, weights, biases);
        Loss loss = Loss.named(r.string("loss"));
        FisherKind fisher = FisherKind.parse(r.string("fisher"));
        KroneckerFactors f = KroneckerFactors.restore(r.string("factorsName"), r.string("factorsKey"), r.provenance(),
                widths, fisher, (long) r.number("seed"), (int) r.number("factorsExamples"),
                r.state().path("factorsCorrected").asBoolean(), r::matrix, "factors.");
        DenseMatrix x = r.matrix("train_features");
        DenseMatrix t = r.matrix("train_targets");
        boolean ekfac = r.method().equals(EKFAC);
        KfacInfluence inf = new KfacInfluence(mlp, x, t, loss, f, r.number("damping"), ekfac);
        Map<String, Object> state = new LinkedHashMap<>();
        r.state().fields().forEachRemaining(e -> {
            if (!e.getKey().equals("activations") && !e.getKey().startsWith("factors")) {
                state.put(e.getKey(), e.getValue().isNumber() ? (Object) e.getValue().numberValue()
                        : e.getValue().isBoolean() ? (Object) e.getValue().booleanValue() : e.getValue().asText());
            }
        });
        return new KfacAttributor(r, inf, x, t, loss, TestFunction.parse(r.string("testFunction")), state);
    }

    /** Options of a K-FAC / EK-FAC attributor. */
    public static final class Builder {
        private final boolean ekfac;
        private final LinearModels.Kind kind;
        private final Mlp given;
        private final Loss loss;
        private double l2 = 0.01;
        private double damping = 1e-3;
        private FisherKind fisher = FisherKind.SAMPLED;
        private long seed;
        private TestFunction testFunction = TestFunction.LOSS;
        private TightTrainingOptions training = TightTrainingOptions.defaults();
        private KroneckerFactors reuse;
        private String name;

        Builder(boolean ekfac, LinearModels.Kind kind) {
            this.ekfac = ekfac;
            this.kind = Objects.requireNonNull(kind, "kind");
            this.given = null;
            this.loss = kind.loss();
        }

        Builder(boolean ekfac, Mlp model, Loss loss) {
            this.ekfac = ekfac;
            this.kind = null;
            this.given = Objects.requireNonNull(model, "model").copy();
            this.loss = Objects.requireNonNull(loss, "loss");
        }

        /** L2 strength of the training of a linear model kind (default 0.01; not used for a given model). */
        public Builder l2(double v) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("l2 must be finite and >= 0, got " + v);
            }
            this.l2 = v;
            return this;
        }

        /** Damping added to every eigenvalue of the curvature (default 1e-3; must be > 0 when a factor is singular). */
        public Builder damping(double v) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("damping must be finite and >= 0, got " + v);
            }
            this.damping = v;
            return this;
        }

        /** Which labels the gradient factor is taken over (default {@link FisherKind#SAMPLED}). */
        public Builder fisher(FisherKind f) {
            this.fisher = Objects.requireNonNull(f, "fisher");
            return this;
        }

        /** Seed of the sampled pseudo-labels (default 0). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** What is measured at a test point: loss (default), margin or a logit. */
        public Builder measure(TestFunction f) {
            this.testFunction = Objects.requireNonNull(f, "test function");
            return this;
        }

        /** Stopping rule of the training of a linear model kind. */
        public Builder training(TightTrainingOptions o) {
            this.training = Objects.requireNonNull(o, "training options");
            return this;
        }

        /**
         * Reuses factors fitted earlier (kronfluence's habit); {@link #prepare} refuses them unless their key equals
         * the key of this model, data, loss, Fisher kind and seed.
         */
        public Builder factors(KroneckerFactors f) {
            this.reuse = Objects.requireNonNull(f, "factors");
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /**
         * Trains (for a model kind), fits or checks the factors and caches the rotated training gradients.
         *
         * @param train features with class labels or real targets
         */
        public KfacAttributor prepare(Examples train) {
            DenseMatrix x = train.features();
            Mlp model;
            DenseMatrix targets;
            TrustDiagnostics fitDiag;
            if (kind != null) {
                LinearFit fit = LinearFit.train(kind, train, loss, l2, training);
                model = fit.model();
                targets = fit.targets();
                fitDiag = fit.diagnostics();
            } else {
                model = given;
                targets = train.lossTargets(loss, model.outputWidth());
                fitDiag = TrustDiagnostics.none();
            }
            KroneckerFactors f;
            String expectedKey = KroneckerFactors.keyFor(model, x, targets, loss, fisher, seed);
            if (reuse != null) {
                if (!reuse.key().equals(expectedKey)) {
                    throw new IllegalArgumentException("the given factors '" + reuse.name() + "' were fitted for "
                            + "another model, data, loss, Fisher kind or seed (key " + reuse.key().substring(0, 12)
                            + ", this preparation needs " + expectedKey.substring(0, 12) + ")");
                }
                if (ekfac && !reuse.hasCorrection()) {
                    throw new IllegalArgumentException("EK-FAC needs factors fitted with the eigenvalue correction; "
                            + "the given factors '" + reuse.name() + "' have none");
                }
                f = reuse;
            } else {
                f = KroneckerFactors.fit(model, x, targets, loss, fisher, seed, ekfac, null);
            }
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("model", kind != null ? kind.externalName() : "given");
            st.put("loss", loss.name());
            if (kind != null) {
                st.put("l2", l2);
            }
            st.put("damping", damping);
            st.put("fisher", fisher.externalName());
            st.put("seed", seed);
            st.put("testFunction", testFunction.name());
            KfacInfluence inf = new KfacInfluence(model, x, targets, loss, f, damping, ekfac);
            String sha = new Artifact.Digest().add(x).add(targets).add(model.parameters()).hex();
            return new KfacAttributor(ekfac ? EKFAC : KFAC, name, st, sha, fisher == FisherKind.SAMPLED ? seed : null,
                    fitDiag, inf, x, targets, loss, testFunction);
        }
    }
}
