package org.exemplar.trak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.TrakAttributor;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.ReferenceLinearAlgebra;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;

/** TRAK against the formula written out by hand, with gradients from the closed form of a softmax linear model. */
class TrakTest {
    private static final int D = 4;
    private static final int C = 3;

    private static Mlp randomLinear(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix w = new DenseMatrix(C, D);
        for (int k = 0; k < w.data().length; k++) {
            w.data()[k] = r.nextDouble() * 2 - 1;
        }
        double[] b = {0.3, -0.2, 0.1};
        return Mlp.of(new int[] {D, C}, new Activation[0], new DenseMatrix[] {w}, new double[][] {b});
    }

    private static Examples data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, D);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < D; j++) {
                x.set(i, j, r.nextDouble() * 2 - 1);
            }
            y[i] = r.nextInt(C);
        }
        return Examples.labeled(x, y);
    }

    /** Closed form: f = z_y - log sum_{j != y} exp z_j, df/dW_rj = u_r x_j, df/db_r = u_r; also p_y = sigma(f). */
    private static double[][] closedFormGradients(Mlp m, Examples e, double[] oneMinusP) {
        int n = e.size();
        double[][] g = new double[n][C * D + C];
        for (int i = 0; i < n; i++) {
            double[] z = new double[C];
            for (int r = 0; r < C; r++) {
                z[r] = m.bias(0)[r];
                for (int j = 0; j < D; j++) {
                    z[r] += m.weight(0).get(r, j) * e.features().get(i, j);
                }
            }
            int y = e.labels()[i];
            double others = 0;
            for (int r = 0; r < C; r++) {
                if (r != y) {
                    others += Math.exp(z[r]);
                }
            }
            double f = z[y] - Math.log(others);
            if (oneMinusP != null) {
                oneMinusP[i] = 1 - Math.exp(z[y]) / (Math.exp(z[y]) + others);
                assertEquals(1 / (1 + Math.exp(f)), oneMinusP[i], 1e-14, "1 - p_y = sigma(-f)");
            }
            for (int r = 0; r < C; r++) {
                double u = r == y ? 1.0 : -Math.exp(z[r]) / others;
                for (int j = 0; j < D; j++) {
                    g[i][r * D + j] = u * e.features().get(i, j);
                }
                g[i][C * D + r] = u;
            }
        }
        return g;
    }

    /** tau = g_t (G^T G + lambda I)^{-1} G^T diag(1 - p), without any projection. */
    private static double[][] unprojected(Mlp m, Examples train, Examples test, double lambda) {
        double[] q = new double[train.size()];
        double[][] g = closedFormGradients(m, train, q);
        double[][] gt = closedFormGradients(m, test, null);
        int p = g[0].length;
        double[][] k = new double[p][p];
        for (double[] row : g) {
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    k[a][b] += row[a] * row[b];
                }
            }
        }
        for (int a = 0; a < p; a++) {
            k[a][a] += lambda;
        }
        double[][] inv = ReferenceLinearAlgebra.invert(k);
        double[][] tau = new double[test.size()][train.size()];
        for (int t = 0; t < test.size(); t++) {
            double[] v = ReferenceLinearAlgebra.mul(inv, gt[t]);
            for (int i = 0; i < train.size(); i++) {
                tau[t][i] = ReferenceLinearAlgebra.dot(v, g[i]) * q[i];
            }
        }
        return tau;
    }

    @Test
    void marginGradientsMatchTheClosedFormAndFiniteDifferences() {
        Mlp m = randomLinear(1);
        Examples e = data(6, 2);
        double[][] ref = closedFormGradients(m, e, null);
        DenseMatrix g = MarginOutput.gradients(m, e.features(), e.labels());
        for (int i = 0; i < e.size(); i++) {
            for (int a = 0; a < ref[i].length; a++) {
                assertEquals(ref[i][a], g.get(i, a), 1e-14, "row " + i + " parameter " + a);
            }
        }
        // a ReLU network: central differences of f (step 1e-6, truncation ~1e-12, rounding ~1e-10)
        Mlp net = Mlp.initialize(D, new int[] {5}, Activation.TANH, C, 3);
        DenseMatrix gn = MarginOutput.gradients(net, e.features(), e.labels());
        double[] theta = net.parameters();
        for (int a = 0; a < theta.length; a += 3) {
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[a] += 1e-6;
            tm[a] -= 1e-6;
            Mlp np = net.copy();
            np.setParameters(tp);
            Mlp nm = net.copy();
            nm.setParameters(tm);
            double[] fp = MarginOutput.values(np, e.features(), e.labels());
            double[] fm = MarginOutput.values(nm, e.features(), e.labels());
            for (int i = 0; i < e.size(); i++) {
                assertEquals((fp[i] - fm[i]) / 2e-6, gn.get(i, a), 1e-7, "row " + i + " parameter " + a);
            }
        }
    }

    @Test
    void orthogonalProjectionWithKAtLeastPEqualsTheUnprojectedKernelFormula() {
        Mlp m = randomLinear(4);
        Examples train = data(40, 5);
        Examples test = data(6, 6);
        for (double lambda : new double[] {0.01, 0.1}) {
            double[][] ref = unprojected(m, train, test, lambda);
            for (int k : new int[] {15, 24}) {
                TrakAttributor a = Attributors.trak().models(List.of(m)).projection(RandomProjection.Kind.ORTHOGONAL)
                        .dimension(k).damping(lambda).seed(9).prepare(train);
                DenseMatrix s = a.attribute(test).scores();
                double scale = 0;
                for (double[] row : ref) {
                    for (double v : row) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                }
                // softmax margin gradients sum to 0 over the classes, so G^T G is singular (rank 10 of 15) and lambda > 0;
                // with lambda = 0.01 the kernel has condition ~1e3: agreement to 1e-9 relative to the largest score
                for (int t = 0; t < test.size(); t++) {
                    for (int i = 0; i < train.size(); i++) {
                        assertEquals(ref[t][i], s.get(t, i), 1e-9 * scale,
                                "lambda " + lambda + ", k " + k + ", pair (" + t + ", " + i + ")");
                    }
                }
            }
        }
    }

    @Test
    void ensembleAveragesTheModelsKernelPartsAndTheirQ() {
        Mlp m1 = randomLinear(7);
        Mlp m2 = randomLinear(8);
        Examples train = data(30, 9);
        Examples test = data(4, 10);
        double lambda = 0.05;
        // orthogonal projections, so each model's part is its un-projected formula; strip and re-apply Q by hand
        double[] q1 = new double[30];
        double[] q2 = new double[30];
        closedFormGradients(m1, train, q1);
        closedFormGradients(m2, train, q2);
        double[][] r1 = unprojected(m1, train, test, lambda);
        double[][] r2 = unprojected(m2, train, test, lambda);
        DenseMatrix s = Attributors.trak().models(List.of(m1, m2)).projection(RandomProjection.Kind.ORTHOGONAL)
                .dimension(15).damping(lambda).prepare(train).attribute(test).scores();
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 30; i++) {
                double expected = (r1[t][i] / q1[i] + r2[t][i] / q2[i]) / 2 * (q1[i] + q2[i]) / 2;
                assertEquals(expected, s.get(t, i), 1e-10 * (1 + Math.abs(expected)), "pair (" + t + ", " + i + ")");
            }
        }
    }

    @Test
    void aRandomProjectionApproachesTheKernelFormulaAsKGrows() {
        Mlp m = randomLinear(4);
        Examples train = data(40, 5);
        Examples test = data(6, 6);
        double[][] ref = unprojected(m, train, test, 0.1);
        double err64 = relativeError(ref, Attributors.trak().models(List.of(m)).dimension(64).damping(0.1)
                .projection(RandomProjection.Kind.GAUSSIAN).prepare(train).attribute(test).scores());
        // k >= P with a Gaussian P of full row rank: P (P^T A P + lambda I)^{-1} P^T differs from (A + lambda I)^{-1}
        // only through lambda; with lambda -> 0 the two agree; here a loose check that it is a close approximation
        double err8 = relativeError(ref, Attributors.trak().models(List.of(m)).dimension(8).damping(0.1)
                .projection(RandomProjection.Kind.GAUSSIAN).prepare(train).attribute(test).scores());
        org.junit.jupiter.api.Assertions.assertTrue(err64 < 0.2, "k = 64: relative error " + err64);
        org.junit.jupiter.api.Assertions.assertTrue(err8 > err64, "k = 8 (" + err8 + ") worse than k = 64 (" + err64 + ")");
    }

    private static double relativeError(double[][] ref, DenseMatrix s) {
        double num = 0;
        double den = 0;
        for (int t = 0; t < ref.length; t++) {
            for (int i = 0; i < ref[t].length; i++) {
                num += Math.pow(ref[t][i] - s.get(t, i), 2);
                den += ref[t][i] * ref[t][i];
            }
        }
        return Math.sqrt(num / den);
    }
}
