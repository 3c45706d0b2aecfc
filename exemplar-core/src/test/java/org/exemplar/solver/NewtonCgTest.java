package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NewtonCgTest {
    private static final int N = 200;
    private static final int D = 10;
    private static final double MU = 1e-2;

    /**
     * L2-regularized logistic regression on random data, written out here: f(w) = (1/n) sum_i [log(1 + e^{z_i})
     * - y_i z_i] + (mu / 2) ||w||^2 with z = X w; gradient (1/n) X^T (s - y) + mu w with s = sigmoid(z); Hessian
     * (1/n) X^T diag(s (1 - s)) X + mu I. It counts its calls and records where Hessian products were taken.
     */
    private static final class Logistic implements TwiceDifferentiableFunction {
        final double[][] x = new double[N][D];
        final double[] y = new double[N];
        int valueCalls;
        final Set<List<Double>> hessianPoints = new HashSet<>();

        Logistic(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] wTrue = new double[D];
            for (int j = 0; j < D; j++) {
                wTrue[j] = rnd.nextGaussian();
            }
            for (int i = 0; i < N; i++) {
                double z = 0;
                for (int j = 0; j < D; j++) {
                    x[i][j] = rnd.nextGaussian();
                    z += x[i][j] * wTrue[j];
                }
                y[i] = z + rnd.nextGaussian() > 0 ? 1 : 0; // noisy labels: the data are not separable
            }
        }

        @Override
        public int dim() {
            return D;
        }

        private double z(int i, double[] w) {
            double z = 0;
            for (int j = 0; j < D; j++) {
                z += x[i][j] * w[j];
            }
            return z;
        }

        private static double sigmoid(double z) {
            return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        }

        @Override
        public double valueAndGradient(double[] w, double[] g) {
            valueCalls++;
            double f = 0;
            for (int j = 0; j < D; j++) {
                g[j] = MU * w[j];
                f += 0.5 * MU * w[j] * w[j];
            }
            for (int i = 0; i < N; i++) {
                double z = z(i, w);
                double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
                f += (softplus - y[i] * z) / N;
                double r = (sigmoid(z) - y[i]) / N;
                for (int j = 0; j < D; j++) {
                    g[j] += r * x[i][j];
                }
            }
            return f;
        }

        @Override
        public void hessianVector(double[] w, double[] v, double[] out) {
            List<Double> key = new ArrayList<>();
            for (double wj : w) {
                key.add(wj);
            }
            hessianPoints.add(key);
            for (int j = 0; j < D; j++) {
                out[j] = MU * v[j];
            }
            for (int i = 0; i < N; i++) {
                double s = sigmoid(z(i, w));
                double r = s * (1 - s) * z(i, v) / N;
                for (int j = 0; j < D; j++) {
                    out[j] += r * x[i][j];
                }
            }
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static final StationarityMeasure GRADIENT_NORM = (x, g) -> norm(g);

    @Test
    void theTestObjectiveIsRight() {
        // central differences of the hand-written objective: step 1e-5, truncation ~1e-10 and rounding
        // ~eps |f| / h ~ 1e-11 for these O(1) values, so 1e-8 is a safe bound
        Logistic f = new Logistic(1);
        SplittableRandom rnd = new SplittableRandom(2);
        double[] w = new double[D];
        double[] v = new double[D];
        for (int j = 0; j < D; j++) {
            w[j] = rnd.nextGaussian();
            v[j] = rnd.nextGaussian();
        }
        double h = 1e-5;
        double[] g = new double[D];
        f.valueAndGradient(w, g);
        double[] hv = new double[D];
        f.hessianVector(w, v, hv);
        for (int j = 0; j < D; j++) {
            double[] wp = w.clone();
            double[] wm = w.clone();
            wp[j] += h;
            wm[j] -= h;
            double[] gp = new double[D];
            double[] gm = new double[D];
            double fd = (f.valueAndGradient(wp, gp) - f.valueAndGradient(wm, gm)) / (2 * h);
            assertEquals(fd, g[j], 1e-8);
        }
        double[] wp = w.clone();
        double[] wm = w.clone();
        for (int j = 0; j < D; j++) {
            wp[j] += h * v[j];
            wm[j] -= h * v[j];
        }
        double[] gp = new double[D];
        double[] gm = new double[D];
        f.valueAndGradient(wp, gp);
        f.valueAndGradient(wm, gm);
        for (int j = 0; j < D; j++) {
            assertEquals((gp[j] - gm[j]) / (2 * h), hv[j], 1e-8);
        }
    }

    @Test
    void reachesMachinePrecisionInFewIterations() {
        Logistic f = new Logistic(1);
        List<Double> residuals = new ArrayList<>();
        int[] lastIteration = {0};
        double tol = 1e-12;
        OptimizationResult r = new NewtonCg(50, tol).minimize(f, new double[D], GRADIENT_NORM, (it, v, res) -> {
            assertEquals(lastIteration[0] + 1, it);
            lastIteration[0] = it;
            residuals.add(res);
        });
        assertTrue(r.converged(), r.message());
        assertTrue(r.residual() <= tol);
        // Newton's method on this smooth, strongly convex objective converges superlinearly from w = 0: a handful
        // of iterations (7 here, the residual going 1e-1 ... 8e-6, 3e-9, 3e-14), far from the 50 allowed
        assertTrue(r.iterations() <= 10, "iterations " + r.iterations());

        // the iteration count is the real one: one listener event and one Hessian base point per iteration
        assertEquals(residuals.size(), r.iterations());
        assertEquals(f.hessianPoints.size(), r.iterations());
        assertEquals(f.valueCalls, r.evaluations());
        for (int k = 1; k < residuals.size(); k++) {
            assertTrue(residuals.get(k) < residuals.get(k - 1), "residuals " + residuals);
        }

        // the reported point, value and residual are consistent
        double[] g = new double[D];
        double value = f.valueAndGradient(r.x(), g);
        assertEquals(value, r.value());
        assertEquals(norm(g), r.residual());

        // mu-strong convexity: ||w - w*|| <= ||g(w)|| / mu; an independent L-BFGS run must land within the sum
        // of both bounds
        OptimizationResult q = new Lbfgs(new LbfgsOptions(10, 2000, 1e-11, 1e-4, 0.9))
                .minimize(f, new double[D], GRADIENT_NORM, null);
        assertTrue(q.converged(), q.message());
        double[] diff = new double[D];
        for (int j = 0; j < D; j++) {
            diff[j] = r.x()[j] - q.x()[j];
        }
        assertTrue(norm(diff) <= (r.residual() + q.residual()) / MU, "distance " + norm(diff));
    }

    @Test
    void iterationCapIsReported() {
        Logistic f = new Logistic(1);
        double tol = 1e-12;
        int[] events = {0};
        OptimizationResult r = new NewtonCg(2, tol).minimize(f, new double[D], GRADIENT_NORM,
                (it, v, res) -> events[0]++);
        assertFalse(r.converged());
        assertEquals(2, r.iterations());
        assertEquals(2, events[0]);
        assertEquals(2, f.hessianPoints.size());
        assertTrue(r.residual() > tol);
        assertTrue(r.message().contains(Double.toString(r.residual())), r.message());
    }

    @Test
    void convergedAtStartTakesNoIteration() {
        Logistic f = new Logistic(1);
        OptimizationResult solved = new NewtonCg(50, 1e-13).minimize(f, new double[D], GRADIENT_NORM, null);
        assertTrue(solved.converged(), solved.message());
        Logistic fresh = new Logistic(1);
        double[] start = solved.x().clone();
        OptimizationResult r = new NewtonCg(50, 1e-12).minimize(fresh, start, GRADIENT_NORM, null);
        assertTrue(r.converged());
        assertEquals(0, r.iterations());
        assertEquals(1, r.evaluations());
        assertEquals(0, fresh.hessianPoints.size());
        assertArrayEquals(solved.x(), r.x());
        assertArrayEquals(solved.x(), start); // the start is not modified
    }
}
