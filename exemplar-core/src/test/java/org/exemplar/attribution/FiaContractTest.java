package org.exemplar.attribution;

/** FIA on the ALS matrix factorization of the MF contract test. */
class FiaContractTest extends CfMfContractTest {
    @Override
    CfAttributor.FactorizationBuilder builder() {
        return Attributors.fia(ALS).damping(1e-3);
    }

    /** The influence function restricted to the test pair's 2k parameters: measured 19 of 20 pairs; the
     * contract asks 0.85. */
    @Override
    protected double minSupportFraction() {
        return 0.85;
    }
}
