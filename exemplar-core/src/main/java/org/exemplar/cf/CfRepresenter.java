package org.exemplar.cf;


/**
 * The high-dimensional representer for collaborative filtering, Definition 1 (eq. 15) of Tsai et al. (2023):
 * the importance of a training rating (i, j) to a test pair (i', j') is
 * <pre>
 *   c * -w_ij l'(y_ij, &lt;U~_i, V~_j&gt;) &lt;U~_i, U~_i'&gt;   if j = j'   (user-based, eq. 13)
 *   c * -w_ij l'(y_ij, &lt;U~_i, V~_j&gt;) &lt;V~_j, V~_j'&gt;   if i = i'   (item-based, eq. 14)
 *   0                                                  otherwise,
 * </pre>
 * with U~, V~ the normalized embeddings ({@link NormalizedEmbeddings}), c = 1/(lambda |D|) for the nuclear-norm
 * model (eq. 12) and c = 1 for plain MF (eq. 16) and two-tower models (eq. 17-18), where lambda is unavailable
 * (Sec. 5.2). A rating with both i = i' and j = j' (the test pair itself, if observed) takes the first case.
 * The global importances alpha_ij = -c w_ij l'(...) are computed once (O(|D| k)); an explanation costs
 * O((n_i' + n_j') k) (Algorithm 1, Explain).
 *
 * <p>Corollary 4: at the minimizer of eq. (12) with rank(Theta^) = k, the user-based scores alone sum to
 * Theta^_i'j', and so do the item-based scores alone, for EVERY pair (i', j').
 */
public final class CfRepresenter {
    private final Ratings train;
    private final NormalizedEmbeddings emb;
    private final double[] alpha;
    private final double constant;

    /**
     * @param weights  w_ij per training rating (null = all 1)
     * @param constant c (1/(lambda |D|) for the nuclear-norm model, 1 otherwise)
     */
    public CfRepresenter(Ratings train, NormalizedEmbeddings emb, CfLoss loss, double[] weights, double constant) {
        if (emb.users().rows() != train.numUsers() || emb.items().rows() != train.numItems()) {
            throw new IllegalArgumentException("embeddings for " + emb.users().rows() + " users and "
                    + emb.items().rows() + " items, ratings for " + train.numUsers() + " x " + train.numItems());
        }
        if (weights != null && weights.length != train.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + train.size() + " ratings");
        }
        this.train = train;
        this.emb = emb;
        this.constant = constant;
        this.alpha = new double[train.size()];
        for (int t = 0; t < train.size(); t++) {
            double w = weights == null ? 1.0 : weights[t];
            alpha[t] = -constant * w * loss.derivative(train.value(t), emb.predict(train.user(t), train.item(t)));
        }
    }

    /** Plain MF or imported two-tower embeddings: Algorithm 1 on (U^, V^), c = 1. */
    public static CfRepresenter forFactorization(Ratings train, Factorization f, CfLoss loss, double[] weights) {
        return new CfRepresenter(train, NormalizedEmbeddings.of(f), loss, weights, 1.0);
    }

    /** The nuclear-norm model (Corollary 4): U~, V~ from Soft-Impute's SVD and c = 1/(lambda |D|). */
    public static CfRepresenter forNuclearNorm(Ratings train, SoftImpute.Result fit) {
        return new CfRepresenter(train, fit.embeddings(), CfLoss.SQUARED, null,
                1.0 / (fit.options().lambda() * train.size()));
    }

    /** Weights w_ij of {@link MfOptions#weight} for every training rating. */
    public static double[] weights(Ratings train, MfOptions o) {
        double[] w = new double[train.size()];
        for (int t = 0; t < w.length; t++) {
            w[t] = o.weight(train.value(t));
        }
        return w;
    }

    public NormalizedEmbeddings embeddings() {
        return emb;
    }

    public double constant() {
        return constant;
    }

    /** Global importances alpha_ij = -c w_ij l'(y_ij, &lt;U~_i, V~_j&gt;), per training rating (a copy). */
    public double[] globalImportance() {
        return alpha.clone();
    }

    /** Definition 1 for (i', j'), combined and sorted by score (largest first, ties by training index). */
    public PairExplanation explain(int testUser, int testItem) {
        return PairExplanation.of(train, testUser, testItem, emb.predict(testUser, testItem),
                t -> score(t, testUser, testItem));
    }

    /**
     * Eq. (15) for training rating t sharing the test pair's item (user-based, eq. 13, also when t is the pair
     * itself) or its user (item-based, eq. 14): alpha_t &lt;U~_i, U~_i'&gt; or alpha_t &lt;V~_j, V~_j'&gt;.
     */
    private double score(int t, int testUser, int testItem) {
        return train.item(t) == testItem ? alpha[t] * emb.userSimilarity(train.user(t), testUser)
                : alpha[t] * emb.itemSimilarity(train.item(t), testItem);
    }

    /** Dense Definition 1 scores over all training ratings (0 for ratings sharing neither user nor item). */
    public double[] scores(int testUser, int testItem) {
        double[] s = new double[train.size()];
        for (int t : train.ofUser(testUser)) {
            s[t] = score(t, testUser, testItem);
        }
        for (int t : train.ofItem(testItem)) {
            s[t] = score(t, testUser, testItem);
        }
        return s;
    }

    /** w_ij of a rating value y: {@code negativeWeight} for y = 0 under the logistic loss (App. C), else 1. */
    public static double weight(CfLoss loss, double negativeWeight, double y) {
        return loss == CfLoss.LOGISTIC && y == 0.0 ? negativeWeight : 1.0;
    }

    /**
     * Which case of eq. (15) a training rating (i, j) falls in for the test pair (i', j'): USER if j = j' (eq. 13,
     * also when the rating is the test pair itself), ITEM if i = i' and j != j' (eq. 14), null if it shares neither.
     */
    public static CfAttribution.Kind kind(int user, int item, int testUser, int testItem) {
        return item == testItem ? CfAttribution.Kind.USER : user == testUser ? CfAttribution.Kind.ITEM : null;
    }

    /**
     * Definition 1 (eq. 15) for rows that each pair one training rating with one test pair, e.g. the rows of a join
     * of the ratings with the test pairs on user or on item (the kernel a distributed engine calls per partition):
     * out[r] = -c w_r l'(y_r, &lt;U~_i, V~_j&gt;) times &lt;U~_i, U~_i'&gt; if j = j', &lt;V~_j, V~_j'&gt; if i = i'
     * (and j != j'), 0 otherwise: the number {@link #scores(int, int)} gives that rating for that pair.
     *
     * @param weights w_r per row (null = all 1)
     */
    public static void pairScores(NormalizedEmbeddings emb, CfLoss loss, double constant, int[] users, int[] items,
                                  double[] values, double[] weights, int[] testUsers, int[] testItems, double[] out) {
        int m = users.length;
        if (items.length != m || values.length != m || testUsers.length != m || testItems.length != m
                || out.length != m || (weights != null && weights.length != m)) {
            throw new IllegalArgumentException("pairScores: arrays of different lengths (" + m + " users)");
        }
        for (int r = 0; r < m; r++) {
            CfAttribution.Kind k = kind(users[r], items[r], testUsers[r], testItems[r]);
            if (k == null) {
                out[r] = 0;
                continue;
            }
            double w = weights == null ? 1.0 : weights[r];
            double a = -constant * w * loss.derivative(values[r], emb.predict(users[r], items[r]));
            out[r] = a * (k == CfAttribution.Kind.USER ? emb.userSimilarity(users[r], testUsers[r])
                    : emb.itemSimilarity(items[r], testItems[r]));
        }
    }

    /** Sum over user-based terms (eq. 13). */
    public double userBasedSum(int testUser, int testItem) {
        double s = 0;
        for (int t : train.ofItem(testItem)) {
            s += alpha[t] * emb.userSimilarity(train.user(t), testUser);
        }
        return s;
    }

    /** Sum over item-based terms (eq. 14, including the test pair itself when observed). */
    public double itemBasedSum(int testUser, int testItem) {
        double s = 0;
        for (int t : train.ofUser(testUser)) {
            s += alpha[t] * emb.itemSimilarity(train.item(t), testItem);
        }
        return s;
    }
}
