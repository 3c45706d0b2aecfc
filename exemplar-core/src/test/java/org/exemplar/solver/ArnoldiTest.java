package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class ArnoldiTest extends InverseHessianSolverContract {
    /** A full Krylov space (m = k = P) makes the low-rank inverse exact. */
    @Override
    InverseHessianSolver solver() {
        return new Arnoldi(new ArnoldiOptions(P, P, 5));
    }

    /**
     * Re-orthogonalized Arnoldi keeps Q orthonormal to ~1e-15; the Ritz pairs then equal A's eigenpairs to
     * ~kappa eps, so 1e-9 is a wide margin.
     */
    @Override
    double tolerance() {
        return 1e-9;
    }

    @Test
    void lowRankInverseIsExactOnTheDominantEigenspace() {
        // A = diag(100, 50, 20, 1, ..., 1): with k = 3 the solution of A x = e_0 + e_1 + e_2 is exact, while a
        // right-hand side on the small eigenvalues is dropped (the residual shows it).
        int p = 12;
        DenseMatrix a = DenseMatrix.identity(p);
        a.set(0, 0, 100);
        a.set(1, 1, 50);
        a.set(2, 2, 20);
        InverseHessianSolver.Prepared prep = new Arnoldi(new ArnoldiOptions(p, 3, 1)).prepare(CurvatureOperator.of(a));
        double[] b = new double[p];
        b[0] = 1;
        b[1] = 1;
        b[2] = 1;
        double[] x = prep.solve(b).x();
        assertEquals(0.01, x[0], 1e-12);
        assertEquals(0.02, x[1], 1e-12);
        assertEquals(0.05, x[2], 1e-12);
        double[] b2 = new double[p];
        b2[5] = 1;
        SolveResult r2 = prep.solve(b2);
        assertTrue(r2.residualNorm() > 0.99, "component outside the top-3 eigenspace is dropped");
        assertEquals(100.0, (double) prep.diagnostics().get("largest_eigenvalue"), 1e-9);
    }
}
