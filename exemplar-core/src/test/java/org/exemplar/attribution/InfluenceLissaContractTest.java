package org.exemplar.attribution;

import org.exemplar.model.LinearModels;

/** Influence of a binary logistic regression through LiSSA (seeded mini-batches). */
class InfluenceLissaContractTest extends InfluenceContractTest {
    @Override
    InfluenceAttributor.Builder builder() {
        return Attributors.influence(LinearModels.Kind.LOGISTIC).l2(L2).solver(Solver.LISSA)
                .lissa(400, 1, null, 20).damping(1e-3).seed(5);
    }

    /** Stochastic curvature estimates (batch 20 of 40) perturb the ranking slightly; measured 10 of
     * 10, the contract asks 0.9. */
    @Override
    protected double minSupportFraction() {
        return 0.9;
    }
}
