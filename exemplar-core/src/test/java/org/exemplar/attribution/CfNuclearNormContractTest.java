package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.cf.Ratings;
import org.exemplar.cf.SoftImpute;
import org.junit.jupiter.api.Test;

/** The nuclear-norm CF representer on a 12 x 10 low-rank rating matrix. */
class CfNuclearNormContractTest extends AttributorContractTest<RatingPairs> {
    static final Ratings TRAIN = ContractFixtures.lowRankRatings(12, 10, 2, 0.6, 51);
    static final RatingPairs TEST = ContractFixtures.unobservedPairs(TRAIN, 20, 52);
    private static final SoftImpute.Options OPTIONS = new SoftImpute.Options(0.05, 10, 20000, 1e-14);

    @Override
    protected PreparedAttributor<RatingPairs> prepare() {
        return Attributors.cfNuclearNorm().options(OPTIONS.lambda(), OPTIONS.maxRank(), OPTIONS.maxIterations(),
                OPTIONS.tolerance()).prepare(TRAIN);
    }

    @Override
    protected RatingPairs testSet() {
        return TEST;
    }

    @Override
    protected double[] explainedAfterRetraining(int removed) {
        boolean[] excluded = new boolean[TRAIN.size()];
        if (removed >= 0) {
            excluded[removed] = true;
        }
        SoftImpute.Result fit = SoftImpute.fit(TRAIN, OPTIONS, excluded);
        double[] out = new double[TEST.size()];
        for (int t = 0; t < out.length; t++) {
            out[t] = fit.theta().get(TEST.users()[t], TEST.items()[t]);
        }
        return out;
    }

    /** A first-order reading of a decomposition: measured 19 of 20 test pairs; the contract asks 0.85. */
    @Override
    protected double minSupportFraction() {
        return 0.85;
    }

    @Override
    protected boolean definesSelfInfluence() {
        return false;
    }

    @Test
    void userBasedScoresSumToThePredictionAtTheMinimizer() {
        // Corollary 4 at a Soft-Impute fit run to relative change 1e-14
        assertTrue(full().diagnostics().decompositionResidual() < 1e-6, full().diagnostics().toString());
    }
}
