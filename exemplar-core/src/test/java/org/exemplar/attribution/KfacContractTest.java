package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.curvature.FisherKind;
import org.exemplar.curvature.KroneckerFactors;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * K-FAC influence of a 3-class softmax regression (40 x 3, l2 = damping = 0.05, sampled true Fisher, seed 3),
 * explained output = -test loss.
 */
class KfacContractTest extends AttributorContractTest<Examples> {
    static final double L2 = 0.05;
    final Examples train;
    final Examples test;

    KfacContractTest() {
        SplittableRandom r = new SplittableRandom(31);
        DenseMatrix x = ContractFixtures.gaussianMatrix(50, 3, r);
        int[] y = ContractFixtures.linearLabels(x, 3, 0.7, r);
        train = Examples.labeled(x.rowRange(0, 40), java.util.Arrays.copyOfRange(y, 0, 40));
        test = Examples.labeled(x.rowRange(40, 50), java.util.Arrays.copyOfRange(y, 40, 50));
    }

    KfacAttributor.Builder builder() {
        return Attributors.kfac(LinearModels.Kind.SOFTMAX).l2(L2).damping(L2).fisher(FisherKind.SAMPLED).seed(3);
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
        KfacAttributor a = builder().prepare(removed < 0 ? train : train.without(removed));
        Mlp m = a.model();
        double[] f = measure().values(m, test.features(), test.lossTargets(a.loss(), m.outputWidth()), a.loss());
        if (measure() == TestFunction.LOSS) {
            for (int t = 0; t < f.length; t++) {
                f[t] = -f[t];
            }
        }
        return f;
    }

    /**
     * The damping equals the training l2, so the curvature is the (sampled, Kronecker-factored) Fisher of the
     * objective; the Kronecker factorization and the one-sample Fisher are approximations, so the contract asks 0.9.
     * Measured 10 of 10.
     */
    @Override
    protected double minSupportFraction() {
        return 0.9;
    }

    @Override
    protected boolean definesSelfInfluence() {
        return true;
    }

    @Test
    void savedFactorsAreReusedAndRefusedForOtherData(@TempDir Path dir) {
        KfacAttributor a = (KfacAttributor) prepared();
        a.factors().save(dir.resolve("f"));
        KroneckerFactors f = KroneckerFactors.load(dir.resolve("f"));
        assertEquals(a.factors().key(), f.key());
        assertEquals(a.factors().name(), f.name());
        Attribution again = builder().factors(f).prepare(train).attribute(test);
        assertArrayEquals(full().scores().data(), again.scores().data(), 0.0);
        // a different seed is a different preparation: the saved factors are refused, not silently reused
        if (f.fisher() == FisherKind.SAMPLED) {
            assertThrows(IllegalArgumentException.class, () -> builder().seed(4).factors(f).prepare(train));
        }
        assertThrows(IllegalArgumentException.class, () -> builder().factors(f).prepare(train.without(0)));
    }
}
