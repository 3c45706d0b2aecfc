package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.model.SparseLogisticRegression.Penalty;
import org.junit.jupiter.api.Test;

class HighDimRepresenterTest {

    /** Sparse random features (density 0.2), labels from a sparse linear truth with 10 % noise. */
    static CsrMatrix sparse(int n, int p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix d = new DenseMatrix(n, p);
        for (int k = 0; k < d.data().length; k++) {
            if (r.nextDouble() < 0.2) {
                d.data()[k] = r.nextGaussian();
            }
        }
        return CsrMatrix.fromDense(d);
    }

    static double[] labels(CsrMatrix x, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] truth = new double[x.cols()];
        for (int j = 0; j < 5; j++) {
            truth[j] = r.nextBoolean() ? 2 : -2;
        }
        double[] z = x.multiply(truth);
        double[] y = new double[z.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (z[i] > 0 ? 1 : -1) * (r.nextDouble() < 0.1 ? -1 : 1);
        }
        return y;
    }

    /** Gradient of the data term computed densely, independently of the library's sparse kernels. */
    static double[] denseGradient(DenseMatrix x, double[] y, double[] theta, double b) {
        int n = x.rows();
        double[] g = new double[x.cols() + 1];
        for (int i = 0; i < n; i++) {
            double z = b;
            for (int j = 0; j < x.cols(); j++) {
                z += x.get(i, j) * theta[j];
            }
            double d = -y[i] / (1 + Math.exp(y[i] * z)) / n;
            for (int j = 0; j < x.cols(); j++) {
                g[j] += d * x.get(i, j);
            }
            g[x.cols()] += d;
        }
        return g;
    }

    @Test
    void l1FitSatisfiesKktCheckedIndependentlyAndTheRepresenterDecompositionIsExact() {
        for (boolean bias : new boolean[] {false, true}) {
            CsrMatrix x = sparse(300, 60, 1);
            double[] y = labels(x, 2);
            double lambda = 0.02;
            SparseLogisticRegression model = new SparseLogisticRegression(Penalty.L1, lambda, bias, 1e-10, 10000);
            SparseFit fit = model.fit(x, y, null);
            assertTrue(fit.converged(), fit.message());
            assertTrue(fit.support() > 0 && fit.support() < 60, "sparse solution, support " + fit.support());
            // KKT from a dense, independent gradient: |g_j + lambda sign| = 0 on the support, |g_j| <= lambda off it
            double[] g = denseGradient(x.toDense(), y, fit.theta(), fit.bias());
            for (int j = 0; j < 60; j++) {
                double t = fit.theta()[j];
                if (t != 0) {
                    assertEquals(-lambda * Math.signum(t), g[j], 1e-9 * lambda, "coordinate " + j);
                } else {
                    assertTrue(Math.abs(g[j]) <= lambda * (1 + 1e-9), "coordinate " + j + ": " + g[j]);
                }
            }
            if (bias) {
                assertEquals(0.0, g[60], 1e-9 * lambda);
            }
            HighDimRepresenter rep = new HighDimRepresenter(x, y, fit, lambda);
            CsrMatrix test = sparse(25, 60, 3);
            for (int t = 0; t < test.rows(); t++) {
                // sum_i alpha_i local_i(x') + b = x'^T theta + b (Corollary 2); error ~ KKT residual * |x'|
                assertTrue(rep.decompositionError(test, t) < 1e-8, "test " + t + ": " + rep.decompositionError(test, t));
            }
        }
    }

    @Test
    void l2FitIsStationary() {
        CsrMatrix x = sparse(200, 30, 4);
        double[] y = labels(x, 5);
        SparseFit fit = new SparseLogisticRegression(Penalty.L2, 0.05, true, 1e-10, 1000).fit(x, y, null);
        assertTrue(fit.converged(), fit.message());
        double[] g = denseGradient(x.toDense(), y, fit.theta(), fit.bias());
        for (int j = 0; j < 30; j++) {
            assertEquals(0.0, g[j] + 0.05 * fit.theta()[j], 1e-10);
        }
        assertEquals(0.0, g[30], 1e-10);
    }

    @Test
    void influenceBaselineMatchesADenseRestrictedComputation() {
        CsrMatrix x = sparse(150, 20, 6);
        double[] y = labels(x, 7);
        double lambda = 0.03;
        SparseFit fit = new SparseLogisticRegression(Penalty.L1, lambda, false, 1e-10, 10000).fit(x, y, null);
        HighDimRepresenter rep = new HighDimRepresenter(x, y, fit, lambda);
        int[] s = rep.support();
        int q = s.length;
        DenseMatrix xd = x.toDense();
        int n = x.rows();
        DenseMatrix h = new DenseMatrix(q, q);
        double[] lp = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < 20; j++) {
                z += xd.get(i, j) * fit.theta()[j];
            }
            double sig = 1 / (1 + Math.exp(-z));
            lp[i] = -y[i] / (1 + Math.exp(y[i] * z));
            for (int a = 0; a < q; a++) {
                for (int b = 0; b < q; b++) {
                    h.add(a, b, sig * (1 - sig) * xd.get(i, s[a]) * xd.get(i, s[b]));
                }
            }
        }
        CsrMatrix test = sparse(3, 20, 8);
        for (int t = 0; t < 3; t++) {
            double[] xs = new double[q];
            for (int a = 0; a < q; a++) {
                xs[a] = test.denseRow(t)[s[a]];
            }
            double[] u = Cholesky.factorize(h).solve(xs);
            double[] got = rep.influenceValues(test, t);
            for (int i = 0; i < n; i++) {
                double expected = 0;
                for (int a = 0; a < q; a++) {
                    expected -= (lp[i] * xd.get(i, s[a]) / n + lambda * Math.signum(fit.theta()[s[a]])) * u[a];
                }
                assertEquals(expected, got[i], 1e-10 * (1 + Math.abs(expected)));
            }
        }
        // and the L2 baseline is -l'_i <x_i, x'>
        double[] l2 = rep.l2Values(test, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(-lp[i] * x.rowDot(i, test, 0), l2[i], 1e-12);
        }
    }

    @Test
    void warmStartedRetrainingAfterDeletionsReachesTheColdStartOptimum() {
        CsrMatrix x = sparse(400, 80, 9);
        double[] y = labels(x, 10);
        SparseLogisticRegression model = new SparseLogisticRegression(Penalty.L1, 0.01, true, 1e-10, 10000);
        SparseFit full = model.fit(x, y, null);
        int[] removed = java.util.stream.IntStream.range(0, 40).map(i -> 3 * i).toArray();
        CsrMatrix xk = x.withoutRows(removed);
        double[] yk = java.util.stream.IntStream.range(0, 400).filter(i -> i % 3 != 0 || i >= 120)
                .mapToDouble(i -> y[i]).toArray();
        SparseFit warm = model.fit(xk, yk, full.theta());
        SparseFit cold = model.fit(xk, yk, null);
        assertTrue(warm.converged() && cold.converged(), warm.message() + " / " + cold.message());
        // the L1 objective is strictly convex here (n > p, generic data): one minimizer; both runs are at KKT
        // residual <= 1e-10, which bounds their distance by ~1e-10 / (curvature ~ 1e-2)
        for (int j = 0; j < 80; j++) {
            assertEquals(cold.theta()[j], warm.theta()[j], 1e-7);
        }
        assertEquals(cold.bias(), warm.bias(), 1e-7);
    }

    @Test
    void aWarmStartFarFromTheOptimumGrowsAndShrinksTheWorkingSetToTheSameOptimum() {
        // start from the optimum of a 4x larger lambda (a much smaller support) and from a dense random point: the
        // working-set polish must add every violator and drop every wrong non-zero to reach the cold optimum
        CsrMatrix x = sparse(400, 80, 21);
        double[] y = labels(x, 22);
        SparseLogisticRegression model = new SparseLogisticRegression(Penalty.L1, 0.004, true, 1e-10, 10000);
        SparseFit cold = model.fit(x, y, null);
        double[] sparser = new SparseLogisticRegression(Penalty.L1, 0.016, true, 1e-10, 10000).fit(x, y, null).theta();
        double[] dense = new SplittableRandom(23).doubles(80, -0.5, 0.5).toArray();
        int coldSupport = cold.support();
        assertTrue(coldSupport > 0 && coldSupport < 80, "support " + coldSupport);
        for (double[] start : new double[][] {sparser, dense}) {
            SparseFit warm = model.fit(x, y, start);
            assertTrue(warm.converged(), warm.message());
            assertEquals(coldSupport, warm.support());
            for (int j = 0; j < 80; j++) {
                assertEquals(cold.theta()[j], warm.theta()[j], 1e-7);
            }
        }
    }

    @Test
    void selectColumnsKeepsTheListedColumnsInOrder() {
        CsrMatrix x = sparse(30, 12, 5);
        int[] cols = {0, 3, 4, 11};
        CsrMatrix s = x.selectColumns(cols);
        assertEquals(30, s.rows());
        assertEquals(4, s.cols());
        for (int i = 0; i < 30; i++) {
            double[] full = x.denseRow(i);
            double[] sub = s.denseRow(i);
            for (int k = 0; k < cols.length; k++) {
                assertEquals(full[cols[k]], sub[k], 0.0);
            }
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> x.selectColumns(new int[] {3, 3}));
    }

    @Test
    void transposeIsTheDenseTranspose() {
        CsrMatrix x = sparse(25, 9, 31);
        CsrMatrix t = x.transpose();
        assertEquals(9, t.rows());
        assertEquals(25, t.cols());
        assertEquals(x.nnz(), t.nnz());
        for (int i = 0; i < 25; i++) {
            for (int j = 0; j < 9; j++) {
                assertEquals(x.toDense().get(i, j), t.toDense().get(j, i), 0.0);
            }
        }
    }
}
