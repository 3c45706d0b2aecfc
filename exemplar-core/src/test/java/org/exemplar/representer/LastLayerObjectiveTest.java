package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.ReluMatchingLoss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.junit.jupiter.api.Test;

/**
 * J(Theta) = (1/n) sum_i L(t_i, Theta f_i) + lambda ||Theta||_F^2 against loops written here, central differences
 * and an explicit Hessian (1/n) sum_i H_y,i (x) f_i f_i^T + 2 lambda I.
 */
class LastLayerObjectiveTest {
    private static final int N = 7;
    private static final int P = 4;
    private static final double LAMBDA = 0.05;
    /** Central-difference step. */
    private static final double H = 1e-6;
    /**
     * Truncation h^2 |J'''| / 6 ~ 1e-13 and rounding eps |J| / h ~ 1e-9 for J = O(1-10): 1e-8 bounds both.
     */
    private static final double FD_TOL = 1e-8;
    /** Loops vs BLAS: same sums in a different order, O(1) magnitudes, a few ulps apart. */
    private static final double SUM_TOL = 1e-13;

    private static DenseMatrix uniform(int rows, int cols, double lo, double hi, SplittableRandom rnd) {
        DenseMatrix m = new DenseMatrix(rows, cols);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextDouble(lo, hi);
        }
        return m;
    }

    private record Problem(LastLayerObjective objective, DenseMatrix features, DenseMatrix targets, Loss loss,
                           int c, double[] theta) {
    }

    /**
     * A random problem for a loss. Theta and F are chosen so that every output Theta f_i stays at least 1e-2 away
     * from the ReLU loss's kink at 0 (a finite-difference step moves it by less than 1e-5).
     */
    private static Problem problem(Loss loss, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int c = loss instanceof SigmoidCrossEntropy ? 1 : 3;
        for (int attempt = 0; ; attempt++) {
            DenseMatrix f = uniform(N, P, -1, 1, rnd);
            DenseMatrix raw = uniform(N, c, -2, 2, rnd);
            DenseMatrix t = loss instanceof SquaredLoss ? raw : loss.targetsFromLogits(raw);
            double[] theta = uniform(c, P, -1, 1, rnd).data();
            double margin = Double.POSITIVE_INFINITY;
            for (double phi : phiLoops(f, theta, c).data()) {
                margin = Math.min(margin, Math.abs(phi));
            }
            if (margin > 1e-2) {
                return new Problem(new LastLayerObjective(f, t, loss, LAMBDA), f, t, loss, c, theta);
            }
            assertTrue(attempt < 100, "no draw keeps the outputs away from 0");
        }
    }

    private static Loss[] losses() {
        return new Loss[] {new SoftmaxCrossEntropy(), new SigmoidCrossEntropy(), new ReluMatchingLoss(),
                new SquaredLoss()};
    }

    /** Phi_ia = sum_j Theta_aj F_ij, by loops. */
    private static DenseMatrix phiLoops(DenseMatrix f, double[] theta, int c) {
        DenseMatrix phi = new DenseMatrix(f.rows(), c);
        for (int i = 0; i < f.rows(); i++) {
            for (int a = 0; a < c; a++) {
                double s = 0;
                for (int j = 0; j < f.cols(); j++) {
                    s += theta[a * f.cols() + j] * f.get(i, j);
                }
                phi.set(i, a, s);
            }
        }
        return phi;
    }

    private static double valueLoops(Problem pr, double[] theta) {
        DenseMatrix phi = phiLoops(pr.features, theta, pr.c);
        double total = 0;
        for (int i = 0; i < N; i++) {
            total += pr.loss.value(phi.row(i), 0, pr.targets.row(i), 0, pr.c);
        }
        double reg = 0;
        for (double v : theta) {
            reg += v * v;
        }
        return total / N + LAMBDA * reg;
    }

    /** The c x c output Hessian of example i at Theta, column by column from the loss's Hessian-vector product. */
    private static double[][] outputHessian(Problem pr, double[] theta, int i) {
        DenseMatrix phi = phiLoops(pr.features, theta, pr.c);
        double[][] hy = new double[pr.c][pr.c];
        for (int b = 0; b < pr.c; b++) {
            double[] e = new double[pr.c];
            e[b] = 1;
            double[] col = new double[pr.c];
            pr.loss.hessianVector(phi.row(i), 0, pr.targets.row(i), 0, e, 0, col, 0, pr.c);
            for (int a = 0; a < pr.c; a++) {
                hy[a][b] = col[a];
            }
        }
        return hy;
    }

    /** The explicit (c p) x (c p) Hessian, index a * p + j for Theta_aj (row-major flattening). */
    private static double[][] explicitHessian(Problem pr, double[] theta) {
        int d = pr.c * P;
        double[][] hess = new double[d][d];
        for (int i = 0; i < N; i++) {
            double[][] hy = outputHessian(pr, theta, i);
            for (int a = 0; a < pr.c; a++) {
                for (int j = 0; j < P; j++) {
                    for (int b = 0; b < pr.c; b++) {
                        for (int k = 0; k < P; k++) {
                            hess[a * P + j][b * P + k] += hy[a][b] * pr.features.get(i, j) * pr.features.get(i, k) / N;
                        }
                    }
                }
            }
        }
        for (int q = 0; q < d; q++) {
            hess[q][q] += 2 * LAMBDA;
        }
        return hess;
    }

    @Test
    void valueAndGradientMatchLoopsAndCentralDifferences() {
        long seed = 10;
        for (Loss loss : losses()) {
            Problem pr = problem(loss, seed++);
            LastLayerObjective obj = pr.objective;
            assertEquals(pr.c * P, obj.dim());
            assertEquals(pr.c, obj.outputs());
            double[] theta = pr.theta;
            double[] grad = new double[obj.dim()];
            double value = obj.valueAndGradient(theta, grad);
            assertEquals(valueLoops(pr, theta), value, SUM_TOL, loss.name());

            // closed form: (1/n) sum_i g_i f_i^T + 2 lambda Theta with g_i = dL/dPhi at Phi_i
            DenseMatrix phi = phiLoops(pr.features, theta, pr.c);
            double[] closed = new double[obj.dim()];
            for (int i = 0; i < N; i++) {
                double[] g = new double[pr.c];
                loss.valueAndGradient(phi.row(i), 0, pr.targets.row(i), 0, g, 0, pr.c);
                for (int a = 0; a < pr.c; a++) {
                    for (int j = 0; j < P; j++) {
                        closed[a * P + j] += g[a] * pr.features.get(i, j) / N;
                    }
                }
            }
            for (int q = 0; q < closed.length; q++) {
                closed[q] += 2 * LAMBDA * theta[q];
                assertEquals(closed[q], grad[q], SUM_TOL, loss.name());
            }

            for (int q = 0; q < obj.dim(); q++) {
                double[] tp = theta.clone();
                double[] tm = theta.clone();
                tp[q] += H;
                tm[q] -= H;
                double fd = (valueLoops(pr, tp) - valueLoops(pr, tm)) / (2 * H);
                assertEquals(fd, grad[q], FD_TOL, loss.name() + " parameter " + q);
            }
        }
    }

    @Test
    void hessianVectorMatchesDifferencesAndTheExplicitHessian() {
        long seed = 20;
        for (Loss loss : losses()) {
            Problem pr = problem(loss, seed++);
            LastLayerObjective obj = pr.objective;
            int d = obj.dim();
            double[] theta = pr.theta;
            double[][] hess = explicitHessian(pr, theta);
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < a; b++) {
                    assertEquals(hess[a][b], hess[b][a], 1e-15, "explicit Hessian symmetric"); // ulp of O(1)
                }
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int trial = 0; trial < 3; trial++) {
                double[] v = new double[d];
                for (int q = 0; q < d; q++) {
                    v[q] = rnd.nextDouble(-1, 1);
                }
                double[] hv = new double[d];
                obj.hessianVector(theta, v, hv);

                double[] tp = theta.clone();
                double[] tm = theta.clone();
                for (int q = 0; q < d; q++) {
                    tp[q] += H * v[q];
                    tm[q] -= H * v[q];
                }
                double[] gp = new double[d];
                double[] gm = new double[d];
                obj.valueAndGradient(tp, gp);
                obj.valueAndGradient(tm, gm);
                for (int q = 0; q < d; q++) {
                    assertEquals((gp[q] - gm[q]) / (2 * H), hv[q], FD_TOL, loss.name());
                    double s = 0;
                    for (int r = 0; r < d; r++) {
                        s += hess[q][r] * v[r];
                    }
                    assertEquals(s, hv[q], SUM_TOL, loss.name());
                }
            }
            // the product with a basis vector is a column of the Hessian
            double[] e = new double[d];
            e[d - 1] = 1;
            double[] col = new double[d];
            obj.hessianVector(theta, e, col);
            for (int q = 0; q < d; q++) {
                assertEquals(hess[q][d - 1], col[q], SUM_TOL, loss.name());
            }
        }
    }

    @Test
    void outputsAreFThetaTransposed() {
        Problem pr = problem(new SoftmaxCrossEntropy(), 30);
        DenseMatrix phi = pr.objective.outputs(pr.theta);
        DenseMatrix expected = phiLoops(pr.features, pr.theta, pr.c);
        for (int k = 0; k < phi.data().length; k++) {
            assertEquals(expected.data()[k], phi.data()[k], SUM_TOL);
        }
        DenseMatrix g = pr.objective.outputGradients(pr.theta);
        for (int i = 0; i < N; i++) {
            double[] gi = new double[pr.c];
            pr.loss.valueAndGradient(expected.row(i), 0, pr.targets.row(i), 0, gi, 0, pr.c);
            for (int a = 0; a < pr.c; a++) {
                assertEquals(gi[a], g.get(i, a), SUM_TOL);
            }
        }
    }

    @Test
    void stationarityResidualIsTheRepresenterDecompositionError() {
        for (Loss loss : losses()) {
            Problem pr = problem(loss, 40);
            LastLayerObjective obj = pr.objective;
            double[] theta = pr.theta;
            double[] grad = new double[obj.dim()];
            obj.valueAndGradient(theta, grad);
            double res = obj.stationarityResidual(theta, grad);
            // same formula; the library's norm is scaled against overflow, so the two differ by a few roundings
            assertEquals(norm(grad) / (2 * LAMBDA * norm(theta)), res, 8 * Math.ulp(res));

            // Theta - sum_i alpha_i f_i^T with alpha_i = -g_i / (2 lambda n) (Yeh et al. 2018, Thm 3.1)
            DenseMatrix g = obj.outputGradients(theta);
            double[] diff = theta.clone();
            for (int i = 0; i < N; i++) {
                for (int a = 0; a < pr.c; a++) {
                    double alpha = -g.get(i, a) / (2 * LAMBDA * N);
                    for (int j = 0; j < P; j++) {
                        diff[a * P + j] -= alpha * pr.features.get(i, j);
                    }
                }
            }
            // both sides are O(1) sums of the same terms in different orders
            assertEquals(norm(diff) / norm(theta), res, 1e-12 * Math.max(1, res), loss.name());
        }
        // at Theta = 0 the measure falls back to ||grad||
        Problem pr = problem(new SquaredLoss(), 41);
        double[] zero = new double[pr.objective.dim()];
        double[] grad = new double[zero.length];
        pr.objective.valueAndGradient(zero, grad);
        assertEquals(norm(grad), pr.objective.stationarityResidual(zero, grad), 8 * Math.ulp(norm(grad))); // as above
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void constructorRejectsBadInput() {
        DenseMatrix f = new DenseMatrix(5, 3);
        DenseMatrix t = new DenseMatrix(4, 2);
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new LastLayerObjective(f, t, new SquaredLoss(), 0.1));
        assertTrue(rows.getMessage().contains("5") && rows.getMessage().contains("4"), rows.getMessage());
        DenseMatrix t5 = new DenseMatrix(5, 2);
        for (double bad : new double[] {0, -1e-3, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LastLayerObjective(f, t5, new SquaredLoss(), bad));
            assertTrue(e.getMessage().contains("lambda"), e.getMessage());
        }
        LastLayerObjective ok = new LastLayerObjective(f, t5, new SquaredLoss(), 0.1);
        assertEquals(0.1, ok.lambda());
        assertEquals(6, ok.dim());
    }
}
