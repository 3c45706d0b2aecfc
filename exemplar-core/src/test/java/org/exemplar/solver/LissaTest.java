package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class LissaTest extends InverseHessianSolverContract {
    /**
     * Deterministic operator (no mini-batches): sigma = 4 puts A/sigma's eigenvalues in [0.25, 1], so the
     * truncation error of T = 300 steps is at most (1 - 0.25)^301 ~ 3e-38 relative; repeats average identical runs.
     */
    @Override
    InverseHessianSolver solver() {
        return new Lissa(new LissaOptions(300, 2, 4.0, 1, 7));
    }

    /** Truncation is negligible; ~300 accumulated roundings of size eps leave < 1e-12. */
    @Override
    double tolerance() {
        return 1e-10;
    }

    @Test
    void truncationErrorMatchesTheNeumannSeriesStartingAtZero() {
        // A = 2 I, sigma = 4: h_T / sigma = (1/4) sum_{t=0}^{T} (1/2)^t b = (1/2)(1 - 2^{-(T+1)}) b.
        // With the sum starting at t = 1 (eq. 51 as printed) it would be (1/2)(1 - 2^{-T}) b - wrong by 2^{-T-1}.
        DenseMatrix a = DenseMatrix.identity(3).scaleInPlace(2.0);
        int depth = 3;
        double[] x = new Lissa(new LissaOptions(depth, 1, 4.0, 1, 1)).prepare(CurvatureOperator.of(a))
                .solve(new double[] {1, 0, 0}).x();
        double expected = 0.5 * (1 - Math.pow(2, -(depth + 1)));
        assertTrue(Math.abs(x[0] - expected) < 1e-15, "got " + x[0] + ", expected " + expected);
    }

    /**
     * Issue 15, item 4: the flag reflects the true residual. A = 2 I, sigma = 4, depth 3: x = (1/2)(1 - 2^-4) b, so
     * the relative residual ||A x - b|| / ||b|| = 2^-4 = 0.0625 exactly; above a tolerance of 1e-2 (the default) the
     * solve is not converged (it was reported converged because it did not diverge), below 0.1 it is.
     */
    @Test
    void convergenceFlagReflectsTheTrueResidual() {
        DenseMatrix a = DenseMatrix.identity(3).scaleInPlace(2.0);
        DenseMatrix b = DenseMatrix.fromRows(new double[][] {{1, 0, 0}});
        BatchSolveResult strict = new Lissa(new LissaOptions(3, 1, 4.0, 1, 1)).prepare(CurvatureOperator.of(a)).solve(b);
        org.junit.jupiter.api.Assertions.assertEquals(0.0625, strict.relativeResiduals()[0], 1e-15);
        assertFalse(strict.converged()[0]);
        assertTrue(strict.diagnostics().contains("above the relative-residual tolerance"), strict.diagnostics());
        BatchSolveResult loose = new Lissa(new LissaOptions(3, 1, 4.0, 1, 1, 0.1)).prepare(CurvatureOperator.of(a))
                .solve(b);
        assertTrue(loose.converged()[0]);
        org.junit.jupiter.api.Assertions.assertEquals(strict.solutions().get(0, 0), loose.solutions().get(0, 0), 0.0);
    }

    @Test
    void divergenceIsDetectedAndASuggestedScaleReported() {
        DenseMatrix a = wellConditioned(9); // eigenvalues up to 4: sigma = 1 puts some of A/sigma above 2
        BatchSolveResult r = new Lissa(new LissaOptions(200, 1, 1.0, 1, 3)).prepare(CurvatureOperator.of(a))
                .solve(randomRows(1, 10));
        assertFalse(r.converged()[0]);
        assertTrue(r.diagnostics().contains("diverged") && r.diagnostics().contains("suggested"), r.diagnostics());
        // 50 power iterations with neighbouring eigenvalues 3.87 and 4 converge to within 1 %
        double mu = Lissa.largestEigenvalue(CurvatureOperator.of(a), 50, 3);
        assertTrue(Math.abs(mu - 4.0) < 0.04, "largest eigenvalue estimate " + mu);
    }

    @Test
    void negativeEigenvalueIsReportedAsUnfixableByTheScale() {
        DenseMatrix a = DenseMatrix.identity(2);
        a.set(1, 1, -3.0);
        BatchSolveResult r = new Lissa(new LissaOptions(100, 1, 1.0, 1, 3)).prepare(CurvatureOperator.of(a))
                .solve(DenseMatrix.fromRows(new double[][] {{1, 1}}));
        assertFalse(r.converged()[0]);
        assertTrue(r.diagnostics().contains("negative eigenvalue"), r.diagnostics());
    }
}
