package org.exemplar.influence;

import org.exemplar.representer.InspectionRanking;

/**
 * Inspect training points by decreasing self-influence (Koh &amp; Liang 2017 Sec. 5.4; Bae et al. 2022 App. F.3):
 * mislabelled points tend to have large gradients that the rest of the data does not explain.
 */
public final class SelfInfluenceRanking implements InspectionRanking {
    private final double[] selfInfluence;

    public SelfInfluenceRanking(double[] selfInfluence) {
        this.selfInfluence = selfInfluence.clone();
    }

    @Override
    public String name() {
        return "self-influence";
    }

    @Override
    public int[] order(Context context) {
        if (context.features() != null && context.features().rows() != selfInfluence.length) {
            throw new IllegalArgumentException("self-influence has " + selfInfluence.length + " entries for "
                    + context.features().rows() + " training points");
        }
        return InspectionRanking.descending(selfInfluence);
    }
}
