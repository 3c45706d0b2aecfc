package org.exemplar.attribution;

/** The representer of L2 logistic regression on the same sparse rows. */
class L2RepresenterContractTest extends L1RepresenterContractTest {
    @Override
    SparseRepresenterAttributor.Builder builder() {
        return Attributors.l2Representer().lambda(0.05).tolerance(1e-10, 2000);
    }

    /** theta = -(1/(n lambda)) sum_i l'_i x_i exactly at the optimum; measured 30 of 30, the contract asks 0.9. */
    @Override
    protected double minSupportFraction() {
        return 0.9;
    }
}
