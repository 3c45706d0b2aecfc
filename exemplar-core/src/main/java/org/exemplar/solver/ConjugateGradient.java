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
        int n = a.dim();
        if (b.length != n) {
            throw new IllegalArgumentException("right-hand side length " + b.length + " != operator dimension " + n);
        }
        double[] x = new double[n];
        double[] r = b.clone();
        double[] d = b.clone();
        double[] ad = new double[n];
        double bNorm = Vectors.norm2(b);
        double target = relativeTolerance * bNorm;
        double rr = Vectors.dot(r, r);
        if (Math.sqrt(rr) <= target) {
            return new SolveResult(x, 0, Math.sqrt(rr), true);
        }
        for (int it = 1; it <= maxIterations; it++) {
            a.apply(d, ad);
            double dad = Vectors.dot(d, ad);
            if (!(dad > 0)) {
                return new SolveResult(x, it, Math.sqrt(rr), false);
            }
            double step = rr / dad;
            Vectors.axpy(step, d, x);
            Vectors.axpy(-step, ad, r);
            double rrNew = Vectors.dot(r, r);
            if (Math.sqrt(rrNew) <= target) {
                return new SolveResult(x, it, Math.sqrt(rrNew), true);
            }
            double beta = rrNew / rr;
            for (int i = 0; i < n; i++) {
                d[i] = r[i] + beta * d[i];
            }
            rr = rrNew;
        }
        return new SolveResult(x, maxIterations, Math.sqrt(rr), false);
    }
}
