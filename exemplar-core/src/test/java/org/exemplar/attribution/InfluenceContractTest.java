package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.exemplar.influence.InfluenceScores;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.LinearModels;
import org.junit.jupiter.api.Test;

/** Influence of a binary logistic regression (exact solver, explained output = -test loss). */
class InfluenceContractTest extends AttributorContractTest<Examples> {
    static final double L2 = 0.05;
    final Examples train;
    final Examples test;

    InfluenceContractTest() {
        int classes = classes();
        SplittableRandom r = new SplittableRandom(21);
        DenseMatrix x = ContractFixtures.gaussianMatrix(50, 3, r);
        int[] y = ContractFixtures.linearLabels(x, classes, 0.7, r);
        train = Examples.labeled(x.rowRange(0, 40), java.util.Arrays.copyOfRange(y, 0, 40));
        test = Examples.labeled(x.rowRange(40, 50), java.util.Arrays.copyOfRange(y, 40, 50));
    }

    int classes() {
        return 2;
    }

    InfluenceAttributor.Builder builder() {
        return Attributors.influence(LinearModels.Kind.LOGISTIC).l2(L2).solver(Solver.EXACT).damping(0);
    }

    TestFunction measure() {
        return TestFunction.LOSS;
    }

    @Override
    protected PreparedAttributor<Examples> prepare() {
        return builder().prepare(train);
    }

    @Override
    protected Examples testSet() {
        return test;
    }

    @Override
    protected double[] explainedAfterRetraining(int removed) {
        InfluenceAttributor a = builder().prepare(removed < 0 ? train : train.without(removed));
        DifferentiableModel m = a.model();
        double[] f = measure().values(m, test.features(), test.lossTargets(a.trainingData().loss(), m.outputWidth()),
                a.trainingData().loss());
        if (measure() == TestFunction.LOSS) {
            for (int t = 0; t < f.length; t++) {
                f[t] = -f[t];
            }
        }
        return f;
    }

    /**
     * A strongly convex objective (l2 = 0.05, no damping) whose influence estimate is a first-order Taylor term
     * of the exact response: the top point's predicted change is the largest, far above the second-order error.
     * Measured 10 of 10; the contract asks all.
     */
    @Override
    protected double minSupportFraction() {
        return 1.0;
    }

    @Override
    protected boolean definesSelfInfluence() {
        return true;
    }

    @Test
    void scoresAreTheWrappedInfluenceWithTheDocumentedSign() {
        InfluenceAttributor a = (InfluenceAttributor) prepared();
        DifferentiableModel m = a.model();
        InfluenceScores s = a.influenceFunctions().scores(test.features(),
                test.lossTargets(a.trainingData().loss(), m.outputWidth()), measure(), null);
        double sign = measure() == TestFunction.LOSS ? 1 : -1;
        assertEquals(sign, a.convention().rawFactor());
        DenseMatrix expected = s.scores().copy().scaleInPlace(sign);
        assertArrayEquals(expected.data(), full().scores().data(), 0.0);
    }
}
