package org.exemplar.cf;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The negative-sampling use case of Tsai et al. (2023, App. C). D = P u N: positives P (y = 1) and uniformly
 * sampled unobserved pairs N (y = 0), trained with weighted binary cross-entropy (negatives weighted, 0.05 in the
 * paper). The aggregated importance of a negative (i, j) is (eq. 19)
 * <pre>
 *   I_neg((i, j)) = sum_{(i', j') in P} I((i, j), (i', j'))
 *                 = alpha_ij (&lt;U~_i, sum_{i' : (i', j) in P} U~_i'&gt; + &lt;V~_j, sum_{j' : (i, j') in P} V~_j'&gt;)
 * </pre>
 * (Definition 1; a negative never equals a positive, so each positive shares at most the user or the item).
 * The most negative I_neg push the positives' predictions down hardest and are the suspected false negatives:
 * remove the lowest p %, retrain, compare recall@20.
 */
public final class NegativeSampling {
    private NegativeSampling() {
    }

    /** Ways to choose the negatives to remove. */
    public enum Selection {
        /** Lowest aggregated high-dim representer importance (eq. 19). */
        HIGH_DIM,
        /** Highest training loss. */
        LOSS,
        /** Uniformly at random. */
        RANDOM
    }

    /**
     * D = P u N with {@code perPositive} x |P| negatives drawn uniformly (seeded, without replacement) from the
     * pairs not in P. Positives come first (value 1), then negatives (value 0).
     */
    public static Ratings withNegatives(Ratings positives, int perPositive, long seed) {
        int nu = positives.numUsers();
        int ni = positives.numItems();
        Set<Long> taken = new HashSet<>();
        for (int t = 0; t < positives.size(); t++) {
            taken.add((long) positives.user(t) * ni + positives.item(t));
        }
        long free = (long) nu * ni - taken.size();
        long want = Math.min(free, (long) perPositive * positives.size());
        int n = positives.size() + (int) want;
        int[] u = new int[n];
        int[] it = new int[n];
        double[] v = new double[n];
        for (int t = 0; t < positives.size(); t++) {
            u[t] = positives.user(t);
            it[t] = positives.item(t);
            v[t] = 1;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int p = positives.size();
        while (p < n) {
            long key = rng.nextLong((long) nu * ni);
            if (taken.add(key)) {
                u[p] = (int) (key / ni);
                it[p] = (int) (key % ni);
                v[p] = 0;
                p++;
            }
        }
        return new Ratings(nu, ni, u, it, v);
    }

    /**
     * D = P u N with N every pair not in P (the paper's App. C setting, N = D \\ P): positives first (value 1),
     * then all unobserved pairs in row-major order (value 0).
     */
    public static Ratings withAllNegatives(Ratings positives) {
        int nu = positives.numUsers();
        int ni = positives.numItems();
        boolean[] taken = new boolean[Math.multiplyExact(nu, ni)];
        int p = 0;
        for (int t = 0; t < positives.size(); t++) {
            int key = positives.user(t) * ni + positives.item(t);
            if (!taken[key]) {
                taken[key] = true;
                p++;
            }
        }
        int n = positives.size() + (taken.length - p);
        int[] u = new int[n];
        int[] it = new int[n];
        double[] v = new double[n];
        for (int t = 0; t < positives.size(); t++) {
            u[t] = positives.user(t);
            it[t] = positives.item(t);
            v[t] = 1;
        }
        int q = positives.size();
        for (int key = 0; key < taken.length; key++) {
            if (!taken[key]) {
                u[q] = key / ni;
                it[q++] = key % ni;
            }
        }
        return new Ratings(nu, ni, u, it, v);
    }

    /** eq. (19) for every training rating (NaN for positives, which are not candidates). */
    public static double[] aggregatedImportance(Ratings d, CfRepresenter rep) {
        NormalizedEmbeddings e = rep.embeddings();
        int k = e.rank();
        double[] userSumV = new double[d.numUsers() * k];
        double[] itemSumU = new double[d.numItems() * k];
        double[] ud = e.users().data();
        double[] vd = e.items().data();
        for (int t = 0; t < d.size(); t++) {
            if (d.value(t) == 1) {
                for (int q = 0; q < k; q++) {
                    userSumV[d.user(t) * k + q] += vd[d.item(t) * k + q];
                    itemSumU[d.item(t) * k + q] += ud[d.user(t) * k + q];
                }
            }
        }
        double[] alpha = rep.globalImportance();
        double[] out = new double[d.size()];
        for (int t = 0; t < d.size(); t++) {
            if (d.value(t) == 1) {
                out[t] = Double.NaN;
                continue;
            }
            double s = 0;
            for (int q = 0; q < k; q++) {
                s += ud[d.user(t) * k + q] * itemSumU[d.item(t) * k + q]
                        + vd[d.item(t) * k + q] * userSumV[d.user(t) * k + q];
            }
            out[t] = alpha[t] * s;
        }
        return out;
    }

    /** Indices of the negatives to remove: round(fraction * |N|) of them, chosen by {@code how}. */
    public static int[] select(Ratings d, Selection how, double fraction, double[] aggregated, Factorization f,
                               CfLoss loss, long seed) {
        int[] neg = java.util.stream.IntStream.range(0, d.size()).filter(t -> d.value(t) == 0).toArray();
        int take = (int) Math.round(fraction * neg.length);
        int[] order = new int[neg.length];
        if (how == Selection.RANDOM) {
            int[] perm = Ratings.permutation(neg.length, new SplittableRandom(seed));
            for (int q = 0; q < neg.length; q++) {
                order[q] = neg[perm[q]];
            }
        } else {
            double[] key = new double[neg.length];
            for (int q = 0; q < neg.length; q++) {
                key[q] = how == Selection.HIGH_DIM
                        ? -aggregated[neg[q]]                                            // lowest importance first
                        : loss.value(0, f.predict(d.user(neg[q]), d.item(neg[q])));  // highest loss first
            }
            int[] ranked = org.exemplar.linalg.Ranking.descending(key, null);   // ties: lower training index first
            for (int q = 0; q < neg.length; q++) {
                order[q] = neg[ranked[q]];
            }
        }
        return Arrays.copyOf(order, take);
    }

    /**
     * recall@K averaged over users with at least one test positive: |top-K ∩ test positives| / |test positives|,
     * ranking every item that is not a training positive of the user (He et al. 2020).
     */
    public static double recallAt(Factorization f, Ratings trainPositives, Ratings testPositives, int topK) {
        double sum = 0;
        int users = 0;
        int ni = f.items().rows();
        double[] score = new double[ni];
        for (int u = 0; u < testPositives.numUsers(); u++) {
            int[] test = testPositives.ofUser(u);
            if (test.length == 0) {
                continue;
            }
            for (int j = 0; j < ni; j++) {
                score[j] = f.predict(u, j);
            }
            for (int t : trainPositives.ofUser(u)) {
                if (trainPositives.value(t) == 1) {
                    score[trainPositives.item(t)] = Double.NEGATIVE_INFINITY;
                }
            }
            int[] idx = org.exemplar.linalg.Ranking.descending(score, null);
            boolean[] top = new boolean[ni];
            for (int r = 0; r < Math.min(topK, ni); r++) {
                top[idx[r]] = true;
            }
            int hits = 0;
            for (int t : test) {
                hits += top[testPositives.item(t)] ? 1 : 0;
            }
            sum += hits / (double) test.length;
            users++;
        }
        return users == 0 ? Double.NaN : sum / users;
    }

    /**
     * One App. C run for a selection rule.
     *
     * @param falseNegatives removed negatives that are positives of the test set
     */
    public record Outcome(Selection selection, double fraction, int removed, int falseNegatives,
                          double recallBefore, double recallAfter) {
    }

    /**
     * Trains the base model on D (SGD, weighted BCE), scores negatives, removes the selected fraction, retrains
     * with the same options and reports recall@{@code topK} before and after.
     */
    public static Outcome run(Ratings d, Ratings testPositives, MfOptions o, Selection how, double fraction,
                              int topK, long selectionSeed) {
        if (o.loss() != CfLoss.LOGISTIC) {
            throw new IllegalArgumentException("App. C trains with the logistic (BCE) loss");
        }
        return run(d, testPositives, o, MfTrainer.train(d, o, MfTrainer.Algorithm.SGD).factors(), how, fraction,
                topK, selectionSeed);
    }

    /** As {@link #run(Ratings, Ratings, MfOptions, Selection, double, int, long)} from an already trained base model. */
    public static Outcome run(Ratings d, Ratings testPositives, MfOptions o, Factorization base, Selection how,
                              double fraction, int topK, long selectionSeed) {
        if (o.loss() != CfLoss.LOGISTIC) {
            throw new IllegalArgumentException("App. C trains with the logistic (BCE) loss");
        }
        double[] agg = null;
        if (how == Selection.HIGH_DIM) {
            CfRepresenter rep = CfRepresenter.forFactorization(d, base, o.loss(), CfRepresenter.weights(d, o));
            agg = aggregatedImportance(d, rep);
        }
        int[] removed = select(d, how, fraction, agg, base, o.loss(), selectionSeed);
        boolean[] ex = new boolean[d.size()];
        Set<Long> testKeys = new HashSet<>();
        for (int t = 0; t < testPositives.size(); t++) {
            testKeys.add(((long) testPositives.user(t) << 32) | testPositives.item(t));
        }
        int fn = 0;
        for (int t : removed) {
            ex[t] = true;
            fn += testKeys.contains(((long) d.user(t) << 32) | d.item(t)) ? 1 : 0;
        }
        Factorization after = MfTrainer.train(d, o, MfTrainer.Algorithm.SGD, ex, false).factors();
        return new Outcome(how, fraction, removed.length, fn, recallAt(base, d, testPositives, topK),
                recallAt(after, d, testPositives, topK));
    }
}
