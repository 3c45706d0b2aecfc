package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.Fia;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfResult;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.NormalizedEmbeddings;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.SoftImpute;
import org.exemplar.cf.TracInCp;
import org.exemplar.linalg.DenseMatrix;

/**
 * Training-rating attribution for collaborative filtering (Tsai et al. 2023, Sec. 5), one class for the four
 * methods of {@link org.exemplar.cf}: the representer of the nuclear-norm model ({@code cf-nuclear}, Corollary 4),
 * the representer of MF or imported two-tower embeddings ({@code cf-mf}, eq. 16-18), fast influence analysis
 * ({@code fia}, Cheng et al. 2019) and TracInCP over SGD checkpoints ({@code tracin-cp}, eq. 20-21).
 *
 * <p>Explained output: the predicted score &lt;U_i', V_j'&gt; of the test pair (i', j'). Raw quantity: the
 * method's importance, positive = the rating pushes the prediction up; score = raw (rawFactor 1). Ratings sharing
 * neither the user nor the item score 0. Decomposition residual (nuclear norm only): the user-based sum against
 * the prediction, exact at the minimizer of eq. (12). No self-influence.
 */
public final class CfAttributor extends PreparedAttributor<RatingPairs> {
    /** The four methods. */
    public enum Kind {
        NUCLEAR_NORM("cf-nuclear"), MF("cf-mf"), FIA("fia"), TRACIN_CP("tracin-cp");

        private final String method;

        Kind(String method) {
            this.method = method;
        }

        public String method() {
            return method;
        }
    }

    private final Kind kind;
    private final Ratings train;
    private final Map<String, Object> state;
    private final CfRepresenter representer;
    private final Fia fia;
    private final TracInCp tracIn;
    private final Map<String, Object> arrays;

    private CfAttributor(String name, Map<String, Object> s, String sha, Long seed, TrustDiagnostics d, Kind kind,
                         Ratings train, Map<String, Object> state, Map<String, Object> arrays) {
        super(kind.method(), name, s, sha, seed, d);
        this.kind = kind;
        this.train = train;
        this.state = state;
        this.arrays = arrays;
        this.representer = buildRepresenter(kind, train, state, arrays);
        this.fia = buildFia(kind, train, state, arrays);
        this.tracIn = buildTracIn(kind, train, state, arrays);
    }

    private CfAttributor(Artifact.Reader r, Kind kind, Ratings train, Map<String, Object> state,
                         Map<String, Object> arrays) {
        super(r);
        this.kind = kind;
        this.train = train;
        this.state = state;
        this.arrays = arrays;
        this.representer = buildRepresenter(kind, train, state, arrays);
        this.fia = buildFia(kind, train, state, arrays);
        this.tracIn = buildTracIn(kind, train, state, arrays);
    }

    private static CfRepresenter buildRepresenter(Kind kind, Ratings train, Map<String, Object> st,
                                                  Map<String, Object> a) {
        if (kind != Kind.NUCLEAR_NORM && kind != Kind.MF) {
            return null;
        }
        NormalizedEmbeddings e = new NormalizedEmbeddings((DenseMatrix) a.get("emb_users"),
                (DenseMatrix) a.get("emb_items"), (double[]) a.get("emb_singular_values"));
        return new CfRepresenter(train, e, CfLoss.named((String) st.get("loss")), (double[]) a.get("weights"),
                ((Number) st.get("constant")).doubleValue());
    }

    private static Fia buildFia(Kind kind, Ratings train, Map<String, Object> st, Map<String, Object> a) {
        if (kind != Kind.FIA) {
            return null;
        }
        return new Fia(train, new Factorization((DenseMatrix) a.get("users"), (DenseMatrix) a.get("items")),
                CfLoss.named((String) st.get("loss")), (double[]) a.get("weights"),
                ((Number) st.get("reg")).doubleValue(), ((Number) st.get("damping")).doubleValue());
    }

    private static TracInCp buildTracIn(Kind kind, Ratings train, Map<String, Object> st, Map<String, Object> a) {
        if (kind != Kind.TRACIN_CP) {
            return null;
        }
        int m = ((Number) st.get("checkpoints")).intValue();
        double[] lr = (double[]) a.get("checkpoint_learning_rates");
        List<MfResult.Checkpoint> cps = new ArrayList<>();
        for (int c = 0; c < m; c++) {
            cps.add(new MfResult.Checkpoint(c + 1, lr[c], new Factorization((DenseMatrix) a.get("checkpoint" + c
                    + "_users"), (DenseMatrix) a.get("checkpoint" + c + "_items"))));
        }
        return new TracInCp(train, cps, CfLoss.named((String) st.get("loss")), (double[]) a.get("weights"));
    }

    public Kind kind() {
        return kind;
    }

    /** The wrapped representer (cf-nuclear, cf-mf), else null. */
    public CfRepresenter representer() {
        return representer;
    }

    /** Number of users and items of the rating matrix (the ids a test pair may use). */
    public int numUsers() {
        return train.numUsers();
    }

    public int numItems() {
        return train.numItems();
    }

    /**
     * The explained output of the test pair (user, item), the predicted score &lt;U_user, V_item&gt;: through the
     * normalized embeddings for cf-nuclear and cf-mf (Algorithm 1 keeps the products), through the trained factors
     * for fia, through the last SGD checkpoint for tracin-cp (the parameters after the final epoch, i.e. the trained
     * model; {@link org.exemplar.cf.MfTrainer} checkpoints every epoch).
     *
     * @throws IllegalArgumentException for a user or item outside the rating matrix
     */
    public double prediction(int user, int item) {
        RatingPairs.of(new int[] {user}, new int[] {item}).check(train.numUsers(), train.numItems());
        return fia != null ? fia.factors().predict(user, item)
                : tracIn != null ? tracIn.finalFactors().predict(user, item)
                : representer.embeddings().predict(user, item);
    }

    @Override
    public Convention convention() {
        return convention(kind);
    }

    /** The convention of a CF method's importance of a training rating for a test pair's predicted score: +raw. */
    public static Convention convention(Kind kind) {
        String raw = switch (kind) {
            case NUCLEAR_NORM -> "Definition 1 importance with c = 1/(lambda |D|) (Tsai et al. 2023, eq. 15, Cor. 4)";
            case MF -> "Definition 1 importance with c = 1 (Tsai et al. 2023, eq. 15-18)";
            case FIA -> "I_FIA = -g_f^T (H + damping I)^{-1} grad (w_z l_z) (Cheng et al. 2019)";
            case TRACIN_CP -> "-sum_t eta_t grad (w_z l_z)(theta_t)^T grad f(theta_t) (Pruthi et al. 2020; eq. 20)";
        };
        return new Convention(kind.method(), "<U_i', V_j'>, the predicted score of the test pair", raw, 1.0,
                "rating-score units");
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    protected RawBlock rawScores(RatingPairs block) {
        block.check(train.numUsers(), train.numItems());
        int n = train.size();
        DenseMatrix out = new DenseMatrix(block.size(), n);
        double worst = Double.NaN;
        for (int t = 0; t < block.size(); t++) {
            int u = block.users()[t];
            int i = block.items()[t];
            double[] s = switch (kind) {
                case NUCLEAR_NORM, MF -> representer.scores(u, i);
                case FIA -> fia.scores(u, i);
                case TRACIN_CP -> tracIn.scores(u, i);
            };
            System.arraycopy(s, 0, out.data(), t * n, n);
            if (kind == Kind.NUCLEAR_NORM) {
                double pred = representer.embeddings().predict(u, i);
                double r = Math.abs(representer.userBasedSum(u, i) - pred) / Math.max(1.0, Math.abs(pred));
                worst = Double.isNaN(worst) ? r : Math.max(worst, r);
            }
        }
        return new RawBlock(out, new TrustDiagnostics(Double.NaN, worst, Double.NaN, 0, true, List.of()));
    }

    @Override
    protected void writeState(Artifact.Writer w) {
        w.put("train_users", train.users()).put("train_items", train.items()).put("train_values", train.values())
                .state("numUsers", train.numUsers()).state("numItems", train.numItems()).state("kind", kind.name());
        state.forEach(w::state);
        arrays.forEach((k, v) -> {
            if (v instanceof DenseMatrix m) {
                w.put(k, m);
            } else if (v instanceof double[] d) {
                w.put(k, d);
            }
        });
    }

    static CfAttributor load(Artifact.Reader r) {
        Ratings train = new Ratings((int) r.number("numUsers"), (int) r.number("numItems"), r.ints("train_users"),
                r.ints("train_items"), r.doubles("train_values"));
        Kind kind = Kind.valueOf(r.string("kind"));
        Map<String, Object> st = new LinkedHashMap<>();
        r.state().fields().forEachRemaining(e -> st.put(e.getKey(),
                e.getValue().isNumber() ? (Object) e.getValue().numberValue() : e.getValue().asText()));
        Map<String, Object> a = new LinkedHashMap<>();
        for (String name : new String[] {"emb_users", "emb_items", "users", "items"}) {
            if (r.has(name)) {
                a.put(name, r.matrix(name));
            }
        }
        for (String name : new String[] {"emb_singular_values", "weights", "checkpoint_learning_rates"}) {
            if (r.has(name)) {
                a.put(name, r.doubles(name));
            }
        }
        if (kind == Kind.TRACIN_CP) {
            int m = ((Number) st.get("checkpoints")).intValue();
            for (int c = 0; c < m; c++) {
                a.put("checkpoint" + c + "_users", r.matrix("checkpoint" + c + "_users"));
                a.put("checkpoint" + c + "_items", r.matrix("checkpoint" + c + "_items"));
            }
        }
        return new CfAttributor(r, kind, train, st, a);
    }

    private static String sha(Ratings r) {
        return new Artifact.Digest().addInts(new int[] {r.numUsers(), r.numItems()}).addInts(r.users())
                .addInts(r.items()).add(r.values()).hex();
    }

    /** The nuclear-norm model, fitted by Soft-Impute. */
    public static final class NuclearNormBuilder {
        private SoftImpute.Options options = new SoftImpute.Options(0.1, 10, 100, 1e-6);
        private String name;

        NuclearNormBuilder() {
        }

        /** lambda of eq. (12), rank cap, iteration cap, relative-change tolerance (defaults 0.1, 10, 100, 1e-6). */
        public NuclearNormBuilder options(double lambda, int maxRank, int maxIterations, double tolerance) {
            this.options = new SoftImpute.Options(lambda, maxRank, maxIterations, tolerance);
            return this;
        }

        public NuclearNormBuilder name(String n) {
            this.name = n;
            return this;
        }

        public CfAttributor prepare(Ratings train) {
            SoftImpute.Result fit = SoftImpute.fit(train, options);
            NormalizedEmbeddings e = fit.embeddings();
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("loss", "squared");
            st.put("constant", 1.0 / (options.lambda() * train.size()));
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("emb_users", e.users());
            a.put("emb_items", e.items());
            a.put("emb_singular_values", e.singularValues());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("lambda", options.lambda());
            s.put("maxRank", options.maxRank());
            s.put("maxIterations", options.maxIterations());
            s.put("tolerance", options.tolerance());
            List<String> notes = new ArrayList<>();
            if (fit.rankCapBinding()) {
                notes.add("rank cap binds: not the minimizer of eq. (12), Corollary 4 does not hold");
            }
            if (fit.spectralSlack() > 1 + 1e-6) {
                notes.add("spectral slack " + fit.spectralSlack() + " > 1: KKT condition violated");
            }
            boolean ok = fit.converged() && !fit.rankCapBinding();
            TrustDiagnostics d = new TrustDiagnostics(fit.kktResidual(), Double.NaN, Double.NaN, fit.iterations(),
                    ok, notes);
            return new CfAttributor(name, s, sha(train), null, d, Kind.NUCLEAR_NORM, train, st, a);
        }
    }

    /**
     * Matrix factorization (eq. 16) trained by ALS or SGD, or imported two-tower embeddings, explained by the
     * representer ({@code cf-mf}), FIA or TracInCP.
     */
    public static final class FactorizationBuilder {
        private final Kind kind;
        private final MfOptions options;
        private final Factorization given;
        private final CfLoss givenLoss;
        private MfTrainer.Algorithm algorithm;
        private double damping = 1e-3;
        private String name;

        FactorizationBuilder(Kind kind, MfOptions options) {
            this.kind = kind;
            this.options = Objects.requireNonNull(options, "options");
            this.given = null;
            this.givenLoss = null;
            this.algorithm = kind == Kind.TRACIN_CP || options.loss() != CfLoss.SQUARED ? MfTrainer.Algorithm.SGD
                    : MfTrainer.Algorithm.ALS;
        }

        FactorizationBuilder(Factorization twoTower, CfLoss loss) {
            this.kind = Kind.MF;
            this.options = null;
            this.given = Objects.requireNonNull(twoTower, "embeddings");
            this.givenLoss = Objects.requireNonNull(loss, "loss");
        }

        /** ALS (squared loss) or SGD; TracInCP needs SGD. */
        public FactorizationBuilder algorithm(MfTrainer.Algorithm a) {
            if (given != null) {
                throw new IllegalStateException("imported embeddings are not trained");
            }
            if (kind == Kind.TRACIN_CP && a != MfTrainer.Algorithm.SGD) {
                throw new IllegalArgumentException("TracInCP needs SGD checkpoints");
            }
            this.algorithm = Objects.requireNonNull(a, "algorithm");
            return this;
        }

        /** Damping added to FIA's restricted Hessian (default 1e-3). */
        public FactorizationBuilder damping(double d) {
            if (!(d >= 0) || !Double.isFinite(d)) {
                throw new IllegalArgumentException("damping must be finite and >= 0, got " + d);
            }
            this.damping = d;
            return this;
        }

        public FactorizationBuilder name(String n) {
            this.name = n;
            return this;
        }

        public CfAttributor prepare(Ratings train) {
            return prepare(train, null);
        }

        /**
         * Prepares on a model trained elsewhere with this builder's options and algorithm (a command's own fit, so
         * that the saved artifact is the model the command explained); {@code fit} null trains here. TracInCP needs
         * the fit's SGD checkpoints.
         *
         * @throws IllegalArgumentException when the fit's options or algorithm differ from the builder's, or
         *                                  TracInCP's fit has no checkpoints
         */
        public CfAttributor prepare(Ratings train, MfResult fit) {
            if (fit != null) {
                if (given != null) {
                    throw new IllegalStateException("imported embeddings take no fit");
                }
                if (!fit.options().equals(options) || fit.algorithm() != algorithm) {
                    throw new IllegalArgumentException("the fit was trained with " + fit.algorithm() + " " + fit.options()
                            + ", the builder has " + algorithm + " " + options);
                }
                if (kind == Kind.TRACIN_CP && fit.checkpoints().isEmpty()) {
                    throw new IllegalArgumentException("TracInCP needs the fit's SGD checkpoints (train with checkpoints)");
                }
                if (fit.factors().users().rows() != train.numUsers() || fit.factors().items().rows() != train.numItems()) {
                    throw new IllegalArgumentException("the fit has " + fit.factors().users().rows() + " users x "
                            + fit.factors().items().rows() + " items, the ratings " + train.numUsers() + " x "
                            + train.numItems());
                }
            }
            Map<String, Object> s = new LinkedHashMap<>();
            Map<String, Object> st = new LinkedHashMap<>();
            Map<String, Object> a = new LinkedHashMap<>();
            Factorization f;
            double[] weights = null;
            CfLoss loss;
            Long seed = null;
            List<MfResult.Checkpoint> checkpoints = List.of();
            if (given != null) {
                f = given;
                loss = givenLoss;
                s.put("embeddings", "imported two-tower, sha256:" + new Artifact.Digest().add(f.users())
                        .add(f.items()).hex());
            } else {
                loss = options.loss();
                MfResult r = fit != null ? fit : MfTrainer.train(train, options, algorithm, null, kind == Kind.TRACIN_CP);
                f = r.factors();
                weights = CfRepresenter.weights(train, options);
                checkpoints = r.checkpoints();
                seed = options.seed();
                s.put("options", options.toString());
                s.put("algorithm", algorithm.name());
                s.put("objective", r.objective());
            }
            st.put("loss", loss == CfLoss.SQUARED ? "squared" : "logistic");
            if (weights != null) {
                a.put("weights", weights);
            }
            switch (kind) {
                case MF -> {
                    NormalizedEmbeddings e = NormalizedEmbeddings.of(f);
                    a.put("emb_users", e.users());
                    a.put("emb_items", e.items());
                    a.put("emb_singular_values", e.singularValues());
                    st.put("constant", 1.0);
                }
                case FIA -> {
                    double reg = options == null ? 0 : options.reg();
                    a.put("users", f.users());
                    a.put("items", f.items());
                    st.put("reg", reg);
                    st.put("damping", damping);
                    s.put("damping", damping);
                }
                case TRACIN_CP -> {
                    double[] lr = new double[checkpoints.size()];
                    for (int c = 0; c < lr.length; c++) {
                        lr[c] = checkpoints.get(c).learningRate();
                        a.put("checkpoint" + c + "_users", checkpoints.get(c).factors().users());
                        a.put("checkpoint" + c + "_items", checkpoints.get(c).factors().items());
                    }
                    a.put("checkpoint_learning_rates", lr);
                    st.put("checkpoints", lr.length);
                }
                default -> throw new IllegalStateException(kind.toString());
            }
            s.putAll(st);
            return new CfAttributor(name, s, sha(train), seed, TrustDiagnostics.none(), kind, train, st, a);
        }
    }
}
