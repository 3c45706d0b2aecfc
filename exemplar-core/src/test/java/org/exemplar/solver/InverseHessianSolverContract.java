package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link InverseHessianSolver} passes: on a well-conditioned symmetric positive-definite
 * system (P = 24, eigenvalues spread over [1, 4], so kappa = 4) it reproduces a known solution within the
 * implementation's stated tolerance, reports the true residual, and gives the same answer for a right-hand side
 * whether it is solved alone or in a batch.
 */
abstract class InverseHessianSolverContract {
    static final int P = 24;

    /** The solver under test, configured for the well-conditioned system. */
    abstract InverseHessianSolver solver();

    /** Relative error ||x - x_true|| / ||x_true|| the implementation promises on the test system. */
    abstract double tolerance();

    /** A = Q diag(lambda) Q^T with Q from a Gram-Schmidt of a seeded Gaussian matrix, lambda_k in [1, 4]. */
    static DenseMatrix wellConditioned(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] q = new double[P][P];
        for (int k = 0; k < P; k++) {
            for (int j = 0; j < P; j++) {
                q[k][j] = rnd.nextGaussian();
            }
            for (int i = 0; i < k; i++) {
                double d = 0;
                for (int j = 0; j < P; j++) {
                    d += q[i][j] * q[k][j];
                }
                for (int j = 0; j < P; j++) {
                    q[k][j] -= d * q[i][j];
                }
            }
            double nrm = 0;
            for (int j = 0; j < P; j++) {
                nrm += q[k][j] * q[k][j];
            }
            nrm = Math.sqrt(nrm);
            for (int j = 0; j < P; j++) {
                q[k][j] /= nrm;
            }
        }
        DenseMatrix a = new DenseMatrix(P, P);
        for (int k = 0; k < P; k++) {
            double lambda = 1.0 + 3.0 * k / (P - 1);
            for (int i = 0; i < P; i++) {
                for (int j = 0; j < P; j++) {
                    a.add(i, j, lambda * q[k][i] * q[k][j]);
                }
            }
        }
        return a;
    }

    static DenseMatrix randomRows(int rows, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(rows, P);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextGaussian();
        }
        return m;
    }

    static double relErr(double[] x, double[] ref) {
        double num = 0;
        double den = 0;
        for (int k = 0; k < x.length; k++) {
            num += (x[k] - ref[k]) * (x[k] - ref[k]);
            den += ref[k] * ref[k];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void reproducesAKnownSolution() {
        DenseMatrix a = wellConditioned(11);
        DenseMatrix xTrue = randomRows(3, 12);
        DenseMatrix b = Blas.multiply(Transpose.NO, xTrue, Transpose.YES, a); // rows b_k = A x_k (A symmetric)
        BatchSolveResult r = solver().prepare(CurvatureOperator.of(a)).solve(b);
        for (int k = 0; k < 3; k++) {
            double err = relErr(r.solutions().row(k), xTrue.row(k));
            assertTrue(err < tolerance(), solver().name() + ": relative error " + err + " >= " + tolerance());
            assertTrue(r.converged()[k], solver().name() + " reported non-convergence: " + r.diagnostics());
        }
    }

    @Test
    void reportsTheTrueResidual() {
        DenseMatrix a = wellConditioned(21);
        DenseMatrix b = randomRows(2, 22);
        BatchSolveResult r = solver().prepare(CurvatureOperator.of(a)).solve(b);
        for (int k = 0; k < 2; k++) {
            double[] ax = new double[P];
            Blas.gemv(Transpose.NO, 1.0, a, r.solutions().row(k), 0.0, ax);
            double res = 0;
            double bn = 0;
            for (int j = 0; j < P; j++) {
                res += (ax[j] - b.get(k, j)) * (ax[j] - b.get(k, j));
                bn += b.get(k, j) * b.get(k, j);
            }
            // the residual is recomputed from x, so it matches to rounding (1e-12 of ||b|| is far above it)
            assertEquals(Math.sqrt(res), r.residualNorms()[k], 1e-12 * Math.sqrt(bn));
            assertEquals(Math.sqrt(res / bn), r.relativeResiduals()[k], 1e-12);
        }
    }

    @Test
    void batchingDoesNotChangeTheAnswer() {
        DenseMatrix a = wellConditioned(31);
        DenseMatrix b = randomRows(4, 32);
        InverseHessianSolver.Prepared p = solver().prepare(CurvatureOperator.of(a));
        BatchSolveResult all = p.solve(b);
        for (int k = 0; k < 4; k++) {
            SolveResult one = p.solve(b.row(k));
            // identical arithmetic per right-hand side; BLAS may block a batched product differently, so allow
            // rounding-level differences
            assertArrayEquals(all.solutions().row(k), one.x(), 1e-12 * (1 + maxAbs(one.x())));
        }
    }

    @Test
    void rejectsAMismatchedRightHandSide() {
        InverseHessianSolver.Prepared p = solver().prepare(CurvatureOperator.of(wellConditioned(41)));
        assertThrows(IllegalArgumentException.class, () -> p.solve(new DenseMatrix(1, P + 1)));
    }

    @Test
    void describesItsSettings() {
        assertTrue(!solver().name().isBlank());
        assertTrue(solver().settings() != null);
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
