package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.InfluenceScores;
import org.exemplar.influence.ModelCurvature;
import org.exemplar.influence.SolveStats;
import org.exemplar.influence.TestFunction;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.Curvature;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.Arnoldi;
import org.exemplar.solver.ArnoldiOptions;
import org.exemplar.solver.ConjugateGradientSolver;
import org.exemplar.solver.ExactSolver;
import org.exemplar.solver.InverseHessianSolver;
import org.exemplar.solver.Lissa;
import org.exemplar.solver.LissaOptions;

/**
 * Influence functions (Koh &amp; Liang 2017; Bae et al. 2022, eq. 5) of a model at an optimum of
 * J(theta) = (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2 (every parameter, bias included), wrapping
 * {@link InfluenceFunctions}. Prepared either from a linear model kind, which {@link Builder#prepare} trains to a
 * tight optimum itself (a bias is appended to the model, penalized like every parameter), or from a given trained
 * {@link DifferentiableModel}.
 *
 * <p>Raw quantity: I(t, i) = (1/n) grad f_t^T (C + damping I)^{-1} grad L_i, the predicted change of the measured
 * f_t when i is removed. Explained output and mapping: for f = the test loss, the explained output is -loss (fit
 * quality), score = +I (positive = helpful: removal raises the loss); for a margin or a logit, the explained
 * output is f itself and score = -I (positive = removal lowers f). Self-influence: (1/n) grad L_i^T A^{-1} grad L_i,
 * the predicted rise of a point's own loss on removal (explained: its own -loss), score = raw.
 */
public final class InfluenceAttributor extends PreparedAttributor<Examples> {
    /** The method name. */
    public static final String METHOD = "influence";

    private final InfluenceFunctions influence;
    private final DifferentiableModel model;
    private final TrainingData data;
    private final TestFunction testFunction;
    private final Map<String, Object> state;

    private InfluenceAttributor(String name, Map<String, Object> settings, String sha, Long seed, TrustDiagnostics d,
                                InfluenceFunctions influence, DifferentiableModel model, TrainingData data,
                                TestFunction f, Map<String, Object> state) {
        super(METHOD, name, settings, sha, seed, d);
        this.influence = influence;
        this.model = model;
        this.data = data;
        this.testFunction = f;
        this.state = state;
    }

    private InfluenceAttributor(Artifact.Reader r, InfluenceFunctions influence, DifferentiableModel model,
                                TrainingData data, TestFunction f, Map<String, Object> state) {
        super(r);
        this.influence = influence;
        this.model = model;
        this.data = data;
        this.testFunction = f;
        this.state = state;
    }

    /** The wrapped influence functions. */
    public InfluenceFunctions influenceFunctions() {
        return influence;
    }

    /** The trained model the scores are for (a copy). */
    public DifferentiableModel model() {
        return model.copy();
    }

    /** The training objective. */
    public TrainingData trainingData() {
        return data;
    }

    public TestFunction testFunction() {
        return testFunction;
    }

    private boolean explainsLoss() {
        return testFunction.name().equals(TestFunction.LOSS.name());
    }

    @Override
    public Convention convention() {
        return convention(testFunction);
    }

    /**
     * The convention of influence scores of test function {@code testFunction}: +raw for the loss (g = -loss), -raw
     * for a margin or logit (Bae et al. 2022, eq. 5; raw = predicted f_t(theta_-i) - f_t(theta)).
     */
    public static Convention convention(TestFunction testFunction) {
        boolean explainsLoss = testFunction.name().equals(TestFunction.LOSS.name());
        String raw = "I(t,i) = (1/n) grad f_t^T (C + damping I)^{-1} grad L_i, predicted f_t(theta_-i) - f_t(theta) "
                + "(Bae et al. 2022, eq. 5), f = " + testFunction.name();
        return explainsLoss
                ? new Convention(METHOD, "-L(t_t, Phi(x_t)), the negated test loss", raw, 1.0,
                "loss units per removed point; carries 1/n")
                : new Convention(METHOD, testFunction.name() + " f_t", raw, -1.0,
                testFunction.name() + " units per removed point; carries 1/n");
    }

    @Override
    public int trainSize() {
        return data.size();
    }

    @Override
    protected RawBlock rawScores(Examples block) {
        DenseMatrix targets = block.lossTargets(data.loss(), model.outputWidth());
        InfluenceScores s = influence.scores(block.features(), targets, testFunction, null);
        return new RawBlock(s.scores(), solveDiagnostics(s.solves()));
    }

    private static TrustDiagnostics solveDiagnostics(SolveStats s) {
        List<String> notes = new ArrayList<>();
        for (String n : s.notes()) {
            if (n != null && !n.isBlank()) {
                notes.add(n);
            }
        }
        if (!s.allConverged()) {
            notes.add(s.notConvergedCount() + " solve(s) did not converge");
        }
        return new TrustDiagnostics(Double.NaN, Double.NaN, s.maxRelativeResidual(), s.maxIterations(),
                s.allConverged(), notes);
    }

    @Override
    public boolean hasSelfInfluence() {
        return true;
    }

    @Override
    public SelfInfluence selfInfluence() {
        org.exemplar.influence.SelfInfluence s = influence.selfInfluence(null);
        Convention c = new Convention(METHOD, "-L(z_i), the training point's own negated loss",
                "(1/n) grad L_i^T (C + damping I)^{-1} grad L_i, predicted rise of L_i when i is removed", 1.0,
                "loss units; carries 1/n");
        return new SelfInfluence(s.values().clone(), c, diagnostics().merge(solveDiagnostics(s.solves())));
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        if (!(model instanceof Mlp mlp)) {
            throw new UnsupportedOperationException("only Mlp (and linear) models can be saved, not "
                    + model.getClass().getSimpleName());
        }
        w.put("train_features", data.features()).put("train_targets", data.targets());
        for (int k = 0; k < mlp.layerCount(); k++) {
            w.put("layer" + k + ".weight", mlp.weight(k)).put("layer" + k + ".bias", mlp.bias(k));
        }
        w.put("widths", mlp.widths());
        List<String> acts = new ArrayList<>();
        for (Activation a : mlp.activations()) {
            acts.add(a.externalName());
        }
        w.state("activations", acts);
        state.forEach(w::state);
    }

    static InfluenceAttributor load(Artifact.Reader r) {
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
        TrainingData data = new TrainingData(r.matrix("train_features"), r.matrix("train_targets"), loss,
                r.number("l2"));
        Map<String, Object> state = new LinkedHashMap<>();
        r.state().fields().forEachRemaining(e -> {
            if (!e.getKey().equals("activations")) {
                state.put(e.getKey(), e.getValue().isNumber() ? (Object) e.getValue().numberValue()
                        : e.getValue().asText());
            }
        });
        Solver solver = Solver.valueOf(r.string("solver"));
        InverseHessianSolver ihs = switch (solver) {
            case EXACT -> new ExactSolver();
            case CG -> new ConjugateGradientSolver(r.number("cgTolerance"), (int) r.number("cgMaxIterations"));
            case LISSA -> new Lissa(new LissaOptions((int) r.number("lissaDepth"), (int) r.number("lissaRepeats"),
                    r.number("lissaScale"), (int) r.number("lissaBatchSize"), (long) r.number("seed"),
                    r.state().has("lissaTolerance") ? r.number("lissaTolerance") : LissaOptions.DEFAULT_TOLERANCE));
            case ARNOLDI -> new Arnoldi(new ArnoldiOptions((int) r.number("arnoldiIterations"),
                    (int) r.number("arnoldiTopK"), (long) r.number("seed")));
        };
        InfluenceOptions o = new InfluenceOptions(Curvature.valueOf(r.string("curvature")), r.number("damping"),
                (int) r.number("testBatchSize"), (int) r.number("trainBlockRows"));
        InfluenceFunctions inf = InfluenceFunctions.prepare(mlp, data, o, ihs);
        return new InfluenceAttributor(r, inf, mlp, data, TestFunction.parse(r.string("testFunction")), state);
    }

    /**
     * Options of an influence attributor; {@link #prepare} trains the linear model (when built from a kind), binds
     * the curvature and prepares the solver.
     */
    public static final class Builder {
        private final LinearModels.Kind kind;
        private final DifferentiableModel given;
        private Loss loss;
        private double l2 = 0.01;
        private double damping = 0.001;
        private Curvature curvature = Curvature.HESSIAN;
        private Solver solver = Solver.EXACT;
        private TestFunction testFunction = TestFunction.LOSS;
        private double cgTolerance = 1e-10;
        private int cgMaxIterations = 1000;
        private int lissaDepth = 5000;
        private int lissaRepeats = 1;
        private Double lissaScale;
        private int lissaBatchSize = 128;
        private double lissaTolerance = LissaOptions.DEFAULT_TOLERANCE;
        private int arnoldiIterations = 100;
        private int arnoldiTopK = 50;
        private long seed;
        private TightTrainingOptions training = TightTrainingOptions.defaults();
        private int testBatchSize = 256;
        private int trainBlockRows = 1024;
        private String name;

        Builder(LinearModels.Kind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.given = null;
            this.loss = kind.loss();
        }

        Builder(DifferentiableModel model, Loss loss) {
            this.kind = null;
            this.given = Objects.requireNonNull(model, "model").copy();
            this.loss = Objects.requireNonNull(loss, "loss");
        }

        /** The L2 strength of J on every parameter (default 0.01; the given model must be at an optimum of J). */
        public Builder l2(double v) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("l2 must be finite and >= 0, got " + v);
            }
            this.l2 = v;
            return this;
        }

        /** Damping added to the curvature (default 0.001, the paper's). */
        public Builder damping(double v) {
            InfluenceOptions.of(curvature, v);
            this.damping = v;
            return this;
        }

        /** Hessian (default) or Gauss-Newton. */
        public Builder curvature(Curvature c) {
            this.curvature = Objects.requireNonNull(c, "curvature");
            return this;
        }

        /** The inverse-Hessian-vector product solver (default EXACT). */
        public Builder solver(Solver s) {
            this.solver = Objects.requireNonNull(s, "solver");
            return this;
        }

        /** What is measured at a test point: loss (default), margin or a logit. */
        public Builder measure(TestFunction f) {
            this.testFunction = Objects.requireNonNull(f, "test function");
            return this;
        }

        /** CG stopping rule ||r|| &lt;= tolerance ||b|| and iteration cap (defaults 1e-10, 1000). */
        public Builder cg(double tolerance, int maxIterations) {
            new ConjugateGradientSolver(tolerance, maxIterations);
            this.cgTolerance = tolerance;
            this.cgMaxIterations = maxIterations;
            return this;
        }

        /** LiSSA depth, repeats, batch size (defaults 5000, 1, 128); scale null = 1.5 x the largest eigenvalue. */
        public Builder lissa(int depth, int repeats, Double scale, int batchSize) {
            new LissaOptions(depth, repeats, scale == null ? 1.0 : scale, batchSize, 0);
            this.lissaDepth = depth;
            this.lissaRepeats = repeats;
            this.lissaScale = scale;
            this.lissaBatchSize = batchSize;
            return this;
        }

        /**
         * LiSSA's residual tolerance (default {@link LissaOptions#DEFAULT_TOLERANCE}): a solve whose true relative
         * residual ||A x - b|| / ||b|| ends above it is reported as not converged in the diagnostics.
         */
        public Builder lissaTolerance(double tolerance) {
            new LissaOptions(1, 1, 1.0, 1, 0, tolerance);
            this.lissaTolerance = tolerance;
            return this;
        }

        /** Arnoldi Krylov dimension and eigenpairs kept (defaults 100, 50). */
        public Builder arnoldi(int iterations, int topK) {
            new ArnoldiOptions(iterations, topK, 0);
            this.arnoldiIterations = iterations;
            this.arnoldiTopK = topK;
            return this;
        }

        /** Seed of LiSSA mini-batches and the Arnoldi start (default 0). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Stopping rule of the training of a linear model kind (default tolerance 1e-10). */
        public Builder training(TightTrainingOptions o) {
            this.training = Objects.requireNonNull(o, "training options");
            return this;
        }

        /** Memory knobs only (scores do not depend on them): test points per solve batch, training rows per block. */
        public Builder blocks(int testBatch, int trainRows) {
            new InfluenceOptions(curvature, damping, testBatch, trainRows);
            this.testBatchSize = testBatch;
            this.trainBlockRows = trainRows;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /**
         * Trains (for a model kind) and prepares the solver.
         *
         * @param train features with class labels (logistic: 0/1; softmax: 0..c-1) or real targets (linear)
         * @throws ArithmeticException when the solver cannot invert the damped curvature (message names a remedy)
         */
        public InfluenceAttributor prepare(Examples train) {
            DenseMatrix x = train.features();
            DifferentiableModel model;
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
                double g = org.exemplar.linalg.Vectors.norm2(model.gradient(x, targets, loss, l2));
                fitDiag = TrustDiagnostics.ofFit(g, true, "given model: stationarity is the absolute ||grad J||");
            }
            TrainingData data = new TrainingData(x, targets, loss, l2);
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("model", kind != null ? kind.externalName() : "given");
            st.put("loss", loss.name());
            st.put("l2", l2);
            st.put("objective", "(1/n) sum_i L + (l2/2) ||theta||^2, bias penalized");
            st.put("curvature", curvature.name());
            st.put("damping", damping);
            st.put("solver", solver.name());
            st.put("testFunction", testFunction.name());
            st.put("seed", seed);
            st.put("testBatchSize", testBatchSize);
            st.put("trainBlockRows", trainBlockRows);
            InverseHessianSolver ihs = switch (solver) {
                case EXACT -> new ExactSolver();
                case CG -> {
                    st.put("cgTolerance", cgTolerance);
                    st.put("cgMaxIterations", cgMaxIterations);
                    yield new ConjugateGradientSolver(cgTolerance, cgMaxIterations);
                }
                case LISSA -> {
                    double scale;
                    if (lissaScale != null) {
                        scale = lissaScale;
                    } else {
                        scale = org.exemplar.solver.SolverSpec.automaticLissaScale(
                                new ModelCurvature(model, data, curvature, damping), seed,
                                "raise the damping or use Gauss-Newton");
                    }
                    st.put("lissaDepth", lissaDepth);
                    st.put("lissaRepeats", lissaRepeats);
                    st.put("lissaScale", scale);
                    st.put("lissaBatchSize", lissaBatchSize);
                    st.put("lissaTolerance", lissaTolerance);
                    yield new Lissa(new LissaOptions(lissaDepth, lissaRepeats, scale, lissaBatchSize, seed,
                            lissaTolerance));
                }
                case ARNOLDI -> {
                    st.put("arnoldiIterations", arnoldiIterations);
                    st.put("arnoldiTopK", arnoldiTopK);
                    yield new Arnoldi(new ArnoldiOptions(arnoldiIterations, arnoldiTopK, seed));
                }
            };
            InfluenceOptions o = new InfluenceOptions(curvature, damping, testBatchSize, trainBlockRows);
            InfluenceFunctions inf = InfluenceFunctions.prepare(model, data, o, ihs);
            String sha = new Artifact.Digest().add(x).add(targets).add(model.parameters()).hex();
            return new InfluenceAttributor(name, st, sha, seed, fitDiag, inf, model.copy(), data, testFunction, st);
        }
    }
}
