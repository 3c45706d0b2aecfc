package org.exemplar.cf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Definition 1 explanation of one test pair (i', j'): the user-based attributions (ratings of item j' by other
 * users) and item-based attributions (ratings of user i' on other items), combined and sorted by score,
 * largest first (Sec. 6.3.2).
 *
 * @param prediction &lt;U~_i', V~_j'&gt; (Definition 1; the model's &lt;U_i', V_j'&gt; for {@link #of})
 */
public record PairExplanation(int user, int item, double prediction, List<CfAttribution> attributions) {
    public PairExplanation {
        attributions = List.copyOf(attributions);
    }

    /**
     * The explanation of the pair (user, item) from dense per-rating scores of any CF method (representer, FIA,
     * TracInCP: {@code scores[t]} for training rating t; ratings sharing neither the user nor the item are left out),
     * split and sorted as {@link #of(Ratings, int, int, double, IntToDoubleFunction)}.
     */
    public static PairExplanation of(Ratings train, int user, int item, double prediction, double[] scores) {
        if (scores.length != train.size()) {
            throw new IllegalArgumentException(scores.length + " scores for " + train.size() + " ratings");
        }
        return of(train, user, item, prediction, t -> scores[t]);
    }

    /**
     * The explanation of the pair (user, item) from the score of each training rating t that shares its item or its
     * user (eq. 15's two cases): ratings of the item (the pair itself included, if observed) are user-based (eq. 13),
     * the user's other ratings item-based (eq. 14); sorted by score, largest first, ties by training index. The score
     * is asked only for those ratings.
     */
    public static PairExplanation of(Ratings train, int user, int item, double prediction, IntToDoubleFunction scoreOf) {
        int[] byItem = train.ofItem(item);
        int[] byUser = train.ofUser(user);
        int[] index = new int[byItem.length + byUser.length];
        int m = 0;
        for (int t : byItem) {
            index[m++] = t;
        }
        int userBased = m;
        for (int t : byUser) {
            if (train.item(t) != item) {
                index[m++] = t;
            }
        }
        double[] score = new double[m];
        for (int p = 0; p < m; p++) {
            score[p] = scoreOf.applyAsDouble(index[p]);
        }
        int[] cut = java.util.Arrays.copyOf(index, m);
        int[] order = org.exemplar.linalg.Ranking.descending(score, cut);
        List<CfAttribution> out = new ArrayList<>(m);
        for (int pos : order) {
            int t = cut[pos];
            out.add(pos < userBased
                    ? new CfAttribution(t, train.user(t), item, CfAttribution.Kind.USER, score[pos])
                    : new CfAttribution(t, user, train.item(t), CfAttribution.Kind.ITEM, score[pos]));
        }
        return new PairExplanation(user, item, prediction, out);
    }

    /** Sum of the user-based scores (eq. 13: equals the prediction at a nuclear-norm optimum). */
    public double userBasedSum() {
        return attributions.stream().filter(a -> a.kind() == CfAttribution.Kind.USER)
                .mapToDouble(CfAttribution::score).sum();
    }

    /** Sum of the item-based scores (eq. 14). */
    public double itemBasedSum() {
        return attributions.stream().filter(a -> a.kind() == CfAttribution.Kind.ITEM)
                .mapToDouble(CfAttribution::score).sum();
    }

    /** Only one kind, sorted by |score| descending (as in the paper's Table 3). */
    public List<CfAttribution> byMagnitude(CfAttribution.Kind kind) {
        List<CfAttribution> out = new ArrayList<>();
        for (CfAttribution a : attributions) {
            if (a.kind() == kind) {
                out.add(a);
            }
        }
        out.sort(Comparator.comparingDouble((CfAttribution a) -> -Math.abs(a.score()))
                .thenComparingInt(CfAttribution::trainIndex));
        return out;
    }
}
