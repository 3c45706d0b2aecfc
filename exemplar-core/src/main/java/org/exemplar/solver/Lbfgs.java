package org.exemplar.solver;

import org.exemplar.linalg.Vectors;

/**
 * Limited-memory BFGS with a strong-Wolfe line search (Nocedal &amp; Wright, Numerical Optimization, 2nd ed.,
 * Alg. 7.4 two-loop recursion, Alg. 3.5/3.6 line search with cubic interpolation).
 *
 * <p>Stopping rule: the caller's {@link StationarityMeasure} at the current iterate is at most
 * {@link LbfgsOptions#tolerance()}. Near a tight optimum the decrease of the objective falls below its
 * rounding error while the gradient is still informative; the line search therefore also accepts a step whose
 * value is within rounding of the start (|f(a) - f(0)| &lt;= 1e-13 (1 + |f(0)|)) when the strong curvature
 * condition holds (the "approximate Wolfe" idea of Hager &amp; Zhang 2005). When no progress is possible the
 * run ends with {@code converged = false} and the residual reached.
 *
 * <p>A non-finite value or gradient at a trial point makes the line search shrink the step (the objective may be
 * undefined outside a domain). A non-finite value or gradient at the start or at an accepted point, or at every
 * trial point of the last line search the run can make, throws {@link ArithmeticException}.
 */
public final class Lbfgs {
    private final LbfgsOptions options;

    public Lbfgs(LbfgsOptions options) {
        this.options = options;
    }

    public OptimizationResult minimize(DifferentiableFunction f, double[] x0, StationarityMeasure measure,
                                       IterationListener listener) {
        int n = f.dim();
        if (x0.length != n) {
            throw new IllegalArgumentException("start has length " + x0.length + ", objective dimension " + n);
        }
        IterationListener lis = listener == null ? IterationListener.NONE : listener;
        int m = options.memory();
        double[][] s = new double[m][];
        double[][] y = new double[m][];
        double[] rho = new double[m];
        int stored = 0;
        int head = 0;

        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        int evals = 1;
        checkFinite(fx, g, 0);
        double residual = measure.residual(x, g);
        if (residual <= options.tolerance()) {
            return new OptimizationResult(x, fx, Vectors.norm2(g), residual, 0, evals, true, "converged at start");
        }
        double[] d = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        double[] alpha = new double[m];
        int failures = 0;
        for (int iter = 1; iter <= options.maxIterations(); iter++) {
            // two-loop recursion: d = -H g
            System.arraycopy(g, 0, d, 0, n);
            for (int k = 0; k < stored; k++) {
                int idx = Math.floorMod(head - 1 - k, m);
                alpha[idx] = rho[idx] * Vectors.dot(s[idx], d);
                Vectors.axpy(-alpha[idx], y[idx], d);
            }
            double gamma = 1.0;
            if (stored > 0) {
                int last = Math.floorMod(head - 1, m);
                gamma = Vectors.dot(s[last], y[last]) / Vectors.dot(y[last], y[last]);
            }
            for (int i = 0; i < n; i++) {
                d[i] *= gamma;
            }
            for (int k = stored - 1; k >= 0; k--) {
                int idx = Math.floorMod(head - 1 - k, m);
                double beta = rho[idx] * Vectors.dot(y[idx], d);
                Vectors.axpy(alpha[idx] - beta, s[idx], d);
            }
            for (int i = 0; i < n; i++) {
                d[i] = -d[i];
            }
            double dg = Vectors.dot(d, g);
            if (!(dg < 0)) {
                // not a descent direction (numerical breakdown): restart with steepest descent
                stored = 0;
                for (int i = 0; i < n; i++) {
                    d[i] = -g[i];
                }
                dg = -Vectors.dot(g, g);
            }
            double step0 = stored == 0 ? Math.min(1.0, 1.0 / Math.max(1e-300, Vectors.norm2(g))) : 1.0;
            LineSearch ls = new LineSearch(f, x, fx, g, d, dg, xNew, gNew);
            double step = ls.search(step0);
            evals += ls.evaluations;
            if (Double.isNaN(step)) {
                failures++;
                if (stored == 0 || failures >= 2) {
                    if (ls.finiteTrials == 0) {
                        // not a stalled search: the objective is not finite arbitrarily close to x
                        throw new ArithmeticException(ls.nonFiniteMessage(iter));
                    }
                    return new OptimizationResult(x, fx, Vectors.norm2(g), residual, iter, evals, false,
                            "line search made no progress; stationarity residual " + residual + " > tolerance "
                                    + options.tolerance());
                }
                stored = 0; // drop curvature history and retry with steepest descent
                continue;
            }
            failures = 0;
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = Vectors.dot(sk, yk);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = ls.valueAtStep;
            checkFinite(fx, g, iter);
            if (sy > 1e-300) {
                s[head] = sk;
                y[head] = yk;
                rho[head] = 1.0 / sy;
                head = (head + 1) % m;
                stored = Math.min(stored + 1, m);
            }
            residual = measure.residual(x, g);
            lis.iteration(iter, fx, residual);
            if (residual <= options.tolerance()) {
                return new OptimizationResult(x, fx, Vectors.norm2(g), residual, iter, evals, true, "converged");
            }
        }
        return new OptimizationResult(x, fx, Vectors.norm2(g), residual, options.maxIterations(), evals, false,
                "iteration cap " + options.maxIterations() + " reached; stationarity residual " + residual
                        + " > tolerance " + options.tolerance());
    }

    private static void checkFinite(double fx, double[] g, int iter) {
        if (!Double.isFinite(fx)) {
            throw new ArithmeticException("objective is " + fx + " at iteration " + iter);
        }
        for (double v : g) {
            if (!Double.isFinite(v)) {
                throw new ArithmeticException("gradient has a non-finite entry at iteration " + iter);
            }
        }
    }

    /** Strong-Wolfe line search along d from x; on success xNew/gNew hold the accepted point. */
    private final class LineSearch {
        final DifferentiableFunction f;
        final double[] x;
        final double f0;
        final double[] d;
        final double dg0;
        final double[] xNew;
        final double[] gNew;
        int evaluations;
        double valueAtStep;
        final double roundoff;
        /** Trial points where both the value and the directional derivative were finite. */
        int finiteTrials;
        /** The first non-finite value seen (NaN when only the gradient was non-finite), and the smallest step. */
        double badValue = Double.NaN;
        boolean valueWasBad;
        double smallestStep = Double.POSITIVE_INFINITY;

        LineSearch(DifferentiableFunction f, double[] x, double f0, double[] g0, double[] d, double dg0,
                   double[] xNew, double[] gNew) {
            this.f = f;
            this.x = x;
            this.f0 = f0;
            this.d = d;
            this.dg0 = dg0;
            this.xNew = xNew;
            this.gNew = gNew;
            this.roundoff = 1e-13 * (1 + Math.abs(f0));
        }

        private double phi(double a) {
            for (int i = 0; i < x.length; i++) {
                xNew[i] = x[i] + a * d[i];
            }
            evaluations++;
            smallestStep = Math.min(smallestStep, a);
            return f.valueAndGradient(xNew, gNew);
        }

        /**
         * Whether a trial is usable: a finite value and a finite directional derivative (a NaN or infinite
         * gradient entry makes the dot product with d non-finite). Records non-finite trials for the message.
         */
        private boolean finite(double fa, double da) {
            if (Double.isFinite(fa) && Double.isFinite(da)) {
                finiteTrials++;
                return true;
            }
            if (!valueWasBad && !Double.isFinite(fa)) {
                valueWasBad = true;
                badValue = fa;
            }
            return false;
        }

        String nonFiniteMessage(int iter) {
            String what = valueWasBad ? "objective is " + badValue : "gradient has a non-finite entry";
            return what + " at every trial point of the line search at iteration " + iter + " (" + evaluations
                    + " trials, steps down to " + smallestStep + ")";
        }

        private boolean armijo(double a, double fa) {
            return fa <= f0 + options.c1() * a * dg0 || Math.abs(fa - f0) <= roundoff;
        }

        /** Returns the accepted step, or NaN when none was found. */
        double search(double a1) {
            double c2 = options.c2();
            double aPrev = 0;
            double fPrev = f0;
            double dPrev = dg0;
            double a = a1;
            for (int i = 0; i < 40; i++) {
                double fa = phi(a);
                double da = Vectors.dot(gNew, d);
                if (!finite(fa, da)) {
                    a = 0.5 * (aPrev + a);
                    continue;
                }
                if (!armijo(a, fa) || (i > 0 && fa >= fPrev && Math.abs(fa - fPrev) > roundoff)) {
                    return zoom(aPrev, fPrev, dPrev, a, fa, da);
                }
                if (Math.abs(da) <= -c2 * dg0) {
                    valueAtStep = fa;
                    return a;
                }
                if (da >= 0) {
                    return zoom(a, fa, da, aPrev, fPrev, dPrev);
                }
                aPrev = a;
                fPrev = fa;
                dPrev = da;
                a = a * 2;
            }
            return Double.NaN;
        }

        private double zoom(double lo, double fLo, double dLo, double hi, double fHi, double dHi) {
            double c2 = options.c2();
            for (int i = 0; i < 60; i++) {
                double a = cubicMin(lo, fLo, dLo, hi, fHi, dHi);
                double lower = Math.min(lo, hi);
                double upper = Math.max(lo, hi);
                double width = upper - lower;
                if (!(a > lower + 0.1 * width && a < upper - 0.1 * width)) {
                    a = 0.5 * (lo + hi);
                }
                if (width <= 1e-16 * Math.max(1.0, upper)) {
                    return Double.NaN;
                }
                double fa = phi(a);
                double da = Vectors.dot(gNew, d);
                if (!finite(fa, da) || !armijo(a, fa) || (fa >= fLo && Math.abs(fa - fLo) > roundoff)) {
                    hi = a;
                    fHi = fa;
                    dHi = da;
                } else {
                    if (Math.abs(da) <= -c2 * dg0) {
                        valueAtStep = fa;
                        return a;
                    }
                    if (da * (hi - lo) >= 0) {
                        hi = lo;
                        fHi = fLo;
                        dHi = dLo;
                    }
                    lo = a;
                    fLo = fa;
                    dLo = da;
                }
            }
            return Double.NaN;
        }

        /** Minimizer of the cubic interpolating (a, fa, da) and (b, fb, db); NaN when it does not exist. */
        private double cubicMin(double a, double fa, double da, double b, double fb, double db) {
            if (!Double.isFinite(fb)) {
                return Double.NaN;
            }
            double d1 = da + db - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - da * db;
            if (disc < 0) {
                return Double.NaN;
            }
            double d2 = Math.signum(b - a) * Math.sqrt(disc);
            return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
        }
    }
}
