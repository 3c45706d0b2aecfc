package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class MfTrainerTest {
    private final Ratings r = CfTestData.lowRank(30, 20, 3, 0.4, 11);

    /** dJ/dU_i = sum_j w l'(y, U_i.V_j) V_j + reg U_i (sum form of MfOptions). */
    static double maxUserGradient(Ratings r, MfOptions o, Factorization f) {
        int k = f.rank();
        double worst = 0;
        for (int i = 0; i < r.numUsers(); i++) {
            double[] g = new double[k];
            for (int t : r.ofUser(i)) {
                double d = o.weight(r.value(t)) * o.loss().derivative(r.value(t), f.predict(i, r.item(t)));
                for (int q = 0; q < k; q++) {
                    g[q] += d * f.items().get(r.item(t), q);
                }
            }
            for (int q = 0; q < k; q++) {
                worst = Math.max(worst, Math.abs(g[q] + o.reg() * f.users().get(i, q)));
            }
        }
        return worst;
    }

    @Test
    void eachAlsHalfStepSolvesTheNormalEquationsExactly() {
        MfOptions o = MfOptions.squared(3, 5).withReg(0.5).withEpochs(0);
        Factorization f = MfTrainer.initial(r.numUsers(), r.numItems(), o);
        MfTrainer.alsHalfStep(r, o, null, f.items(), f.users(), true);
        // after the user half-step the gradient in U vanishes up to the Cholesky solve's rounding
        // (condition number of V^T V + reg I times eps, scaled by the gradient's terms ~ 10): 1e-10 is ample
        assertTrue(maxUserGradient(r, o, f) < 1e-10, "grad_U " + maxUserGradient(r, o, f));
        MfResult res = MfTrainer.train(r, o.withEpochs(30), MfTrainer.Algorithm.ALS);
        for (int e = 1; e < 30; e++) {
            // block coordinate descent with exact block minimization never increases J
            assertTrue(res.objectiveHistory()[e] <= res.objectiveHistory()[e - 1] * (1 + 1e-12));
        }
        // the last half-step was the item step; the user step before it is exact, so re-check by transposition
        Ratings rt = new Ratings(r.numItems(), r.numUsers(), r.items(), r.users(), r.values());
        Factorization ft = new Factorization(res.factors().items(), res.factors().users());
        assertTrue(maxUserGradient(rt, o, ft) < 1e-10);
        assertEquals(MfTrainer.objective(r, o, res.factors(), null), res.objective(), 1e-12 * res.objective());
    }

    @Test
    void alsAndSgdAreReproducibleWithASeed() {
        MfOptions o = MfOptions.squared(3, 42).withEpochs(5).withBatchSize(16).withLearningRate(0.05);
        for (MfTrainer.Algorithm a : MfTrainer.Algorithm.values()) {
            DenseMatrix u1 = MfTrainer.train(r, o, a).factors().users();
            DenseMatrix u2 = MfTrainer.train(r, o, a).factors().users();
            assertArrayEquals(u1.data(), u2.data(), a.name());
            DenseMatrix u3 = MfTrainer.train(r, o.withSeed(43), a).factors().users();
            assertFalse(java.util.Arrays.equals(u1.data(), u3.data()), a.name());
        }
    }

    @Test
    void sgdLowersTheObjectiveAndKeepsCheckpoints() {
        MfOptions o = MfOptions.squared(3, 1).withEpochs(60).withBatchSize(16).withLearningRate(0.5).withReg(0.1);
        MfResult res = MfTrainer.train(r, o, MfTrainer.Algorithm.SGD, null, true);
        double start = MfTrainer.objective(r, o, MfTrainer.initial(r.numUsers(), r.numItems(), o), null);
        assertTrue(res.objective() < 0.3 * start, res.objective() + " vs " + start);
        assertEquals(60, res.checkpoints().size());
        assertArrayEquals(res.factors().users().data(), res.checkpoints().get(59).factors().users().data());
        // excluding nothing = not passing a mask
        boolean[] none = new boolean[r.size()];
        assertArrayEquals(res.factors().items().data(),
                MfTrainer.train(r, o, MfTrainer.Algorithm.SGD, none, false).factors().items().data());
    }

    @Test
    void rejectsAlsWithoutRegularizationOrWithLogisticLoss() {
        assertThrows(IllegalArgumentException.class,
                () -> MfTrainer.train(r, MfOptions.squared(2, 1).withReg(0), MfTrainer.Algorithm.ALS));
        MfOptions bce = new MfOptions(CfLoss.LOGISTIC, 2, 1, 1, 0.1, 8, 0.1, 0.05, 1);
        assertThrows(IllegalArgumentException.class, () -> MfTrainer.train(r, bce, MfTrainer.Algorithm.ALS));
        assertThrows(IllegalArgumentException.class, () -> MfOptions.squared(0, 1));
    }
}
