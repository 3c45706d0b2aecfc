package org.exemplar.solver;

import java.util.Map;
import org.exemplar.linalg.DenseMatrix;

/**
 * Inverse-Hessian-vector products x = A^{-1} b for A = H + damping I (or the Gauss-Newton G + damping I), the core
 * of influence functions (Bae et al. 2022, eq. 5 and App. D; Koh &amp; Liang 2017). Implementations:
 * {@link ExactSolver} (factorize the explicit matrix), {@link ConjugateGradientSolver}, {@link Lissa} and
 * {@link Arnoldi}. Every implementation passes the same contract test.
 *
 * <p>Use: {@code prepare(A)} once (factorization, Krylov basis), then {@code solve} any number of right-hand-side
 * batches. A solver's result for a right-hand side never depends on the other right-hand sides in its batch
 * (stochastic solvers reuse one seeded stream of mini-batches for every right-hand side), so scores do not change
 * with the test batch size.
 */
public interface InverseHessianSolver {

    /** Short name used on the command line and in summaries ("exact", "cg", "lissa", "arnoldi"). */
    String name();

    /** The settings that determine the result (for provenance). */
    Map<String, Object> settings();

    /**
     * Prepares to solve with A.
     *
     * @throws ArithmeticException when A cannot be inverted by this method (e.g. not positive definite for the
     *                             exact solver), with a message that names the remedy
     */
    Prepared prepare(CurvatureOperator a);

    /** A solver bound to one operator. */
    interface Prepared {
        /** Solves A x_k = b_k for every row b_k of {@code rhs} (shape (k, dim)). */
        BatchSolveResult solve(DenseMatrix rhs);

        /** One right-hand side. */
        default SolveResult solve(double[] b) {
            BatchSolveResult r = solve(new DenseMatrix(1, b.length, b.clone()));
            return new SolveResult(r.solutions().row(0), r.iterations()[0], r.residualNorms()[0], r.converged()[0]);
        }

        /** Facts learned while preparing (e.g. eigenvalue estimates); empty by default. */
        default Map<String, Object> diagnostics() {
            return Map.of();
        }
    }

    static void checkRhs(CurvatureOperator a, DenseMatrix rhs) {
        if (rhs.cols() != a.dim()) {
            throw new IllegalArgumentException("right-hand sides have " + rhs.cols() + " columns but the operator "
                    + "has dimension " + a.dim());
        }
    }
}
