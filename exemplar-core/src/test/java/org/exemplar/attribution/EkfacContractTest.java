package org.exemplar.attribution;

import org.exemplar.curvature.FisherKind;
import org.exemplar.influence.TestFunction;
import org.exemplar.model.LinearModels;

/** EK-FAC influence of the same softmax regression with the expected (exact) true Fisher, explaining the margin. */
class EkfacContractTest extends KfacContractTest {
    @Override
    KfacAttributor.Builder builder() {
        return Attributors.ekfac(LinearModels.Kind.SOFTMAX).l2(L2).damping(L2).fisher(FisherKind.EXPECTED)
                .measure(TestFunction.MARGIN);
    }

    @Override
    TestFunction measure() {
        return TestFunction.MARGIN;
    }

    /** The margin is not smooth where the runner-up class changes; measured 10 of 10, the contract asks 0.9. */
    @Override
    protected double minSupportFraction() {
        return 0.9;
    }
}
