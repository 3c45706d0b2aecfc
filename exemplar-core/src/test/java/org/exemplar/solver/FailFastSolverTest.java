package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class FailFastSolverTest {
    /** diag(1, 10, 100): CG needs 3 iterations; with 1 it stops above 1e-10 for a b with all three components. */
    private static final DenseMatrix A = DenseMatrix.fromRows(new double[][] {{1, 0, 0}, {0, 10, 0}, {0, 0, 100}});

    @Test
    void convergedBatchesPassThroughUnchanged() {
        DenseMatrix b = DenseMatrix.fromRows(new double[][] {{1, 2, 3}, {0, 10, 0}});
        BatchSolveResult r = new FailFastSolver(new ConjugateGradientSolver(1e-12, 10), "advice")
                .prepare(CurvatureOperator.of(A)).solve(b);
        // closed form A^-1 b
        assertArrayEquals(new double[] {1, 0.2, 0.03, 0, 1, 0}, r.solutions().data(), 1e-12);
        assertTrue(r.allConverged());
    }

    @Test
    void theFirstFailedBatchStopsWithItsRangePhaseResidualAndAdvice() {
        FailFastSolver s = new FailFastSolver(new ConjugateGradientSolver(1e-10, 1), "raise the damping");
        InverseHessianSolver.Prepared p = s.prepare(CurvatureOperator.of(A));
        // batch 0..1 converges in one iteration (each b is an eigenvector)
        p.solve(DenseMatrix.fromRows(new double[][] {{1, 0, 0}, {0, 0, 5}}));
        s.phase("self-influence");
        s.phase("s_test"); // restarting the phase restarts the count
        p.solve(DenseMatrix.fromRows(new double[][] {{0, 1, 0}}));
        NotConvergedException e = assertThrows(NotConvergedException.class,
                () -> p.solve(DenseMatrix.fromRows(new double[][] {{1, 1, 1}, {1, 0, 0}})));
        assertTrue(e.getMessage().startsWith("s_test: 1 of 2 inverse-Hessian solves in the batch of right-hand sides "
                + "1..2 did not converge"), e.getMessage());
        assertTrue(e.getMessage().contains("raise the damping"), e.getMessage());
        // one CG step from 0 on b = (1,1,1): x = (b.b / b.Ab) b = 3/111 b, residual ||b - A x|| / ||b||
        double a = 3.0 / 111;
        double rel = Math.sqrt(Math.pow(1 - a, 2) + Math.pow(1 - 10 * a, 2) + Math.pow(1 - 100 * a, 2)) / Math.sqrt(3);
        assertTrue(e.getMessage().contains(String.format("largest relative residual %.4g", rel)), e.getMessage());
    }

    @Test
    void namesAndSettingsAreTheInnerSolvers() {
        ConjugateGradientSolver cg = new ConjugateGradientSolver(1e-8, 7);
        FailFastSolver s = new FailFastSolver(cg, "x");
        assertEquals(cg.name(), s.name());
        assertEquals(cg.settings(), s.settings());
    }
}
