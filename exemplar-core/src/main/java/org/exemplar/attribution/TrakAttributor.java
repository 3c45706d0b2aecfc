package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelRecipe;
import org.exemplar.trak.MarginOutput;
import org.exemplar.trak.RandomProjection;
import org.exemplar.trak.TrakModel;

/**
 * TRAK (Park et al. 2023, Alg. 1 / eq. 16): for an ensemble of M independently trained models, each with its own
 * seeded random projection P_m of the per-example gradients of the output function f (the correct-class log-odds,
 * {@link MarginOutput}),
 *
 * <pre>  tau(z)_i = [ (1/M) sum_m phi_m(z)^T (Phi_m^T Phi_m + damping I)^{-1} Phi_m^T ]_i * (1/M) sum_m (1 - p_{i,m})</pre>
 *
 * with Phi_m = G_m P_m the projected training gradients and p_{i,m} the correct-class probability of training point
 * i. (The paper has damping 0 and an optional soft-thresholding step, not applied here.)
 *
 * <p>Raw quantity = score: the estimated effect of including training point i on f(z) (positive = supports). The
 * explained output is f of the test label, or of the predicted class for unlabeled test points.
 */
public final class TrakAttributor extends PreparedAttributor<Examples> implements InnerProductForm<Examples> {
    /** The method name. */
    public static final String METHOD = "trak";
    /** Default gradient entries held at once while projecting (16M doubles = 128 MB). */
    public static final long DEFAULT_GRADIENT_BUDGET = 1L << 24;

    private final List<TrakModel> models;
    private final double[] weights;
    private final int trainSize;
    private final DenseMatrix trainFeatures; // null in artifacts saved before they were stored
    private final int[] trainLabels;

    private TrakAttributor(String name, Map<String, Object> settings, String sha, Long seed, TrustDiagnostics d,
                           List<TrakModel> models, DenseMatrix x, int[] labels) {
        super(METHOD, name, settings, sha, seed, d);
        this.models = List.copyOf(models);
        this.trainSize = models.get(0).oneMinusP().length;
        this.weights = averageQ(models);
        this.trainFeatures = x;
        this.trainLabels = labels;
    }

    private TrakAttributor(Artifact.Reader r, List<TrakModel> models, DenseMatrix x, int[] labels) {
        super(r);
        this.models = List.copyOf(models);
        this.trainSize = models.get(0).oneMinusP().length;
        this.weights = averageQ(models);
        this.trainFeatures = x;
        this.trainLabels = labels;
    }

    private static double[] averageQ(List<TrakModel> models) {
        double[] q = new double[models.get(0).oneMinusP().length];
        for (TrakModel m : models) {
            for (int i = 0; i < q.length; i++) {
                q[i] += m.oneMinusP()[i] / models.size();
            }
        }
        return q;
    }

    /** The ensemble. */
    public List<TrakModel> models() {
        return models;
    }

    /** Q's diagonal averaged over the models, (1/M) sum_m (1 - p_{i,m}). */
    public double[] averagedOneMinusP() {
        return weights.clone();
    }

    /**
     * The training features and labels the ensemble was prepared on, or null for an artifact saved before they were
     * stored with it.
     */
    public Examples trainingData() {
        return trainFeatures == null ? null : Examples.labeled(trainFeatures, trainLabels);
    }

    /** M k: the concatenation of the models' projected dimensions. */
    @Override
    public int keyWidth() {
        return models.stream().mapToInt(m -> m.projection().dimension()).sum();
    }

    /**
     * k_i = (q_i / M) [A_1[i,:], ..., A_M[i,:]] with A_m = Phi_m (Phi_m^T Phi_m + damping I)^{-1} (the kernel
     * inverse) and q_i = (1/M) sum_m (1 - p_{i,m}): both factors of Alg. 1 that depend on i sit in the key, so that
     * tau(z)_i = (query vector of z) . k_i.
     */
    @Override
    public DenseMatrix trainingKeys(int from, int to) {
        if (from < 0 || to > trainSize || from > to) {
            throw new IndexOutOfBoundsException("training rows [" + from + ", " + to + ") of " + trainSize);
        }
        int w = keyWidth();
        DenseMatrix out = new DenseMatrix(to - from, w);
        double[] o = out.data();
        double inv = 1.0 / models.size();
        int off = 0;
        for (TrakModel m : models) {
            int k = m.projection().dimension();
            double[] a = m.weighted().data();
            for (int i = from; i < to; i++) {
                double s = inv * weights[i];
                int src = i * k;
                int dst = (i - from) * w + off;
                for (int j = 0; j < k; j++) {
                    o[dst + j] = s * a[src + j];
                }
            }
            off += k;
        }
        return out;
    }

    /**
     * [phi_1(z), ..., phi_M(z)]: each model's projected gradient of the test point's correct-class log-odds (the
     * test label, or the model's predicted class for unlabeled points), concatenated.
     */
    @Override
    public DenseMatrix queryVectors(Examples block) {
        int w = keyWidth();
        DenseMatrix out = new DenseMatrix(block.size(), w);
        int off = 0;
        for (TrakModel m : models) {
            DenseMatrix phi = TrakModel.projectedGradients(m.model(), block.features(), block.labels(), m.projection(),
                    DEFAULT_GRADIENT_BUDGET);
            int k = phi.cols();
            for (int t = 0; t < block.size(); t++) {
                System.arraycopy(phi.data(), t * k, out.data(), t * w + off, k);
            }
            off += k;
        }
        return out;
    }

    /** Bytes of the stored projected training features per training point: M k doubles. */
    public long bytesPerTrainingPoint() {
        return 8L * models.stream().mapToLong(m -> m.projection().dimension()).sum();
    }

    @Override
    public Convention convention() {
        return new Convention(METHOD, "f(z) = log(p_y / (1 - p_y)), the correct-class log-odds of the test label "
                + "(predicted class if unlabeled)",
                "TRAK tau(z)_i (Park et al. 2023, Alg. 1): mean over models of phi(z)^T (Phi^T Phi + damping I)^-1 "
                        + "Phi^T, times the mean of 1 - p_i", 1.0, "output units (log-odds) per included point");
    }

    @Override
    public int trainSize() {
        return trainSize;
    }

    @Override
    protected RawBlock rawScores(Examples block) {
        DenseMatrix acc = new DenseMatrix(block.size(), trainSize);
        for (TrakModel m : models) {
            m.accumulateScores(block.features(), block.labels(), DEFAULT_GRADIENT_BUDGET, acc);
        }
        double[] a = acc.data();
        double inv = 1.0 / models.size();
        for (int t = 0; t < block.size(); t++) {
            int off = t * trainSize;
            for (int i = 0; i < trainSize; i++) {
                a[off + i] *= inv * weights[i];
            }
        }
        return new RawBlock(acc, TrustDiagnostics.none());
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        w.state("models", models.size());
        for (int m = 0; m < models.size(); m++) {
            TrakModel tm = models.get(m);
            if (!(tm.model() instanceof Mlp mlp)) {
                throw new UnsupportedOperationException("only Mlp (and linear) models can be saved");
            }
            String p = "m" + m + ".";
            for (int k = 0; k < mlp.layerCount(); k++) {
                w.put(p + "layer" + k + ".weight", mlp.weight(k)).put(p + "layer" + k + ".bias", mlp.bias(k));
            }
            w.put(p + "widths", mlp.widths());
            List<String> acts = new ArrayList<>();
            for (Activation a : mlp.activations()) {
                acts.add(a.externalName());
            }
            w.state(p + "activations", String.join(",", acts));
            w.state(p + "projectionSeed", Long.toString(tm.projection().seed()));
            w.put(p + "weighted", tm.weighted()).put(p + "oneMinusP", tm.oneMinusP());
        }
        w.state("projection", models.get(0).projection().kind().name());
        w.state("dimension", models.get(0).projection().dimension());
        if (trainFeatures != null) {
            w.put("train_features", trainFeatures).put("train_labels", trainLabels);
        }
    }

    static TrakAttributor load(Artifact.Reader r) {
        int count = (int) r.number("models");
        RandomProjection.Kind kind = RandomProjection.Kind.valueOf(r.string("projection"));
        int k = (int) r.number("dimension");
        List<TrakModel> models = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            String p = "m" + m + ".";
            int[] widths = r.ints(p + "widths");
            int layers = widths.length - 1;
            DenseMatrix[] ws = new DenseMatrix[layers];
            double[][] bs = new double[layers][];
            for (int l = 0; l < layers; l++) {
                ws[l] = r.matrix(p + "layer" + l + ".weight");
                bs[l] = r.doubles(p + "layer" + l + ".bias");
            }
            String actText = r.state().path(p + "activations").asText();
            Activation[] acts = new Activation[layers - 1];
            String[] parts = actText.isEmpty() ? new String[0] : actText.split(",");
            for (int l = 0; l < acts.length; l++) {
                acts[l] = Activation.fromName(parts[l]);
            }
            Mlp mlp = Mlp.of(widths, acts, ws, bs);
            RandomProjection proj = new RandomProjection(kind, mlp.parameterCount(), k,
                    Long.parseLong(r.string(p + "projectionSeed")));
            models.add(new TrakModel(mlp, proj, r.matrix(p + "weighted"), r.doubles(p + "oneMinusP")));
        }
        boolean data = r.has("train_features");
        return new TrakAttributor(r, models, data ? r.matrix("train_features") : null,
                data ? r.ints("train_labels") : null);
    }

    /** Options of TRAK; {@link #prepare} trains the ensemble (or takes the given models) and projects. */
    public static final class Builder {
        private ModelRecipe recipe;
        private List<Mlp> given;
        private int ensemble = 1;
        private int dimension = 512;
        private RandomProjection.Kind projection = RandomProjection.Kind.RADEMACHER;
        private double damping = 1e-3;
        private long seed;
        private long gradientBudget = DEFAULT_GRADIENT_BUDGET;
        private String name;

        Builder() {
        }

        /** Train {@code count} models with this recipe, model m with seed + m (default 1 model). */
        public Builder train(ModelRecipe r, int count) {
            if (count < 1) {
                throw new IllegalArgumentException("TRAK needs at least one model, got " + count);
            }
            this.recipe = Objects.requireNonNull(r, "model recipe");
            this.ensemble = count;
            this.given = null;
            return this;
        }

        /** Use these trained models (checkpoints or independently trained), each with its own projection. */
        public Builder models(List<Mlp> models) {
            if (models.isEmpty()) {
                throw new IllegalArgumentException("TRAK needs at least one model");
            }
            this.given = new ArrayList<>();
            for (Mlp m : models) {
                given.add(m.copy());
            }
            this.recipe = null;
            this.ensemble = models.size();
            return this;
        }

        /** k, the projection dimension (default 512). */
        public Builder dimension(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("projection dimension must be >= 1, got " + k);
            }
            this.dimension = k;
            return this;
        }

        /** Entry distribution of the projection (default Rademacher). */
        public Builder projection(RandomProjection.Kind kind) {
            this.projection = Objects.requireNonNull(kind, "projection kind");
            return this;
        }

        /** lambda added to Phi^T Phi (default 1e-3). */
        public Builder damping(double lambda) {
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("damping must be finite and >= 0, got " + lambda);
            }
            this.damping = lambda;
            return this;
        }

        /** Seed of the models' training (model m: seed + m) and of the projections (model m: seed + 1000003 m). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Memory knob only: gradient entries held at once while projecting. */
        public Builder gradientBudget(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("gradient budget must be >= 1, got " + entries);
            }
            this.gradientBudget = entries;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /**
         * Trains (or takes) the models and prepares each one's projected kernel.
         *
         * @param train features with class labels
         */
        public TrakAttributor prepare(Examples train) {
            if (train.labels() == null) {
                throw new IllegalArgumentException("TRAK needs class labels on the training set");
            }
            if (recipe == null && given == null) {
                throw new IllegalStateException("give a model recipe (train) or trained models (models)");
            }
            int classes = train.classes();
            List<Mlp> nets = new ArrayList<>();
            if (given != null) {
                nets.addAll(given);
            } else {
                for (int m = 0; m < ensemble; m++) {
                    // a linear fit goes to the unique optimum whatever the seed: train once, the members then differ
                    // only in their projections
                    nets.add(recipe.isLinear() && m > 0 ? nets.get(0).copy()
                            : recipe.train(train.features(), train.labels(), classes, seed + m));
                }
            }
            List<TrakModel> prepared = new ArrayList<>();
            Artifact.Digest digest = new Artifact.Digest().add(train.features()).addInts(train.labels());
            for (int m = 0; m < nets.size(); m++) {
                Mlp net = nets.get(m);
                RandomProjection p = new RandomProjection(projection, net.parameterCount(), dimension,
                        seed + 1000003L * m);
                prepared.add(TrakModel.prepare(net, train.features(), train.labels(), p, damping, gradientBudget));
                digest.add(net.parameters());
            }
            Map<String, Object> st = new LinkedHashMap<>();
            if (recipe != null) {
                st.putAll(recipe.settings());
            } else {
                st.put("model", "given");
            }
            st.put("ensemble", nets.size());
            st.put("projection", projection.name());
            st.put("dimension", dimension);
            st.put("damping", damping);
            st.put("seed", seed);
            st.put("output", "correct-class log-odds");
            return new TrakAttributor(name, st, digest.hex(), seed, TrustDiagnostics.none(), prepared,
                    train.features(), train.labels());
        }
    }
}
