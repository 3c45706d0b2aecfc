package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.LinearOperator;
import org.junit.jupiter.api.Test;
import org.netlib.util.intW;

class ConjugateGradientTest {
    private static final double EPS = Math.ulp(1.0);

    private static DenseMatrix hilbert(int n) {
        DenseMatrix h = new DenseMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                h.set(i, j, 1.0 / (i + j + 1));
            }
        }
        return h;
    }

    private static long binomial(int n, int k) {
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i; // exact: c * (n-k+i) is divisible by i at every step
        }
        return c;
    }

    /**
     * The exact inverse of the n x n Hilbert matrix, an integer matrix (Choi, "Tricks or treats with the Hilbert
     * matrix", 1983): (H^-1)_ij = (-1)^(i+j) (i+j-1) C(n+i-1, n-j) C(n+j-1, n-i) C(i+j-2, i-1)^2, 1-based.
     */
    private static long[][] hilbertInverse(int n) {
        long[][] inv = new long[n][n];
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= n; j++) {
                long c = binomial(i + j - 2, i - 1);
                long v = (i + j - 1) * binomial(n + i - 1, n - j) * binomial(n + j - 1, n - i) * c * c;
                inv[i - 1][j - 1] = (i + j) % 2 == 0 ? v : -v;
            }
        }
        return inv;
    }

    private static double[] multiply(DenseMatrix a, double[] x) {
        double[] y = new double[a.rows()];
        for (int i = 0; i < a.rows(); i++) {
            double s = 0;
            for (int j = 0; j < a.cols(); j++) {
                s += a.get(i, j) * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    private static double normInf(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double norm2(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /** ||b - A x|| computed directly (not CG's recursively updated residual). */
    private static double[] trueResidual(DenseMatrix a, double[] x, double[] b) {
        double[] ax = multiply(a, x);
        double[] r = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i] - ax[i];
        }
        return r;
    }

    private static double[] ones(int n) {
        double[] b = new double[n];
        java.util.Arrays.fill(b, 1.0);
        return b;
    }

    @Test
    void hilbertInverseFormulaIsRight() {
        // sanity check of the reference itself: H * H^-1 = I for n = 5 (exact in rationals, to rounding here)
        int n = 5;
        DenseMatrix h = hilbert(n);
        long[][] inv = hilbertInverse(n);
        assertEquals(25, inv[0][0]);
        assertEquals(79380, inv[2][2]);
        assertEquals(179200, inv[3][3]);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += h.get(i, k) * inv[k][j];
                }
                // |H| |H^-1| sums reach ~1e6 for n = 5, so rounding of the products leaves up to ~1e6 eps ~ 2e-10
                assertEquals(i == j ? 1.0 : 0.0, s, 1e-9);
            }
        }
    }

    @Test
    void hilbertFiveMatchesCholeskyAndTheExactInverse() {
        int n = 5;
        DenseMatrix h = hilbert(n);
        long[][] inv = hilbertInverse(n);
        double[] b = ones(n);
        double[] exact = new double[n]; // H^-1 * 1, integers, exact in long arithmetic
        double invNorm = 0;
        for (int i = 0; i < n; i++) {
            long s = 0;
            long row = 0;
            for (int j = 0; j < n; j++) {
                s += inv[i][j];
                row += Math.abs(inv[i][j]);
            }
            exact[i] = s;
            invNorm = Math.max(invNorm, row);
        }
        double hNorm = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) {
                row += h.get(i, j);
            }
            hNorm = Math.max(hNorm, row);
        }
        double kappa = hNorm * invNorm; // infinity-norm condition number: (137/60) * 413280 = 943656 exactly
        // only the rounding of the 1/k entries in H's row sum (a few eps relative) separates it from the integer
        assertEquals(943656, kappa, 1e-9 * 943656);

        SolveResult cg = new ConjugateGradient(1e-13, 200).solve(LinearOperator.of(h), b);
        assertTrue(cg.converged(), "residual " + cg.residualNorm());
        double res = normInf(trueResidual(h, cg.x(), b)) / normInf(b);
        // Rounding in forming H x alone is up to n eps ||H|| ||x||, so the true residual can only be asked to reach
        // the requested 1e-13 up to that floor (~1e-12 here).
        assertTrue(res <= 1e-13 + n * EPS * hNorm * normInf(cg.x()) / normInf(b), "true relative residual " + res);

        double[] chol = Cholesky.factorize(h).solve(b);
        // Forward error <= kappa (relative residual + the error of H's own rounding and of Cholesky, a few n eps).
        double budget = kappa * (res + 10 * n * EPS);
        // CG and Cholesky are each within budget of the exact solution, hence within 2 budget of each other
        assertTrue(relErrInf(cg.x(), chol) <= 2 * budget, "CG vs Cholesky " + relErrInf(cg.x(), chol));
        assertTrue(relErrInf(cg.x(), exact) <= budget, "CG vs exact " + relErrInf(cg.x(), exact));
        assertTrue(relErrInf(chol, exact) <= kappa * 10 * n * EPS, "Cholesky vs exact " + relErrInf(chol, exact));
    }

    private static double relErrInf(double[] x, double[] ref) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - ref[i]));
        }
        return m / normInf(ref);
    }

    @Test
    void hilbertEightReachesASmallResidual() {
        // cond(H_8) ~ 1.5e10 (2-norm): any x with relative residual r is only known to relative accuracy ~1.5e10 r,
        // so the assertion is on the residual, the quantity CG controls.
        int n = 8;
        DenseMatrix h = hilbert(n);
        double hNorm = norm2(h.data()); // Frobenius norm
        double[] b = ones(n);
        double tol = 1e-10;
        SolveResult cg = new ConjugateGradient(tol, 1000).solve(LinearOperator.of(h), b);
        assertTrue(cg.converged(), "residual " + cg.residualNorm() + " after " + cg.iterations());
        assertTrue(cg.residualNorm() <= tol * norm2(b));
        double res = norm2(trueResidual(h, cg.x(), b)) / norm2(b);
        // ||x|| ~ 3e5, so forming H x rounds by up to n eps ||H|| ||x|| ~ 1e-9 relative to ||b||: the true residual
        // meets the tolerance up to that floor (the recursive residual does not see it).
        double floor = n * EPS * hNorm * norm2(cg.x()) / norm2(b);
        assertTrue(res <= tol + floor, "true relative residual " + res + ", floor " + floor);
        // the backward-stable Cholesky solution sits at the same floor
        double[] chol = Cholesky.factorize(h).solve(b);
        double cholRes = norm2(trueResidual(h, chol, b)) / norm2(b);
        assertTrue(cholRes <= n * EPS * hNorm * norm2(chol) / norm2(b), "Cholesky relative residual " + cholRes);
    }

    private static DenseMatrix randomSpd(int n, double shift, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(n, n);
        for (int k = 0; k < n * n; k++) {
            m.data()[k] = rnd.nextGaussian() / Math.sqrt(n);
        }
        DenseMatrix a = new DenseMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += m.get(k, i) * m.get(k, j);
                }
                a.set(i, j, s + (i == j ? shift : 0));
                a.set(j, i, s + (i == j ? shift : 0));
            }
        }
        return a;
    }

    private static double[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    /** lambda_max / lambda_min of a symmetric matrix, by LAPACK dsyev (eigenvalues only). */
    private static double condition(DenseMatrix a) {
        int n = a.rows();
        double[] w = new double[n];
        double[] work = new double[10 * n];
        intW info = new intW(0);
        Blas.lapack().dsyev("N", "L", n, a.data().clone(), n, w, work, work.length, info);
        assertEquals(0, info.val);
        return w[n - 1] / w[0];
    }

    @Test
    void randomSpdConvergesWithinNIterations() {
        int n = 50;
        DenseMatrix a = randomSpd(n, 0.5, 3); // M^T M + 0.5 I: eigenvalues in [0.5, ~4.4], cond ~ 8.7
        double kappa = condition(a);
        double[] b = gaussian(n, 4);
        double tol = 1e-10;
        SolveResult cg = new ConjugateGradient(tol, n).solve(LinearOperator.of(a), b);
        assertTrue(cg.converged(), "residual " + cg.residualNorm() + " after " + cg.iterations());
        // Chebyshev bound: ||r_k|| / ||b|| <= 2 sqrt(kappa) q^k with q = (sqrt(kappa) - 1) / (sqrt(kappa) + 1),
        // so k = ceil(log(tol / (2 sqrt(kappa))) / log q) iterations suffice (36 here, fewer than n)
        double sk = Math.sqrt(kappa);
        int bound = (int) Math.ceil(Math.log(tol / (2 * sk)) / Math.log((sk - 1) / (sk + 1)));
        assertTrue(bound < n, "bound " + bound);
        assertTrue(cg.iterations() <= bound, "iterations " + cg.iterations() + " > Chebyshev bound " + bound);
        assertTrue(cg.residualNorm() <= tol * norm2(b));
        double res = norm2(trueResidual(a, cg.x(), b)) / norm2(b);
        // the true residual differs from the recursive one by rounding, ~n eps ||A|| ||x|| / ||b|| ~ 1e-14 here
        double floor = n * EPS * norm2(a.data()) * norm2(cg.x()) / norm2(b);
        assertTrue(res <= tol + floor, "true relative residual " + res);
        double[] chol = Cholesky.factorize(a).solve(b);
        double err = norm2(subtract(cg.x(), chol)) / norm2(chol);
        // forward error <= kappa (relative residual + Cholesky's own backward error, a few n eps)
        assertTrue(err <= kappa * (res + 10 * n * EPS), "relative error " + err);
    }

    private static double[] subtract(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    @Test
    void indefiniteMatrixIsNotConverged() {
        // diag(1, -1): the first direction b = (1, 1) has curvature d^T A d = 0
        DenseMatrix a = DenseMatrix.fromRows(new double[][] {{1, 0}, {0, -1}});
        SolveResult r = new ConjugateGradient(1e-10, 10).solve(LinearOperator.of(a), new double[] {1, 1});
        assertFalse(r.converged());
        assertEquals(Math.sqrt(2), r.residualNorm()); // x = 0 was never updated: the residual is ||b||
        assertArrayEquals(new double[] {0, 0}, r.x());

        // negative definite: d^T A d < 0 at once
        DenseMatrix neg = DenseMatrix.identity(4).scaleInPlace(-1);
        SolveResult rn = new ConjugateGradient(1e-10, 10).solve(LinearOperator.of(neg), ones(4));
        assertFalse(rn.converged());
        assertEquals(1, rn.iterations());

        // indefinite with a positive first curvature: diag(2, -1, 1), b = (1, 1, 1) has d^T A d = 2 > 0 at the
        // start; the second direction meets non-positive curvature
        DenseMatrix mixed = DenseMatrix.fromRows(new double[][] {{2, 0, 0}, {0, -1, 0}, {0, 0, 1}});
        SolveResult rm = new ConjugateGradient(1e-10, 10).solve(LinearOperator.of(mixed), ones(3));
        assertFalse(rm.converged());
        assertEquals(2, rm.iterations());
    }

    @Test
    void iterationCapIsNotConvergedAndReportsTheResidual() {
        int n = 50;
        DenseMatrix a = randomSpd(n, 0.01, 5);
        double[] b = gaussian(n, 6);
        double tol = 1e-12;
        SolveResult r = new ConjugateGradient(tol, 3).solve(LinearOperator.of(a), b);
        assertFalse(r.converged());
        assertEquals(3, r.iterations());
        assertTrue(r.residualNorm() > tol * norm2(b));
        // after three steps the recursive and the true residual agree to rounding (relative 1e-12)
        assertEquals(norm2(trueResidual(a, r.x(), b)), r.residualNorm(), 1e-12 * norm2(b));
    }

    @Test
    void zeroRightHandSideIsSolvedAtOnce() {
        SolveResult r = new ConjugateGradient(1e-10, 10).solve(LinearOperator.of(hilbert(3)), new double[3]);
        assertTrue(r.converged());
        assertEquals(0, r.iterations());
        assertArrayEquals(new double[3], r.x());
    }

    @Test
    void argumentsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ConjugateGradient(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ConjugateGradient(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> new ConjugateGradient(1e-8, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConjugateGradient(1e-8, 10).solve(LinearOperator.of(hilbert(3)), new double[4]));
        assertTrue(e.getMessage().contains("4") && e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void jacobiPreconditioningSolvesBadlyScaledSystemsInFewerIterations() {
        // A = S B S with B a well-conditioned SPD matrix and S a diagonal scaling spanning 1e-3 .. 1e3 (the shape of
        // a bag-of-words Hessian): plain CG needs many iterations, Jacobi-preconditioned CG few; both reach the
        // Cholesky solution
        int n = 60;
        SplittableRandom rnd = new SplittableRandom(4);
        DenseMatrix g = new DenseMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g.set(i, j, rnd.nextGaussian() / Math.sqrt(n));
            }
        }
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            scale[i] = Math.pow(10, -3 + 6.0 * i / (n - 1));
        }
        DenseMatrix a = new DenseMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double bij = i == j ? 1 : 0;
                for (int k = 0; k < n; k++) {
                    bij += 0.2 * g.get(k, i) * g.get(k, j);
                }
                a.set(i, j, scale[i] * bij * scale[j]);
            }
        }
        double[] b = rnd.doubles(n, -1, 1).toArray();
        LinearOperator op = new LinearOperator() {
            @Override
            public int dim() {
                return n;
            }

            @Override
            public void apply(double[] v, double[] out) {
                System.arraycopy(multiply(a, v), 0, out, 0, n);
            }
        };
        double[] inverseDiagonal = new double[n];
        for (int i = 0; i < n; i++) {
            inverseDiagonal[i] = 1 / a.get(i, i);
        }
        double[] exact = Cholesky.factorize(a.copy()).solve(b);
        SolveResult plain = new ConjugateGradient(1e-10, 5000).solve(op, b);
        SolveResult jacobi = new ConjugateGradient(1e-10, 5000).solve(op, b, inverseDiagonal);
        assertTrue(jacobi.converged());
        assertTrue(jacobi.iterations() * 3 < plain.iterations(),
                "Jacobi " + jacobi.iterations() + " vs plain " + plain.iterations() + " iterations");
        double err = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            err += (exact[i] - jacobi.x()[i]) * (exact[i] - jacobi.x()[i]);
            norm += exact[i] * exact[i];
        }
        // the worst-case bound ||A^-1|| ||r|| is loose here: the scaled system is well conditioned and the error
        // is measured at 6e-16 relative (17 Jacobi vs 3,051 plain iterations); 1e-10 still catches a wrong solve
        assertTrue(Math.sqrt(err / norm) < 1e-10, "relative error " + Math.sqrt(err / norm));
    }
}
