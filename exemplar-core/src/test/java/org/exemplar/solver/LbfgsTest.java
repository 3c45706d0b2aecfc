package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.linalg.Vectors;
import org.junit.jupiter.api.Test;

class LbfgsTest {

    private static final StationarityMeasure GRADIENT_NORM = (x, g) -> Vectors.norm2(g);

    /**
     * The extended Rosenbrock function of Moré, Garbow &amp; Hillstrom (1981), problem 21: a sum over pairs
     * (x_{2i}, x_{2i+1}) of 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2; for n = 2 the classic function. Its
     * only minimizer is (1, ..., 1) with value 0.
     */
    private static DifferentiableFunction rosenbrock(int n) {
        return new DifferentiableFunction() {
            @Override
            public int dim() {
                return n;
            }

            @Override
            public double valueAndGradient(double[] x, double[] g) {
                double f = 0;
                for (int i = 0; i < n; i += 2) {
                    double a = x[i + 1] - x[i] * x[i];
                    double b = 1 - x[i];
                    f += 100 * a * a + b * b;
                    g[i] = -400 * a * x[i] - 2 * b;
                    g[i + 1] = 200 * a;
                }
                return f;
            }
        };
    }

    /** The standard start (-1.2, 1, -1.2, 1, ...). */
    private static double[] rosenbrockStart(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i += 2) {
            x[i] = -1.2;
            x[i + 1] = 1;
        }
        return x;
    }

    private static LbfgsOptions options(double tol, int maxIterations) {
        return new LbfgsOptions(10, maxIterations, tol, 1e-4, 0.9);
    }

    @Test
    void rosenbrockTwoDimensional() {
        checkRosenbrock(2);
    }

    @Test
    void rosenbrockTenDimensional() {
        checkRosenbrock(10);
    }

    private static void checkRosenbrock(int n) {
        double tol = 1e-9;
        AtomicInteger listened = new AtomicInteger();
        AtomicInteger evaluated = new AtomicInteger();
        DifferentiableFunction f = rosenbrock(n);
        DifferentiableFunction counted = new DifferentiableFunction() {
            @Override
            public int dim() {
                return n;
            }

            @Override
            public double valueAndGradient(double[] x, double[] g) {
                evaluated.incrementAndGet();
                return f.valueAndGradient(x, g);
            }
        };
        OptimizationResult r = new Lbfgs(options(tol, 1000)).minimize(counted, rosenbrockStart(n), GRADIENT_NORM,
                (it, v, res) -> assertEquals(listened.incrementAndGet(), it));
        assertTrue(r.converged(), r.message());
        assertTrue(r.residual() <= tol, "residual " + r.residual());
        assertEquals(r.residual(), r.gradientNorm()); // the measure here is the gradient norm
        assertEquals(listened.get(), r.iterations(), "one listener event per iteration");
        assertEquals(evaluated.get(), r.evaluations(), "every function evaluation counted");
        assertTrue(r.iterations() < 200, "iterations " + r.iterations());
        // The Hessian at (1, 1) is [[802, -400], [-400, 200]] per pair, smallest eigenvalue ~0.399, so near the
        // minimizer ||x - 1|| <= ||g|| / 0.399 ~ 2.5e-9; 1e-7 leaves room for the non-quadratic terms.
        for (double xi : r.x()) {
            assertEquals(1.0, xi, 1e-7);
        }
        // f ~ 0.5 e^T H e <= 0.5 * 1001.6 * (2.5e-9)^2 per pair, well below 1e-14.
        assertTrue(r.value() < 1e-14, "value " + r.value());
    }

    /** A random orthogonal matrix: Gram-Schmidt (twice, for orthogonality to rounding) on Gaussian columns. */
    private static DenseMatrix randomOrthogonal(int n, SplittableRandom rnd) {
        double[][] q = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    Vectors.axpy(-Vectors.dot(q[k], v), q[k], v);
                }
            }
            q[j] = Vectors.scaled(v, 1 / Vectors.norm2(v));
        }
        return DenseMatrix.fromRows(q).transpose(); // columns are the q[j]
    }

    /** Q diag(lambda) Q^T, symmetrized exactly. */
    private static DenseMatrix spd(double[] lambda, SplittableRandom rnd) {
        int n = lambda.length;
        DenseMatrix q = randomOrthogonal(n, rnd);
        DenseMatrix ql = q.copy();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                ql.set(i, j, q.get(i, j) * lambda[j]);
            }
        }
        DenseMatrix a = Blas.multiply(Transpose.NO, ql, Transpose.YES, q);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double s = 0.5 * (a.get(i, j) + a.get(j, i));
                a.set(i, j, s);
                a.set(j, i, s);
            }
        }
        return a;
    }

    @Test
    void stronglyConvexQuadraticReachesCholeskySolution() {
        int n = 30;
        double kappa = 1e4;
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = Math.pow(kappa, i / (n - 1.0)); // 1 ... 1e4, log-spaced
        }
        SplittableRandom rnd = new SplittableRandom(11);
        DenseMatrix a = spd(lambda, rnd);
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = rnd.nextGaussian();
        }
        double bNorm = Vectors.norm2(b);
        DifferentiableFunction quad = new DifferentiableFunction() {
            @Override
            public int dim() {
                return n;
            }

            @Override
            public double valueAndGradient(double[] x, double[] g) {
                double f = 0;
                for (int i = 0; i < n; i++) {
                    double ax = 0;
                    for (int j = 0; j < n; j++) {
                        ax += a.get(i, j) * x[j];
                    }
                    g[i] = ax - b[i];
                    f += x[i] * (0.5 * ax - b[i]);
                }
                return f;
            }
        };
        double tol = 1e-10;
        StationarityMeasure relative = (x, g) -> Vectors.norm2(g) / bNorm;
        OptimizationResult r = new Lbfgs(options(tol, 2000)).minimize(quad, new double[n], relative, null);
        assertTrue(r.converged(), r.message());
        assertTrue(r.residual() <= tol);

        double[] exact = Cholesky.factorize(a).solve(b);
        double err = Vectors.norm2(Vectors.subtract(r.x(), exact)) / Vectors.norm2(exact);
        // Forward error bound ||x - x*|| / ||x*|| <= kappa ||Ax - b|| / ||b||; 1e-13 on top of the residual covers
        // Cholesky's own backward error (~n eps) and the rounding in the gradient the residual was measured on.
        double bound = kappa * (r.residual() + 1e-13);
        assertTrue(err <= bound, "relative error " + err + " > " + bound);
        // f(x*) = -0.5 b^T x*
        double fStar = -0.5 * Vectors.dot(b, exact);
        // f(x) - f(x*) = 0.5 e^T A e <= 0.5 ||g||^2 / lambda_min with lambda_min = 1; relative 1e-12 is rounding.
        assertEquals(fStar, r.value(), 0.5 * Math.pow(r.residual() * bNorm, 2) + 1e-12 * Math.abs(fStar));
    }

    @Test
    void iterationCapIsReportedAsNotConverged() {
        double tol = 1e-12;
        OptimizationResult r = new Lbfgs(options(tol, 5)).minimize(rosenbrock(2), rosenbrockStart(2), GRADIENT_NORM,
                null);
        assertFalse(r.converged());
        assertEquals(5, r.iterations());
        assertTrue(r.residual() > tol);
        assertTrue(r.message().contains(Double.toString(r.residual())), r.message());
        assertTrue(r.message().contains("iteration cap 5"), r.message());
        // the reported residual is the measure at the returned point
        double[] g = new double[2];
        double f = rosenbrock(2).valueAndGradient(r.x(), g);
        assertEquals(f, r.value());
        assertEquals(Vectors.norm2(g), r.residual());
    }

    @Test
    void convergedAtStartTakesNoIteration() {
        OptimizationResult r = new Lbfgs(options(1e-10, 10)).minimize(rosenbrock(4), new double[] {1, 1, 1, 1},
                GRADIENT_NORM, null);
        assertTrue(r.converged());
        assertEquals(0, r.iterations());
        assertEquals(1, r.evaluations());
        assertArrayEquals(new double[] {1, 1, 1, 1}, r.x());
    }

    /** Rosenbrock whose value (or gradient) turns NaN after {@code finiteCalls} evaluations. */
    private static DifferentiableFunction poisoned(int finiteCalls, boolean inGradient) {
        DifferentiableFunction f = rosenbrock(2);
        AtomicInteger calls = new AtomicInteger();
        return new DifferentiableFunction() {
            @Override
            public int dim() {
                return 2;
            }

            @Override
            public double valueAndGradient(double[] x, double[] g) {
                double v = f.valueAndGradient(x, g);
                if (calls.getAndIncrement() < finiteCalls) {
                    return v;
                }
                if (inGradient) {
                    g[1] = Double.NaN;
                    return v;
                }
                return Double.NaN;
            }
        };
    }

    @Test
    void nanAtTheStartIsAnArithmeticError() {
        Lbfgs lbfgs = new Lbfgs(options(1e-10, 100));
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> lbfgs.minimize(poisoned(0, false), rosenbrockStart(2), GRADIENT_NORM, null));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        ArithmeticException eg = assertThrows(ArithmeticException.class,
                () -> lbfgs.minimize(poisoned(0, true), rosenbrockStart(2), GRADIENT_NORM, null));
        assertTrue(eg.getMessage().contains("gradient") && eg.getMessage().contains("non-finite"), eg.getMessage());
    }

    @Test
    void nanDuringTheRunIsAnArithmeticError() {
        // Finite for the first few evaluations, NaN everywhere afterwards: no step size can help, so this must
        // surface as an arithmetic error rather than as a vague "no progress".
        Lbfgs lbfgs = new Lbfgs(options(1e-10, 100));
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> lbfgs.minimize(poisoned(5, false), rosenbrockStart(2), GRADIENT_NORM, null));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        ArithmeticException eg = assertThrows(ArithmeticException.class,
                () -> lbfgs.minimize(poisoned(5, true), rosenbrockStart(2), GRADIENT_NORM, null));
        assertTrue(eg.getMessage().contains("non-finite"), eg.getMessage());
    }

    @Test
    void nanOutsideTheDomainIsHandledByTheLineSearch() {
        // f(x) = sum c_i (x_i - 2)^2 / 2, defined only for x_i < 2.05 (NaN beyond, like a barrier's domain), with
        // curvatures c = (100, 1): from (1.9, 1.9) the first trial step (length min(1, ||g||) ~ 1 along -g) lands
        // at x_0 ~ 2.9, outside, and the line search must back off into the domain instead of failing.
        double[] c = {100, 1};
        AtomicInteger nanCalls = new AtomicInteger();
        DifferentiableFunction f = new DifferentiableFunction() {
            @Override
            public int dim() {
                return 2;
            }

            @Override
            public double valueAndGradient(double[] x, double[] g) {
                double v = 0;
                for (int i = 0; i < 2; i++) {
                    if (!(x[i] < 2.05)) {
                        nanCalls.incrementAndGet();
                        return Double.NaN;
                    }
                    g[i] = c[i] * (x[i] - 2);
                    v += 0.5 * c[i] * (x[i] - 2) * (x[i] - 2);
                }
                return v;
            }
        };
        OptimizationResult r = new Lbfgs(options(1e-12, 100)).minimize(f, new double[] {1.9, 1.9}, GRADIENT_NORM,
                null);
        assertTrue(nanCalls.get() > 0, "the test should exercise a NaN trial point");
        assertTrue(r.converged(), r.message());
        // the gradient is c_i (x_i - 2) with c_i >= 1, so |x_i - 2| <= residual <= 1e-12
        for (double xi : r.x()) {
            assertEquals(2.0, xi, 1e-12);
        }
    }

    @Test
    void sameRunTwiceIsBitIdentical() {
        Lbfgs lbfgs = new Lbfgs(options(1e-10, 1000));
        OptimizationResult a = lbfgs.minimize(rosenbrock(10), rosenbrockStart(10), GRADIENT_NORM, null);
        OptimizationResult b = lbfgs.minimize(rosenbrock(10), rosenbrockStart(10), GRADIENT_NORM, null);
        assertArrayEquals(a.x(), b.x());
        assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()));
        assertEquals(Double.doubleToRawLongBits(a.residual()), Double.doubleToRawLongBits(b.residual()));
        assertEquals(a.iterations(), b.iterations());
        assertEquals(a.evaluations(), b.evaluations());
        assertEquals(a.message(), b.message());
    }

    @Test
    void startIsNotModified() {
        double[] x0 = rosenbrockStart(4);
        new Lbfgs(options(1e-8, 1000)).minimize(rosenbrock(4), x0, GRADIENT_NORM, null);
        assertArrayEquals(rosenbrockStart(4), x0);
    }

    @Test
    void startOfWrongLengthIsRejected() {
        Lbfgs lbfgs = new Lbfgs(LbfgsOptions.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lbfgs.minimize(rosenbrock(4), new double[3], GRADIENT_NORM, null));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e.getMessage());
    }

    @Test
    void optionsAreValidated() {
        LbfgsOptions d = LbfgsOptions.defaults();
        assertEquals(d.tolerance(), new LbfgsOptions(d.memory(), d.maxIterations(), d.tolerance(), d.c1(), d.c2())
                .tolerance());
        assertEquals(1e-6, d.withTolerance(1e-6).tolerance());
        assertEquals(7, d.withMaxIterations(7).maxIterations());
        assertEquals(d.memory(), d.withMaxIterations(7).memory());

        assertOptionsError("memory", () -> new LbfgsOptions(0, 10, 1e-8, 1e-4, 0.9));
        assertOptionsError("maxIterations", () -> new LbfgsOptions(5, 0, 1e-8, 1e-4, 0.9));
        assertOptionsError("tolerance", () -> new LbfgsOptions(5, 10, 0, 1e-4, 0.9));
        assertOptionsError("tolerance", () -> new LbfgsOptions(5, 10, -1e-8, 1e-4, 0.9));
        assertOptionsError("tolerance", () -> new LbfgsOptions(5, 10, Double.NaN, 1e-4, 0.9));
        assertOptionsError("c1", () -> new LbfgsOptions(5, 10, 1e-8, 0, 0.9));
        assertOptionsError("c1", () -> new LbfgsOptions(5, 10, 1e-8, 0.9, 0.9));
        assertOptionsError("c1", () -> new LbfgsOptions(5, 10, 1e-8, 0.95, 0.9));
        assertOptionsError("c2", () -> new LbfgsOptions(5, 10, 1e-8, 1e-4, 1.0));
        assertOptionsError("c1", () -> new LbfgsOptions(5, 10, 1e-8, Double.NaN, 0.9));
        assertOptionsError("tolerance", () -> d.withTolerance(0));
        assertOptionsError("maxIterations", () -> d.withMaxIterations(-1));
    }

    private static void assertOptionsError(String fragment, org.junit.jupiter.api.function.Executable body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
