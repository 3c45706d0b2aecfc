package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class ExactSolverTest extends InverseHessianSolverContract {
    @Override
    InverseHessianSolver solver() {
        return new ExactSolver();
    }

    /** Cholesky is backward stable: error ~ kappa * eps * P = 4 * 2.2e-16 * 24 ~ 2e-14; 1e-12 leaves margin. */
    @Override
    double tolerance() {
        return 1e-12;
    }

    @Test
    void singularMatrixWithoutDampingIsAClearError() {
        DenseMatrix a = new DenseMatrix(3, 3);
        a.set(0, 0, 1);
        a.set(1, 1, 1); // a zero eigenvalue: a singular Hessian, no damping
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> new ExactSolver().prepare(CurvatureOperator.of(a)));
        assertTrue(e.getMessage().contains("not positive definite") && e.getMessage().contains("damping"),
                e.getMessage());
    }

    @Test
    void refusesAMatrixAboveItsLimit() {
        assertThrows(IllegalArgumentException.class,
                () -> new ExactSolver(10).prepare(CurvatureOperator.of(wellConditioned(1))));
    }
}
