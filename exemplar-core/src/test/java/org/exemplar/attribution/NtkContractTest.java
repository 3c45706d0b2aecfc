package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.NtkKernel;
import org.junit.jupiter.api.Test;

/** NTK closed-form influence on 30 unit-norm training inputs in R^4. */
class NtkContractTest extends AttributorContractTest<Examples> {
    private static final double LAMBDA = 0.01;
    private final Examples train;
    private final Examples test;

    NtkContractTest() {
        SplittableRandom r = new SplittableRandom(41);
        DenseMatrix x = ContractFixtures.unitRows(ContractFixtures.gaussianMatrix(40, 4, r));
        double[] w = {1.0, -0.5, 0.8, 0.3};
        double[] y = new double[40];
        for (int i = 0; i < y.length; i++) {
            double s = 0;
            for (int j = 0; j < 4; j++) {
                s += w[j] * x.get(i, j);
            }
            y[i] = Math.tanh(2 * s) + 0.1 * ContractFixtures.gaussian(r);
        }
        train = Examples.regression(x.rowRange(0, 30), java.util.Arrays.copyOfRange(y, 0, 30));
        test = Examples.regression(x.rowRange(30, 40), java.util.Arrays.copyOfRange(y, 30, 40));
    }

    @Override
    protected PreparedAttributor<Examples> prepare() {
        return Attributors.ntk().lambda(LAMBDA).prepare(train);
    }

    @Override
    protected Examples testSet() {
        return test;
    }

    @Override
    protected double[] explainedAfterRetraining(int removed) {
        Examples t = removed < 0 ? train : train.without(removed);
        NtkAttributor a = Attributors.ntk().lambda(LAMBDA).prepare(t);
        double[] f = a.fit().score(NtkKernel.matrix(test.features(), t.features()), test.targetVector()).predictions();
        double[] out = new double[f.length];
        for (int k = 0; k < f.length; k++) {
            double e = f[k] - test.targetVector()[k];
            out[k] = -0.5 * e * e;
        }
        return out;
    }

    /** The closed form is the exact leave-one-out change: every test point. */
    @Override
    protected double minSupportFraction() {
        return 1.0;
    }

    @Override
    protected boolean definesSelfInfluence() {
        return true;
    }

    @Test
    void everyScoreIsTheExactRetrainingChange() {
        // eq. 9 is an algebraic identity; the refit solves a new 29 x 29 system, so only rounding differs
        double[] base = explainedAfterRetraining(-1);
        for (int i = 0; i < train.size(); i += 7) {
            double[] after = explainedAfterRetraining(i);
            for (int t = 0; t < base.length; t++) {
                assertEquals(base[t] - after[t], full().scores().get(t, i), 1e-10, "pair (" + t + ", " + i + ")");
            }
        }
    }
}
