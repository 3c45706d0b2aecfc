package org.exemplar.response;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.Vectors;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;

class ResponseFunctionsTest {

    @Test
    void coldStartWithoutRemovalReplaysTheBaseTrainingBitForBit() {
        TrainingData data = ResponseTestData.softmax(50, 4, 3, 1e-3, 2L);
        Mlp net = ResponseTestData.mlp(4, 6, 3, 8L);
        ResponseSettings s = ResponseSettings.sgd(6, 16, 0.3, 1e-3, 1e-3, 42L).withResponseEpochs(3, 0);
        ResponseFunctions rf = ResponseFunctions.train(net, data, s, null);
        double[] thetaS = rf.trainedParameters();
        assertFalse(java.util.Arrays.equals(thetaS, rf.initialParameters()), "training moved the parameters");
        OptimizerRun cold = rf.respond(new int[] {3}, 0.0, ResponseKind.COLD_START, null);
        assertArrayEquals(thetaS, cold.theta(), 0.0);
        // with the point removed the same replay ends elsewhere
        OptimizerRun removed = rf.respond(new int[] {3}, ResponseKind.COLD_START, null);
        assertTrue(Vectors.norm2(Vectors.subtract(removed.theta(), thetaS)) > 1e-8);
        // two-stage with nothing removed is theta^s exactly (both stages are the same run)
        assertArrayEquals(thetaS, rf.respond(new int[0], 0.0, ResponseKind.TWO_STAGE, null).theta(), 0.0);
    }

    @Test
    void linearizedPbrfOptimumIsTheDampedGaussNewtonInfluenceEstimate() {
        // eq. 49 on a tanh MLP at a non-converged theta^s (3 SGD epochs), where G differs from the Hessian.
        // The linearized objective is a quadratic with Hessian G + lambda I >= lambda I, so an L-BFGS point with
        // ||grad|| <= tol is within tol / lambda of its optimum; the exact solver (Cholesky) adds rounding of
        // order cond * 1e-16 * ||x||. The bound below is tol / lambda plus 1e-10 ||x|| for that rounding.
        TrainingData data = ResponseTestData.softmax(60, 4, 3, 0.0, 5L);
        Mlp net = ResponseTestData.mlp(4, 6, 3, 9L);
        double lambda = 1e-2;
        double tol = 1e-13;
        ResponseSettings s = ResponseSettings.sgd(3, 16, 0.2, 0.0, lambda, 1L);
        ResponseFunctions rf = ResponseFunctions.train(net, data, s, null);
        double[] thetaS = rf.trainedParameters();
        assertTrue(rf.baseRun().gradientNorm() > 1e-3, "theta^s is not converged: " + rf.baseRun().gradientNorm());
        List<int[]> removals = List.of(new int[] {4}, new int[] {17}, new int[] {30, 31, 32});
        InfluenceEstimate exact = GaussNewtonInfluence.estimate(rf.trainedModel(), data, lambda,
                SolverChoice.of(SolverChoice.Kind.EXACT, 0L), removals, rf.epsilon());
        InfluenceEstimate cg = GaussNewtonInfluence.estimate(rf.trainedModel(), data, lambda,
                SolverChoice.of(SolverChoice.Kind.CG, 0L), removals, rf.epsilon());
        for (int r = 0; r < removals.size(); r++) {
            ResponseObjective q = ResponseObjective.linearizedBregman(rf.trainedModel(), data, removals.get(r),
                    rf.epsilon(), lambda, thetaS);
            OptimizerRun run = ScheduledSgd.lbfgs(q, thetaS, tol, 2000, null);
            assertTrue(run.converged(), "L-BFGS reached " + run.gradientNorm());
            double[] dLin = Vectors.subtract(run.theta(), thetaS);
            double[] dExact = exact.parameterChanges().row(r);
            double bound = tol / lambda + 1e-10 * Vectors.norm2(dExact);
            assertEquals(0.0, Vectors.norm2(Vectors.subtract(dLin, dExact)), bound, "removal " + r);
            // CG at relative tolerance 1e-10 agrees to 1e-10 ||b|| / lambda_min(A), well inside 1e-8 ||x||
            assertEquals(0.0, Vectors.norm2(Vectors.subtract(cg.parameterChanges().row(r), dExact)),
                    1e-8 * Vectors.norm2(dExact));
            assertTrue(Vectors.norm2(dExact) > 1e-4, "a non-trivial change");
        }
    }

    @Test
    void sgdOnTheLinearizedPbrfApproachesTheSameOptimum() {
        // Full-batch SGD (batch >= N) on the quadratic with step 1/L contracts every direction by at least
        // (1 - lambda / L) per step; 3000 steps at lambda = 0.05 leave < 1e-3 of the distance.
        TrainingData data = ResponseTestData.softmax(40, 3, 3, 0.0, 6L);
        Mlp net = ResponseTestData.mlp(3, 4, 3, 2L);
        double lambda = 0.05;
        ResponseSettings s = new ResponseSettings(ResponseSettings.Optimizer.SGD, 2, 64, 0.5, 0.0, lambda, 3000, 1.0,
                0, 1e-10, 10, 3L);
        ResponseFunctions rf = ResponseFunctions.train(net, data, s, null);
        int[] z = {5};
        OptimizerRun sgd = rf.respond(z, ResponseKind.LINEARIZED_PBRF, null);
        InfluenceEstimate exact = GaussNewtonInfluence.estimate(rf.trainedModel(), data, lambda,
                SolverChoice.of(SolverChoice.Kind.EXACT, 0L), List.of(z), rf.epsilon());
        double[] d = Vectors.subtract(sgd.theta(), rf.trainedParameters());
        double[] e = exact.parameterChanges().row(0);
        assertTrue(Vectors.norm2(Vectors.subtract(d, e)) < 1e-3 * Vectors.norm2(e),
                "SGD " + Vectors.norm2(d) + " vs exact " + Vectors.norm2(e));
    }

    @Test
    void theLinearizationErrorIsSecondOrderInEpsilon() {
        // PBRF minus linearized PBRF is O(eps^2): halving eps must divide it by about 4 while the response itself
        // halves. (eps = 0.1/N and 0.05/N: well inside the first-order regime.) L-BFGS to 1e-14 keeps the optimizer error
        // (<= 1e-14 / lambda = 2e-13) far below the differences.
        TrainingData data = ResponseTestData.softmax(60, 4, 3, 0.0, 12L);
        Mlp net = ResponseTestData.mlp(4, 6, 3, 13L);
        ResponseFunctions rf = ResponseFunctions.train(net, data, ResponseSettings.sgd(5, 16, 0.2, 0.0, 0.05, 1L),
                null);
        double[] thetaS = rf.trainedParameters();
        double[] gaps = new double[2];
        double[] sizes = new double[2];
        for (int h = 0; h < 2; h++) {
            double eps = (h == 0 ? 0.1 : 0.05) / data.size();
            ResponseObjective pb = ResponseObjective.bregman(rf.trainedModel(), data, new int[] {9}, eps, 0.05, thetaS);
            ResponseObjective li = ResponseObjective.linearizedBregman(rf.trainedModel(), data, new int[] {9}, eps,
                    0.05, thetaS);
            OptimizerRun a = ScheduledSgd.lbfgs(pb, thetaS, 1e-14, 3000, null);
            OptimizerRun b = ScheduledSgd.lbfgs(li, thetaS, 1e-14, 3000, null);
            assertTrue(a.converged() && b.converged(), a + " / " + b);
            gaps[h] = Vectors.norm2(Vectors.subtract(a.theta(), b.theta()));
            sizes[h] = Vectors.norm2(Vectors.subtract(a.theta(), thetaS));
        }
        assertEquals(2.0, sizes[0] / sizes[1], 0.1, "the response is first order: " + sizes[0] + " / " + sizes[1]);
        assertEquals(4.0, gaps[0] / gaps[1], 0.4, "the linearization error is second order: " + gaps[0] + " / "
                + gaps[1]);
    }
}
