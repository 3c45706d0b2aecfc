package org.exemplar.cf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Definition 1 explanation of one test pair (i', j'): the user-based attributions (ratings of item j' by other
 * users) and item-based attributions (ratings of user i' on other items), combined and sorted by score,
 * largest first (Sec. 6.3.2).
 *
 * @param prediction &lt;U~_i', V~_j'&gt;
 */
public record PairExplanation(int user, int item, double prediction, List<CfAttribution> attributions) {
    public PairExplanation {
        attributions = List.copyOf(attributions);
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
