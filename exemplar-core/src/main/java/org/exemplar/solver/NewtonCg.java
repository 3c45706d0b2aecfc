package org.exemplar.solver;

import org.exemplar.linalg.LinearOperator;
import org.exemplar.linalg.Vectors;

/**
 * Inexact (truncated) Newton method with conjugate-gradient inner solves on exact Hessian-vector products
 * (Nocedal &amp; Wright Alg. 7.1), with backtracking on the step. Used to polish an L-BFGS solution of a
 * strongly convex objective to a stationarity residual near machine precision: its local convergence is
 * superlinear (quadratic with the forcing term min(0.5, sqrt||g||) ||g||).
 */
public final class NewtonCg {
    private final int maxIterations;
    private final double tolerance;

    public NewtonCg(int maxIterations, double tolerance) {
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
    }

    public OptimizationResult minimize(TwiceDifferentiableFunction f, double[] x0, StationarityMeasure measure,
                                       IterationListener listener) {
        IterationListener lis = listener == null ? IterationListener.NONE : listener;
        int n = f.dim();
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        int evals = 1;
        double residual = measure.residual(x, g);
        double[] xTrial = new double[n];
        double[] gTrial = new double[n];
        int iterations = 0;
        for (int it = 1; it <= maxIterations && residual > tolerance; it++) {
            iterations = it;
            final double[] xAt = x.clone();
            LinearOperator hess = new LinearOperator() {
                @Override
                public int dim() {
                    return n;
                }

                @Override
                public void apply(double[] v, double[] out) {
                    f.hessianVector(xAt, v, out);
                }
            };
            double gNorm = Vectors.norm2(g);
            double forcing = Math.min(0.5, Math.sqrt(gNorm));
            double[] minusG = Vectors.scaled(g, -1);
            SolveResult inner = new ConjugateGradient(Math.max(forcing, 1e-14), Math.max(50, Math.min(n, 500)))
                    .solve(hess, minusG);
            double[] dir = inner.x();
            double slope = Vectors.dot(dir, g);
            if (!(slope < 0)) {
                dir = minusG;
                slope = -gNorm * gNorm;
            }
            double step = 1.0;
            boolean accepted = false;
            double roundoff = 1e-13 * (1 + Math.abs(fx));
            for (int k = 0; k < 40; k++) {
                for (int i = 0; i < n; i++) {
                    xTrial[i] = x[i] + step * dir[i];
                }
                double ft = f.valueAndGradient(xTrial, gTrial);
                evals++;
                boolean decrease = ft <= fx + 1e-4 * step * slope;
                boolean withinRounding = Math.abs(ft - fx) <= roundoff
                        && Vectors.norm2(gTrial) < gNorm;
                if (Double.isFinite(ft) && (decrease || withinRounding)) {
                    System.arraycopy(xTrial, 0, x, 0, n);
                    System.arraycopy(gTrial, 0, g, 0, n);
                    fx = ft;
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                return new OptimizationResult(x, fx, Vectors.norm2(g), residual, it, evals, false,
                        "Newton step made no progress; stationarity residual " + residual + " > tolerance "
                                + tolerance);
            }
            residual = measure.residual(x, g);
            lis.iteration(it, fx, residual);
        }
        boolean ok = residual <= tolerance;
        return new OptimizationResult(x, fx, Vectors.norm2(g), residual, iterations, evals, ok,
                ok ? "converged" : "Newton iteration cap reached; stationarity residual " + residual
                        + " > tolerance " + tolerance);
    }
}
