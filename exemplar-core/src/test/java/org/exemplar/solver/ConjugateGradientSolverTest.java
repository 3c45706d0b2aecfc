package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class ConjugateGradientSolverTest extends InverseHessianSolverContract {
    @Override
    InverseHessianSolver solver() {
        return new ConjugateGradientSolver(1e-12, 200);
    }

    /** ||x - x*|| / ||x*|| <= kappa ||r|| / ||b|| = 4e-12 at the stopping rule; 1e-10 allows for rounding. */
    @Override
    double tolerance() {
        return 1e-10;
    }

    @Test
    void iterationCapIsReportedWithTheResidual() {
        DenseMatrix a = wellConditioned(5);
        BatchSolveResult r = new ConjugateGradientSolver(1e-14, 2).prepare(CurvatureOperator.of(a))
                .solve(randomRows(1, 6));
        assertFalse(r.converged()[0]);
        assertTrue(r.relativeResiduals()[0] > 1e-6, "two CG steps cannot solve a 24-dim system");
        assertTrue(r.diagnostics().contains("above the tolerance"), r.diagnostics());
    }
}
