package org.exemplar.attribution;

import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfTrainer;

/** TracInCP over the SGD checkpoints of a rank-2 MF. */
class TracInCpContractTest extends CfMfContractTest {
    static final MfOptions SGD = new MfOptions(CfLoss.SQUARED, 2, 1.0, 30, 0.5, 8, 0.1, 1.0, 9);

    @Override
    CfAttributor.FactorizationBuilder builder() {
        return Attributors.tracInCp(SGD);
    }

    @Override
    MfTrainer.Algorithm algorithm() {
        return MfTrainer.Algorithm.SGD;
    }

    @Override
    MfOptions options() {
        return SGD;
    }

    /** A training-path heuristic (SGD noise, no optimum assumed): measured 16 of 20 pairs; the contract asks 0.7. */
    @Override
    protected double minSupportFraction() {
        return 0.7;
    }
}
