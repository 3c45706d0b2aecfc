package org.exemplar.attribution;

import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;

/** Influence of a binary logistic regression through Arnoldi on the Gauss-Newton matrix (= H for this model). */
class InfluenceArnoldiContractTest extends InfluenceContractTest {
    @Override
    InfluenceAttributor.Builder builder() {
        return Attributors.influence(LinearModels.Kind.LOGISTIC).l2(L2).solver(Solver.ARNOLDI).arnoldi(4, 4)
                .curvature(Curvature.GAUSS_NEWTON).damping(1e-3).seed(3);
    }

    /** Four eigenpairs span the whole 4-parameter space, so Arnoldi is exact up to damping; 10 of 10 measured. */
    @Override
    protected double minSupportFraction() {
        return 1.0;
    }
}
