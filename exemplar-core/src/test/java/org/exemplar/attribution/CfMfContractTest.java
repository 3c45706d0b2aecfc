package org.exemplar.attribution;

import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfTrainer;

/** The MF representer (ALS, squared loss, rank 2) on the nuclear-norm fixture's ratings. */
class CfMfContractTest extends AttributorContractTest<RatingPairs> {
    static final MfOptions ALS = new MfOptions(CfLoss.SQUARED, 2, 1.0, 60, 1.0, 16, 0.1, 1.0, 7);

    CfAttributor.FactorizationBuilder builder() {
        return Attributors.cfMatrixFactorization(ALS);
    }

    MfTrainer.Algorithm algorithm() {
        return MfTrainer.Algorithm.ALS;
    }

    MfOptions options() {
        return ALS;
    }

    @Override
    protected PreparedAttributor<RatingPairs> prepare() {
        return builder().prepare(CfNuclearNormContractTest.TRAIN);
    }

    @Override
    protected RatingPairs testSet() {
        return CfNuclearNormContractTest.TEST;
    }

    @Override
    protected double[] explainedAfterRetraining(int removed) {
        var train = CfNuclearNormContractTest.TRAIN;
        boolean[] excluded = new boolean[train.size()];
        if (removed >= 0) {
            excluded[removed] = true;
        }
        var f = MfTrainer.train(train, options(), algorithm(), excluded, false).factors();
        double[] out = new double[testSet().size()];
        for (int t = 0; t < out.length; t++) {
            out[t] = f.predict(testSet().users()[t], testSet().items()[t]);
        }
        return out;
    }

    /** Definition 1 for non-convex MF is a heuristic (Sec. 5.2): measured 18 of 20 pairs; the contract asks 0.8. */
    @Override
    protected double minSupportFraction() {
        return 0.8;
    }

    @Override
    protected boolean definesSelfInfluence() {
        return false;
    }
}
