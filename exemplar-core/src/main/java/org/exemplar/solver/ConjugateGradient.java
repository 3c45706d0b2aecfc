package org.exemplar.solver;

import org.exemplar.linalg.LinearOperator;
import org.exemplar.linalg.Vectors;

/**
 * Conjugate gradient for a symmetric positive-definite operator (Hestenes &amp; Stiefel 1952; Nocedal &amp;
 * Wright Alg. 5.2). One iteration is one operator application. Stops when ||r|| &lt;= relTol ||b|| or after
 * maxIterations; also stops on non-positive curvature d^T A d &lt;= 0, which means A is not positive
 * definite (reported as not converged).
 */
public final class ConjugateGradient {
    private final double relativeTolerance;
    private final int maxIterations;

    public ConjugateGradient(double relativeTolerance, int maxIterations) {
        if (!(relativeTolerance > 0)) {
            throw new IllegalArgumentException("relative tolerance must be > 0, got " + relativeTolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
        this.relativeTolerance = relativeTolerance;
        this.maxIterations = maxIterations;
    }

    public SolveResult solve(LinearOperator a, double[] b) {
        return solve(a, b, null);
    }

    /**
     * Preconditioned CG (Nocedal &amp; Wright Alg. 5.3) with the diagonal preconditioner M = diag(1 / inverseDiagonal)
     * (Jacobi), or plain CG when {@code inverseDiagonal} is null. The stopping test stays on the unpreconditioned
     * residual ||b - A x||.
     */
    public SolveResult solve(LinearOperator a, double[] b, double[] inverseDiagonal) {
        int n = a.dim();
        if (inverseDiagonal != null && inverseDiagonal.length != n) {
            throw new IllegalArgumentException("preconditioner length " + inverseDiagonal.length + " != " + n);
        }
        if (b.length != n) {
            throw new IllegalArgumentException("right-hand side length " + b.length + " != operator dimension " + n);
        }
        double[] x = new double[n];
        double[] r = b.clone();
        double[] z = precondition(r, inverseDiagonal);
        double[] d = z.clone();
        double[] ad = new double[n];
        double bNorm = Vectors.norm2(b);
        double target = relativeTolerance * bNorm;
        double rNorm = Vectors.norm2(r);
        double rz = Vectors.dot(r, z);
        if (rNorm <= target) {
            return new SolveResult(x, 0, rNorm, true);
        }
        for (int it = 1; it <= maxIterations; it++) {
            a.apply(d, ad);
            double dad = Vectors.dot(d, ad);
            if (!(dad > 0)) {
                return new SolveResult(x, it, rNorm, false);
            }
            double step = rz / dad;
            Vectors.axpy(step, d, x);
            Vectors.axpy(-step, ad, r);
            rNorm = Vectors.norm2(r);
            if (rNorm <= target) {
                return new SolveResult(x, it, rNorm, true);
            }
            z = precondition(r, inverseDiagonal);
            double rzNew = Vectors.dot(r, z);
            double beta = rzNew / rz;
            for (int i = 0; i < n; i++) {
                d[i] = z[i] + beta * d[i];
            }
            rz = rzNew;
        }
        return new SolveResult(x, maxIterations, rNorm, false);
    }

    private static double[] precondition(double[] r, double[] inverseDiagonal) {
        if (inverseDiagonal == null) {
            return r.clone();
        }
        double[] z = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            z[i] = r[i] * inverseDiagonal[i];
        }
        return z;
    }
}
