package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.TrainingOptions;
import org.exemplar.tracin.Checkpoint;
import org.exemplar.tracin.CheckpointTraining;
import org.exemplar.tracin.NetworkTracIn;

/**
 * TracInCP for networks (Pruthi et al. 2020, eq. 3), wrapping {@link NetworkTracIn}: {@link Builder#prepare} trains
 * an {@link Mlp} by mini-batch SGD with checkpoints (or takes given checkpoints).
 *
 * <p>Raw quantity: TracIn(t, i) = sum_c eta_c grad f_t(theta_c) . grad L_i(theta_c); an SGD step on i changes f_t by
 * about -eta grad f_t . grad L_i / |B|. Mapping as for {@code influence}: measure = loss explains -loss, score = +raw
 * (a proponent's steps lowered the test loss); margin / logit explain f itself, score = -raw. Self-influence
 * sum_c eta_c ||grad L_i(theta_c)||^2, explained: the point's own -loss, score = raw.
 */
public final class NetworkTracInAttributor extends PreparedAttributor<Examples>
        implements InnerProductForm<Examples> {
    /** The method name ({@code tracin-cp} is the CF variant). */
    public static final String METHOD = "tracin-mlp";

    private final NetworkTracIn tracIn;
    private final DenseMatrix trainFeatures;
    private final DenseMatrix trainTargets;
    private final Loss loss;
    private final TestFunction testFunction;
    private final Map<String, Object> state;

    private NetworkTracInAttributor(String name, Map<String, Object> settings, String sha, Long seed,
                                    TrustDiagnostics d, NetworkTracIn tracIn, DenseMatrix x, DenseMatrix targets,
                                    Loss loss, TestFunction f) {
        super(METHOD, name, settings, sha, seed, d);
        this.tracIn = tracIn;
        this.trainFeatures = x;
        this.trainTargets = targets;
        this.loss = loss;
        this.testFunction = f;
        this.state = settings;
    }

    private NetworkTracInAttributor(Artifact.Reader r, NetworkTracIn tracIn, DenseMatrix x, DenseMatrix targets,
                                    Loss loss, TestFunction f, Map<String, Object> state) {
        super(r);
        this.tracIn = tracIn;
        this.trainFeatures = x;
        this.trainTargets = targets;
        this.loss = loss;
        this.testFunction = f;
        this.state = state;
    }

    public NetworkTracIn tracIn() {
        return tracIn;
    }

    /** The last checkpoint's network (the trained model; a copy). */
    public Mlp model() {
        List<Checkpoint> c = tracIn.checkpoints();
        return c.get(c.size() - 1).model();
    }

    public Loss loss() {
        return loss;
    }

    private boolean explainsLoss() {
        return testFunction.name().equals(TestFunction.LOSS.name());
    }

    @Override
    public Convention convention() {
        String raw = "TracIn(t,i) = sum_c eta_c grad f_t(theta_c) . grad L_i(theta_c) over " + tracIn.checkpoints().size()
                + " checkpoint(s)" + (tracIn.lastLayerOnly() ? ", last layer only" : "")
                + " (Pruthi et al. 2020, eq. 3), f = " + testFunction.name();
        return explainsLoss()
                ? new Convention(METHOD, "-L(t_t, Phi(x_t)), the negated test loss", raw, 1.0,
                "learning rate x squared-gradient units; the 1/|B| of the mini-batch mean is dropped")
                : new Convention(METHOD, testFunction.name() + " f_t", raw, -1.0,
                "learning rate x gradient units; the 1/|B| of the mini-batch mean is dropped");
    }

    @Override
    public int trainSize() {
        return tracIn.trainSize();
    }

    private DenseMatrix testTargets(Examples block) {
        int c = model().outputWidth();
        return testFunction.name().startsWith("logit") ? new DenseMatrix(block.size(), c)
                : block.lossTargets(loss, c);
    }

    @Override
    protected RawBlock rawScores(Examples block) {
        return new RawBlock(tracIn.scores(block.features(), testTargets(block), testFunction), TrustDiagnostics.none());
    }

    @Override
    public int keyWidth() {
        return tracIn.keyWidth();
    }

    /** k_i of {@link NetworkTracIn#trainingKeys}: the checkpoints' training gradients, concatenated. */
    @Override
    public DenseMatrix trainingKeys(int from, int to) {
        return tracIn.trainingKeys(from, to);
    }

    /**
     * rawFactor x [eta_c grad f_t(theta_c)]_c ({@link NetworkTracIn#queryVectors}), so that q_t . k_i is the score
     * (sign of the convention) of TracIn(t, i), Pruthi et al. 2020 eq. 3.
     */
    @Override
    public DenseMatrix queryVectors(Examples block) {
        DenseMatrix q = tracIn.queryVectors(block.features(), testTargets(block), testFunction);
        double s = convention().rawFactor();
        double[] d = q.data();
        for (int j = 0; j < d.length; j++) {
            d[j] *= s;
        }
        return q;
    }

    @Override
    public boolean hasSelfInfluence() {
        return true;
    }

    @Override
    public SelfInfluence selfInfluence() {
        Convention c = new Convention(METHOD, "-L(z_i), the training point's own negated loss",
                "sum_c eta_c ||grad L_i(theta_c)||^2 (Pruthi et al. 2020, Sec. 4)", 1.0,
                "learning rate x squared-gradient units");
        return new SelfInfluence(tracIn.selfInfluence(), c, diagnostics());
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        w.put("train_features", trainFeatures).put("train_targets", trainTargets);
        List<Checkpoint> cps = tracIn.checkpoints();
        double[] lr = new double[cps.size()];
        int[] epochs = new int[cps.size()];
        for (int c = 0; c < cps.size(); c++) {
            Mlp m = cps.get(c).model();
            for (int k = 0; k < m.layerCount(); k++) {
                w.put("checkpoint" + c + ".layer" + k + ".weight", m.weight(k));
                w.put("checkpoint" + c + ".layer" + k + ".bias", m.bias(k));
            }
            lr[c] = cps.get(c).learningRate();
            epochs[c] = cps.get(c).epoch();
        }
        Mlp m = model();
        w.put("learning_rates", lr).put("epochs", epochs).put("widths", m.widths());
        List<String> acts = new ArrayList<>();
        for (Activation a : m.activations()) {
            acts.add(a.externalName());
        }
        w.state("activations", acts);
        state.forEach(w::state);
    }

    static NetworkTracInAttributor load(Artifact.Reader r) {
        int[] widths = r.ints("widths");
        int layers = widths.length - 1;
        Activation[] acts = new Activation[layers - 1];
        for (int k = 0; k < acts.length; k++) {
            acts[k] = Activation.fromName(r.state().path("activations").get(k).asText());
        }
        double[] lr = r.doubles("learning_rates");
        int[] epochs = r.ints("epochs");
        List<Checkpoint> cps = new ArrayList<>();
        for (int c = 0; c < lr.length; c++) {
            DenseMatrix[] weights = new DenseMatrix[layers];
            double[][] biases = new double[layers][];
            for (int k = 0; k < layers; k++) {
                weights[k] = r.matrix("checkpoint" + c + ".layer" + k + ".weight");
                biases[k] = r.doubles("checkpoint" + c + ".layer" + k + ".bias");
            }
            cps.add(new Checkpoint(Mlp.of(widths, acts, weights, biases), lr[c], epochs[c]));
        }
        Loss loss = Loss.named(r.string("loss"));
        DenseMatrix x = r.matrix("train_features");
        DenseMatrix t = r.matrix("train_targets");
        boolean last = Boolean.parseBoolean(r.string("lastLayerOnly"));
        Map<String, Object> state = new LinkedHashMap<>();
        r.state().fields().forEachRemaining(e -> {
            if (!e.getKey().equals("activations")) {
                state.put(e.getKey(), e.getValue().isNumber() ? (Object) e.getValue().numberValue()
                        : e.getValue().isBoolean() ? (Object) e.getValue().booleanValue() : e.getValue().asText());
            }
        });
        return new NetworkTracInAttributor(r, new NetworkTracIn(cps, x, t, loss, last), x, t, loss,
                TestFunction.parse(r.string("testFunction")), state);
    }

    /** Options of TracInCP for a network. */
    public static final class Builder {
        private final int[] hidden;
        private final Activation activation;
        private final Loss loss;
        private final List<Checkpoint> given;
        private TrainingOptions training = TrainingOptions.sgd(0.1, 0.0).withEpochs(10).withBatchSize(32);
        private int every = 1;
        private long initSeed;
        private boolean lastLayerOnly;
        private TestFunction testFunction = TestFunction.LOSS;
        private String name;

        Builder(int[] hidden, Activation activation, Loss loss) {
            this.hidden = hidden.clone();
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + java.util.Arrays.toString(
                            hidden));
                }
            }
            this.activation = Objects.requireNonNull(activation, "activation");
            this.loss = Objects.requireNonNull(loss, "loss");
            this.given = null;
        }

        Builder(List<Checkpoint> checkpoints, Loss loss) {
            if (checkpoints.isEmpty()) {
                throw new IllegalArgumentException("TracInCP needs at least one checkpoint");
            }
            this.hidden = null;
            this.activation = null;
            this.loss = Objects.requireNonNull(loss, "loss");
            this.given = List.copyOf(checkpoints);
        }

        /** Training options (default SGD, learning rate 0.1, batch 32, 10 epochs); their seed orders the batches. */
        public Builder training(TrainingOptions o) {
            this.training = Objects.requireNonNull(o, "training options");
            return this;
        }

        /** Save a checkpoint after every this many epochs (default 1; the last epoch is always saved). */
        public Builder checkpointEvery(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("checkpoint interval must be >= 1 epoch, got " + epochs);
            }
            this.every = epochs;
            return this;
        }

        /** Seed of the initial weights (default 0). */
        public Builder initSeed(long s) {
            this.initSeed = s;
            return this;
        }

        /** Restrict the gradients to the last layer's weight and bias (default: every parameter). */
        public Builder lastLayerOnly(boolean b) {
            this.lastLayerOnly = b;
            return this;
        }

        /** What is measured at a test point: loss (default), margin or a logit. */
        public Builder measure(TestFunction f) {
            this.testFunction = Objects.requireNonNull(f, "test function");
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /**
         * Trains with checkpoints (or binds the given checkpoints) to the training data.
         *
         * @param train features with class labels or real targets
         */
        public NetworkTracInAttributor prepare(Examples train) {
            DenseMatrix x = train.features();
            List<Checkpoint> cps;
            DenseMatrix targets;
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("loss", loss.name());
            if (given != null) {
                targets = train.lossTargets(loss, given.get(0).model().outputWidth());
                cps = given;
                st.put("model", "given checkpoints");
            } else {
                int c = loss.outputsForClasses(train.labels() != null ? train.classes()
                        : train.targets() == null ? 1 : train.targets().cols());
                targets = train.lossTargets(loss, c);
                Mlp init = Mlp.initialize(x.cols(), hidden, activation, c, initSeed);
                cps = CheckpointTraining.train(init, x, targets, loss, training, every).checkpoints();
                st.put("model", "mlp");
                st.put("hidden", java.util.Arrays.toString(hidden));
                st.put("activation", activation.externalName());
                st.put("optimizer", training.optimizer().name());
                st.put("learningRate", training.learningRate());
                st.put("momentum", training.momentum());
                st.put("batchSize", training.batchSize());
                st.put("epochs", training.epochs());
                st.put("trainingL2", training.l2());
                st.put("trainingSeed", training.seed());
                st.put("initSeed", initSeed);
                st.put("checkpointEvery", every);
            }
            st.put("lastLayerOnly", String.valueOf(lastLayerOnly));
            st.put("testFunction", testFunction.name());
            Artifact.Digest d = new Artifact.Digest().add(x).add(targets);
            for (Checkpoint c : cps) {
                d.add(c.model().parameters()).add(new double[] {c.learningRate()});
            }
            List<String> notes = new ArrayList<>();
            if (given == null && training.optimizer() != TrainingOptions.Optimizer.SGD) {
                notes.add("trained with " + training.optimizer() + ": TracInCP's learning-rate weights assume SGD");
            }
            TrustDiagnostics diag = new TrustDiagnostics(Double.NaN, Double.NaN, Double.NaN, 0, true, notes);
            return new NetworkTracInAttributor(name, st, d.hex(), given == null ? training.seed() : null, diag,
                    new NetworkTracIn(cps, x, targets, loss, lastLayerOnly), x, targets, loss, testFunction);
        }
    }
}
