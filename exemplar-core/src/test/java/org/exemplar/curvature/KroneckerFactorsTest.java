package org.exemplar.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * K-FAC and EK-FAC against matrices built explicitly from exact per-example gradients ({@link Mlp#perExampleGradients},
 * independent of the factors' own back-propagation) and Gauss-Newton products ({@link Mlp#gaussNewtonVectorProduct}).
 *
 * <p>Tolerances: where the two sides are the same quantity computed along different summation orders, 1e-11
 * relative to the largest entry (float64 rounding over sums of at most a few hundred terms of unit scale, with an
 * eigendecomposition in between whose backward error is about 1e-15 ||A||); the Monte Carlo check of the sampled
 * Fisher states its own tolerance.
 */
class KroneckerFactorsTest {
    private static final double TOL = 1e-11;

    private static DenseMatrix gaussian(int n, int d, SplittableRandom r) {
        DenseMatrix m = new DenseMatrix(n, d);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return m;
    }

    private static DenseMatrix oneHot(int n, int c, SplittableRandom r) {
        DenseMatrix t = new DenseMatrix(n, c);
        for (int i = 0; i < n; i++) {
            t.set(i, r.nextInt(c), 1.0);
        }
        return t;
    }

    private static Mlp network(int[] widths, Activation act, long seed) {
        Activation[] h = new Activation[widths.length - 2];
        java.util.Arrays.fill(h, act);
        return Mlp.initialize(widths, h, seed);
    }

    /** The K-FAC matrix in flat parameter order: block k = S_k (x) A_k (or EK-FAC's Q diag(Lambda) Q^T). */
    static DenseMatrix dense(KroneckerFactors f, boolean ekfac) {
        int p = f.parameterCount();
        DenseMatrix m = new DenseMatrix(p, p);
        int[] w = f.widths();
        for (int k = 0; k < f.layerCount(); k++) {
            int o = w[k + 1];
            int in = w[k] + 1;
            DenseMatrix block = ekfac ? ekfacBlock(f, k) : kron(f.gradientFactor(k), f.activationFactor(k));
            for (int r = 0; r < o; r++) {
                for (int j = 0; j < in; j++) {
                    for (int r2 = 0; r2 < o; r2++) {
                        for (int j2 = 0; j2 < in; j2++) {
                            m.set(f.flatIndex(k, r, j), f.flatIndex(k, r2, j2), block.get(r * in + j, r2 * in + j2));
                        }
                    }
                }
            }
        }
        return m;
    }

    static DenseMatrix kron(DenseMatrix a, DenseMatrix b) {
        DenseMatrix m = new DenseMatrix(a.rows() * b.rows(), a.cols() * b.cols());
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < a.cols(); j++) {
                for (int k = 0; k < b.rows(); k++) {
                    for (int l = 0; l < b.cols(); l++) {
                        m.set(i * b.rows() + k, j * b.cols() + l, a.get(i, j) * b.get(k, l));
                    }
                }
            }
        }
        return m;
    }

    private static DenseMatrix ekfacBlock(KroneckerFactors f, int k) {
        DenseMatrix q = kron(f.gradientEigen(k).vectors(), f.activationEigen(k).vectors());
        double[] lam = f.correctedEigenvalues(k).data();
        DenseMatrix ql = q.copy();
        for (int i = 0; i < ql.rows(); i++) {
            for (int j = 0; j < ql.cols(); j++) {
                ql.set(i, j, ql.get(i, j) * lam[j]);
            }
        }
        return Blas.multiply(Transpose.NO, ql, Transpose.YES, q);
    }

    /** The Kronecker eigenbasis of layer k as columns in flat parameter order (zero outside the layer). */
    private static DenseMatrix eigenbasis(KroneckerFactors f, int k) {
        int[] w = f.widths();
        int o = w[k + 1];
        int in = w[k] + 1;
        DenseMatrix q = kron(f.gradientEigen(k).vectors(), f.activationEigen(k).vectors());
        DenseMatrix out = new DenseMatrix(f.parameterCount(), o * in);
        for (int r = 0; r < o; r++) {
            for (int j = 0; j < in; j++) {
                for (int c = 0; c < o * in; c++) {
                    out.set(f.flatIndex(k, r, j), c, q.get(r * in + j, c));
                }
            }
        }
        return out;
    }

    private static DenseMatrix explicitGaussNewton(Mlp m, DenseMatrix x, DenseMatrix t, Loss loss) {
        int p = m.parameterCount();
        DenseMatrix g = new DenseMatrix(p, p);
        for (int q = 0; q < p; q++) {
            double[] e = new double[p];
            e[q] = 1;
            g.setRow(q, m.gaussNewtonVectorProduct(x, t, loss, 0.0, e));
        }
        return g;
    }

    private static DenseMatrix empiricalFisher(Mlp m, DenseMatrix x, DenseMatrix t, Loss loss) {
        DenseMatrix g = m.perExampleGradients(x, t, loss);
        return Blas.multiply(Transpose.YES, g, Transpose.NO, g).scaleInPlace(1.0 / x.rows());
    }

    private static double maxAbs(DenseMatrix m) {
        double s = 0;
        for (double v : m.data()) {
            s = Math.max(s, Math.abs(v));
        }
        return s;
    }

    private static void assertClose(DenseMatrix expected, DenseMatrix actual, double rel, String what) {
        assertEquals(expected.rows(), actual.rows(), what);
        assertEquals(expected.cols(), actual.cols(), what);
        double scale = Math.max(maxAbs(expected), 1e-300);
        for (int k = 0; k < expected.data().length; k++) {
            assertEquals(expected.data()[k], actual.data()[k], rel * scale, what + " entry " + k);
        }
    }

    @Test
    void oneLayerSquaredLossKfacEqualsTheExplicitGaussNewton() {
        // linear model, squared loss: H_y = I, so the GN matrix (1/n) sum_i J_i^T J_i = (I (x) E[a~ a~^T]) exactly:
        // K-FAC with the expected Fisher is not an approximation here
        SplittableRandom r = new SplittableRandom(1);
        Mlp m = network(new int[] {4, 2}, Activation.RELU, 7);
        DenseMatrix x = gaussian(30, 4, r);
        DenseMatrix t = gaussian(30, 2, r);
        Loss loss = new SquaredLoss();
        KroneckerFactors f = KroneckerFactors.fit(m, x, t, loss, FisherKind.EXPECTED, 0, true, null);
        DenseMatrix gn = explicitGaussNewton(m, x, t, loss);
        assertClose(gn, dense(f, false), TOL, "K-FAC vs explicit GN");
        assertClose(gn, dense(f, true), TOL, "EK-FAC vs explicit GN");
        // the empirical Fisher is another matrix: the same comparison must see the difference
        KroneckerFactors emp = KroneckerFactors.fit(m, x, t, loss, FisherKind.EMPIRICAL, 0, false, null);
        DenseMatrix diff = dense(emp, false).copy();
        for (int k = 0; k < diff.data().length; k++) {
            diff.data()[k] -= gn.data()[k];
        }
        assertTrue(maxAbs(diff) > 0.05 * maxAbs(gn), "the empirical Fisher differs from GN");
    }

    @Test
    void oneLayerSoftmaxKfacEqualsTheExplicitGaussNewtonOnOneExampleAndTheFisherWithConstantCurvature() {
        // softmax: per example the Fisher is H_i (x) a~ a~^T; with one example K-FAC's E[gg^T] (x) E[a~a~^T] is it
        SplittableRandom r = new SplittableRandom(2);
        Mlp m = network(new int[] {3, 4}, Activation.RELU, 8);
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix x = gaussian(1, 3, r);
        DenseMatrix t = oneHot(1, 4, r);
        KroneckerFactors f = KroneckerFactors.fit(m, x, t, loss, FisherKind.EXPECTED, 0, true, null);
        assertClose(explicitGaussNewton(m, x, t, loss), dense(f, false), TOL, "K-FAC vs GN, one example");
        // several examples: K-FAC is the Kronecker approximation, EK-FAC matches the GN's diagonal in its eigenbasis
        DenseMatrix xs = gaussian(25, 3, r);
        DenseMatrix ts = oneHot(25, 4, r);
        KroneckerFactors fs = KroneckerFactors.fit(m, xs, ts, loss, FisherKind.EXPECTED, 0, true, null);
        DenseMatrix gn = explicitGaussNewton(m, xs, ts, loss);
        DenseMatrix q = eigenbasis(fs, 0);
        DenseMatrix rotated = Blas.multiply(Transpose.YES, q, Transpose.NO, Blas.multiply(gn, q));
        double[] lam = fs.correctedEigenvalues(0).data();
        double scale = maxAbs(gn);
        for (int c = 0; c < lam.length; c++) {
            assertEquals(rotated.get(c, c), lam[c], TOL * scale, "EK-FAC eigenvalue " + c + " vs diag(Q^T GN Q)");
        }
    }

    @Test
    void ekfacCorrectedEigenvaluesAreTheDiagonalOfTheExplicitFisherInTheKroneckerEigenbasis() {
        SplittableRandom r = new SplittableRandom(3);
        Loss loss = new SoftmaxCrossEntropy();
        for (int[] widths : new int[][] {{4, 3}, {4, 5, 3, 3}}) {
            Mlp m = network(widths, Activation.TANH, 9);
            DenseMatrix x = gaussian(40, 4, r);
            DenseMatrix t = oneHot(40, 3, r);
            KroneckerFactors f = KroneckerFactors.fit(m, x, t, loss, FisherKind.EMPIRICAL, 0, true, null);
            DenseMatrix fisher = empiricalFisher(m, x, t, loss);
            double scale = maxAbs(fisher);
            for (int k = 0; k < f.layerCount(); k++) {
                DenseMatrix q = eigenbasis(f, k);
                DenseMatrix rotated = Blas.multiply(Transpose.YES, q, Transpose.NO, Blas.multiply(fisher, q));
                double[] lam = f.correctedEigenvalues(k).data();
                for (int c = 0; c < lam.length; c++) {
                    assertEquals(rotated.get(c, c), lam[c], TOL * scale, "widths "
                            + java.util.Arrays.toString(widths) + ", layer " + k + ", eigenvalue " + c);
                }
            }
        }
    }

    @Test
    void multiLayerFactorsAreTheExplicitCovariancesAndTheInverseProductIsADenseSolve() {
        SplittableRandom r = new SplittableRandom(4);
        Loss loss = new SoftmaxCrossEntropy();
        int[] widths = {4, 5, 3, 3};
        Mlp m = network(widths, Activation.TANH, 10);
        int n = 35;
        DenseMatrix x = gaussian(n, 4, r);
        DenseMatrix t = oneHot(n, 3, r);
        KroneckerFactors f = KroneckerFactors.fit(m, x, t, loss, FisherKind.EMPIRICAL, 0, true, null);
        Mlp.Forward fw = m.forward(x);
        DenseMatrix grads = m.perExampleGradients(x, t, loss);
        for (int k = 0; k < f.layerCount(); k++) {
            DenseMatrix ah = fw.activation(k).withOnesColumn();
            assertClose(Blas.multiply(Transpose.YES, ah, Transpose.NO, ah).scaleInPlace(1.0 / n),
                    f.activationFactor(k), TOL, "A_" + k);
            // the bias block of an exact per-example gradient is the pre-activation gradient g
            DenseMatrix g = new DenseMatrix(n, widths[k + 1]);
            for (int i = 0; i < n; i++) {
                for (int q = 0; q < widths[k + 1]; q++) {
                    g.set(i, q, grads.get(i, m.biasOffset(k) + q));
                }
            }
            assertClose(Blas.multiply(Transpose.YES, g, Transpose.NO, g).scaleInPlace(1.0 / n),
                    f.gradientFactor(k), TOL, "S_" + k);
        }
        double damping = 0.01;
        DenseMatrix v = gaussian(3, m.parameterCount(), r);
        for (boolean ekfac : new boolean[] {false, true}) {
            DenseMatrix k = dense(f, ekfac);
            for (int q = 0; q < k.rows(); q++) {
                k.add(q, q, damping);
            }
            DenseMatrix expected = Cholesky.factorize(k).solveRows(v);
            // the damped matrix has condition number up to (max eigenvalue + 0.01) / 0.01, about 1e3 here
            assertClose(expected, f.inverseProduct(v, damping, ekfac), 1e-9, (ekfac ? "EK-FAC" : "K-FAC")
                    + " inverse product vs dense solve");
        }
    }

    @Test
    void scoresAndSelfInfluenceEqualTheDenseFormula() {
        SplittableRandom r = new SplittableRandom(5);
        Loss loss = new SoftmaxCrossEntropy();
        Mlp m = network(new int[] {4, 6, 3}, Activation.RELU, 11);
        int n = 30;
        DenseMatrix x = gaussian(n, 4, r);
        DenseMatrix t = oneHot(n, 3, r);
        DenseMatrix xt = gaussian(7, 4, r);
        DenseMatrix tt = oneHot(7, 3, r);
        double damping = 0.05;
        KroneckerFactors f = KroneckerFactors.fit(m, x, t, loss, FisherKind.SAMPLED, 17, true, null);
        for (boolean ekfac : new boolean[] {false, true}) {
            KfacInfluence inf = new KfacInfluence(m, x, t, loss, f, damping, ekfac);
            DenseMatrix k = dense(f, ekfac);
            for (int q = 0; q < k.rows(); q++) {
                k.add(q, q, damping);
            }
            Cholesky ch = Cholesky.factorize(k);
            DenseMatrix train = m.perExampleGradients(x, t, loss);
            for (TestFunction tf : new TestFunction[] {TestFunction.LOSS, TestFunction.MARGIN}) {
                DenseMatrix solved = ch.solveRows(tf.gradients(m, xt, tt, loss));
                DenseMatrix expected = Blas.multiply(Transpose.NO, solved, Transpose.YES, train)
                        .scaleInPlace(1.0 / n);
                assertClose(expected, inf.scores(xt, tt, tf), 1e-9, tf.name() + ", ekfac=" + ekfac);
            }
            DenseMatrix solvedTrain = ch.solveRows(train);
            double[] self = inf.selfInfluence();
            double scale = 0;
            for (int i = 0; i < n; i++) {
                double e = org.exemplar.linalg.Vectors.dot(solvedTrain.row(i), train.row(i)) / n;
                scale = Math.max(scale, Math.abs(e));
            }
            for (int i = 0; i < n; i++) {
                double e = org.exemplar.linalg.Vectors.dot(solvedTrain.row(i), train.row(i)) / n;
                assertEquals(e, self[i], 1e-9 * scale, "self-influence " + i);
            }
        }
    }

    @Test
    void sampledFisherIsAnUnbiasedEstimateOfTheExpectedOne() {
        // 20 copies of 100 points: the sampled S averages 2000 independent one-hot draws, its Monte Carlo error per
        // entry is about sd/sqrt(2000) < 0.25/45 ~ 0.006 for softmax gradients bounded by 1; tolerance 0.03 (5 sd)
        SplittableRandom r = new SplittableRandom(6);
        Loss loss = new SoftmaxCrossEntropy();
        Mlp m = network(new int[] {3, 4, 3}, Activation.TANH, 12);
        DenseMatrix base = gaussian(100, 3, r);
        DenseMatrix x = new DenseMatrix(2000, 3);
        for (int c = 0; c < 20; c++) {
            System.arraycopy(base.data(), 0, x.data(), c * 300, 300);
        }
        DenseMatrix t = oneHot(2000, 3, r);
        KroneckerFactors sampled = KroneckerFactors.fit(m, x, t, loss, FisherKind.SAMPLED, 5, false, null);
        KroneckerFactors expected = KroneckerFactors.fit(m, x, t, loss, FisherKind.EXPECTED, 0, false, null);
        for (int k = 0; k < 2; k++) {
            assertClose(expected.gradientFactor(k), sampled.gradientFactor(k), 0.03 / maxAbs(expected.gradientFactor(k))
                    * 1.0, "S_" + k + " sampled vs expected");
            assertClose(expected.activationFactor(k), sampled.activationFactor(k), 0.0, "A_" + k);
        }
        // the seed is a parameter: another seed draws other labels
        KroneckerFactors other = KroneckerFactors.fit(m, x, t, loss, FisherKind.SAMPLED, 6, false, null);
        assertTrue(Math.abs(other.gradientFactor(1).get(0, 0) - sampled.gradientFactor(1).get(0, 0)) > 0);
    }

    @Test
    void saveLoadRoundTripsBitForBitAndRefusesAnOccupiedDirectory(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(7);
        Mlp m = network(new int[] {3, 4, 2}, Activation.RELU, 13);
        DenseMatrix x = gaussian(20, 3, r);
        DenseMatrix t = oneHot(20, 2, r);
        KroneckerFactors f = KroneckerFactors.fit(m, x, t, new SoftmaxCrossEntropy(), FisherKind.SAMPLED, 3, true,
                "my-factors");
        f.save(dir.resolve("f"));
        KroneckerFactors g = KroneckerFactors.load(dir.resolve("f"));
        assertEquals("my-factors", g.name());
        assertEquals(f.key(), g.key());
        assertEquals(f.provenance().seed(), g.provenance().seed());
        DenseMatrix v = gaussian(2, m.parameterCount(), r);
        assertClose(f.inverseProduct(v, 0.1, true), g.inverseProduct(v, 0.1, true), 0.0, "reloaded");
        assertThrows(org.exemplar.data.DataException.class, () -> f.save(dir.resolve("f")));
    }

    @Test
    void badInputIsRefusedBeforeWork() {
        Mlp m = network(new int[] {3, 2}, Activation.RELU, 1);
        DenseMatrix x = new DenseMatrix(4, 3);
        assertThrows(IllegalArgumentException.class, () -> KroneckerFactors.fit(m, x, new DenseMatrix(3, 2),
                new SoftmaxCrossEntropy(), FisherKind.EMPIRICAL, 0, false, null));
        assertThrows(IllegalArgumentException.class, () -> KroneckerFactors.fit(m, x, new DenseMatrix(4, 2),
                Loss.named("relu"), FisherKind.SAMPLED, 0, false, null));
        KroneckerFactors f = KroneckerFactors.fit(m, x, new DenseMatrix(4, 2), new SoftmaxCrossEntropy(),
                FisherKind.EMPIRICAL, 0, false, null);
        // all-zero inputs: A is singular (only the ones column), so damping 0 cannot be inverted
        assertThrows(ArithmeticException.class, () -> new KfacInfluence(m, x, new DenseMatrix(4, 2),
                new SoftmaxCrossEntropy(), f, 0.0, false));
        assertThrows(IllegalArgumentException.class, () -> new KfacInfluence(m, x, new DenseMatrix(4, 2),
                new SoftmaxCrossEntropy(), f, 0.1, true));
    }
}
