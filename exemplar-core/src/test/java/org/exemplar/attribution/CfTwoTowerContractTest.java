package org.exemplar.attribution;

import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfTrainer;

/**
 * Imported two-tower embeddings (here: the ALS factorization of the MF contract test, handed over as plain U and
 * V): the representer of eq. 17-18 with c = 1; retraining is the ALS refit the embeddings came from.
 */
class CfTwoTowerContractTest extends CfMfContractTest {
    @Override
    CfAttributor.FactorizationBuilder builder() {
        var f = MfTrainer.train(CfNuclearNormContractTest.TRAIN, ALS, MfTrainer.Algorithm.ALS).factors();
        return Attributors.cfTwoTower(f, CfLoss.SQUARED);
    }

    /** The same scores as cf-mf (unit weights for the squared loss): measured 18 of 20, the contract asks 0.8. */
    @Override
    protected double minSupportFraction() {
        return 0.8;
    }
}
