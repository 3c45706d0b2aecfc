package org.exemplar.ntk;

import org.exemplar.linalg.ReferenceLinearAlgebra;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * Independent references for the NTK influence (issue 15): the kernel is K = Phi Phi^T for an explicit feature
 * matrix Phi, so kernel ridge regression is ridge regression in the primal, theta = (Phi^T Phi + lambda I)^{-1}
 * Phi^T y, and every quantity of eq. 8-16 can be brute-forced from explicit p x p matrices (inverted here by
 * Gauss-Jordan elimination, sharing no code with the library's Cholesky): leave-one-out by refitting without
 * row i, alpha_i = phi_t^T H^{-1} phi_i, and the IHVP estimate as Koh &amp; Liang's
 * grad L_t^T H^{-1} grad l_i with H the explicit Hessian of 1/2 sum (f - y)^2 + lambda/2 |theta|^2.
 */
class NtkInfluenceReferenceTest {
    static final int N = 40;
    static final int P = 8;
    static final int T = 5;
    static final double LAMBDA = 0.3;

    final DenseMatrix phi = gaussian(N, P, 1);
    final DenseMatrix phiTest = gaussian(T, P, 2);
    final double[] y = vector(N, 3);
    final double[] yTest = vector(T, 4);

    @Test
    void everyQuantityMatchesThePrimalBruteForce() {
        InfluenceScores s = NtkInfluence.fit(gram(phi, phi), y, LAMBDA).score(gram(phiTest, phi), yTest);
        double[][] h = hessian(phi, -1);
        double[][] hInv = invert(h);
        double[] theta = mul(hInv, xty(phi, y, -1));
        double[] refIhvp = new double[T * N];
        double[] refExact = new double[T * N];
        for (int t = 0; t < T; t++) {
            double ft = dot(phiTest.row(t), theta);
            double res = ft - yTest[t];
            // Values are O(1) and H is well conditioned (lambda = 0.3, 40 Gaussian rows in 8 dims): the library's
            // closed forms and these explicit solves agree to ~1e-14; 1e-10 leaves a wide margin.
            assertEquals(ft, s.predictions()[t], 1e-10, "f(x_t)");
            for (int i = 0; i < N; i++) {
                double[] thetaLoo = mul(invert(hessian(phi, i)), xty(phi, y, i));
                double looTest = dot(phiTest.row(t), thetaLoo) - yTest[t];
                double exact = 0.5 * looTest * looTest - 0.5 * res * res;
                double alpha = dot(phiTest.row(t), mul(hInv, phi.row(i)));
                double eLoo = dot(phi.row(i), thetaLoo) - y[i];
                double trainRes = dot(phi.row(i), theta) - y[i];
                // Koh & Liang: removing i moves theta by +H^{-1} grad l_i, so the test loss changes by
                // grad L_t^T H^{-1} grad l_i with grad L_t = res phi_t and grad l_i = (f(x_i) - y_i) phi_i.
                double ihvp = dot(scaled(res, phiTest.row(t)), mul(hInv, scaled(trainRes, phi.row(i))));
                assertEquals(exact, s.exact().get(t, i), 1e-10, "exact influence (eq. 8-9)");
                assertEquals(alpha, s.alpha().get(t, i), 1e-10, "alpha (eq. 13)");
                assertEquals(eLoo, s.looResiduals()[i], 1e-10, "leave-one-out residual (eq. 9)");
                assertEquals(trainRes, s.trainResiduals()[i], 1e-10, "training residual");
                assertEquals(ihvp, s.ihvp().get(t, i), 1e-10, "IHVP estimate (eq. 13)");
                // Prop. 2 term by term against the brute-force values (not the library's own quantities).
                InfluenceScores.Prop2Decomposition d = s.decomposition();
                assertEquals(alpha * res * eLoo, d.termI().get(t, i), 1e-10, "Prop. 2 term I");
                assertEquals(0.5 * alpha * alpha * eLoo * eLoo, d.termII().get(t, i), 1e-10, "Prop. 2 term II");
                refIhvp[t * N + i] = ihvp;
                refExact[t * N + i] = exact;
            }
        }
        // The reference's sign is physical, not chosen to match: the first-order estimate tracks the brute-force
        // leave-one-out across the 200 pairs (a flipped sign would correlate negatively).
        double r = org.exemplar.eval.Correlation.pearson(refIhvp, refExact);
        assertTrue(r > 0.8, "IHVP reference vs brute-force leave-one-out: Pearson " + r);
    }

    /** Hand-built scores with known rates: the top-k mean and the median of |I - Î| / |I|. */
    @Test
    void errorRatesOfAHandBuiltFixture() {
        // one test point, four training points; |I| order: 0 (4), 3 (3), 1 (2), 2 (1)
        DenseMatrix exact = DenseMatrix.fromRows(new double[][] {{4, -2, 1, 3}});
        DenseMatrix ihvp = DenseMatrix.fromRows(new double[][] {{3, -2, 0.5, 0}});
        // rates: 0.25, 0, 0.5, 1
        DenseMatrix zeros = new DenseMatrix(1, 4);
        InfluenceScores s = new InfluenceScores(exact, ihvp, zeros, new double[] {0}, new double[] {0},
                new double[4], new double[4], 0, 0);
        assertEquals(0.25, IhvpErrorBound.evaluate(s, 1, 1, 1).meanErrorRateTopK(), 1e-15);
        assertEquals((0.25 + 1) / 2, IhvpErrorBound.evaluate(s, 1, 1, 2).meanErrorRateTopK(), 1e-15);
        assertEquals((0.25 + 1 + 0) / 3, IhvpErrorBound.evaluate(s, 1, 1, 3).meanErrorRateTopK(), 1e-15);
        IhvpErrorBound all = IhvpErrorBound.evaluate(s, 1, 1, 10);
        assertEquals((0.25 + 1 + 0 + 0.5) / 4, all.meanErrorRateTopK(), 1e-15);
        assertEquals(4, all.topK());
        assertEquals((0.25 + 0.5) / 2, all.medianErrorRate(), 1e-15);
        assertEquals(4, all.pairs());
        // lambdaMin = 1, lambda = 3: rate bound 1/4; termII = 0 (alpha = 0), so eq. 16 asks |I - Î| >= |I| / 4:
        // pair 1 (|I - Î| = 0 < 0.5) and pair 0 (1 >= 1, holds with zero slack) -> one violation, slack -0.5.
        IhvpErrorBound b = IhvpErrorBound.evaluate(s, 3, 1, 2);
        assertEquals(0.25, b.rateLowerBound(), 1e-15);
        assertEquals(1, b.violations());
        assertEquals(-0.5, b.worstSlack(), 1e-15);
    }

    // ------------------------------------------------------------------------ explicit linear algebra

    static DenseMatrix gaussian(int r, int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(r, c);
        for (int k = 0; k < r * c; k++) {
            m.data()[k] = rng.nextGaussian() / Math.sqrt(c);
        }
        return m;
    }

    static double[] vector(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble(-1, 1);
        }
        return v;
    }

    static DenseMatrix gram(DenseMatrix a, DenseMatrix b) {
        DenseMatrix k = new DenseMatrix(a.rows(), b.rows());
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < b.rows(); j++) {
                k.set(i, j, dot(a.row(i), b.row(j)));
            }
        }
        return k;
    }

    /** Phi^T Phi + lambda I without row {@code skip} (-1: all rows). */
    static double[][] hessian(DenseMatrix phi, int skip) {
        int p = phi.cols();
        double[][] h = new double[p][p];
        for (int i = 0; i < phi.rows(); i++) {
            if (i == skip) {
                continue;
            }
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    h[a][b] += phi.get(i, a) * phi.get(i, b);
                }
            }
        }
        for (int a = 0; a < p; a++) {
            h[a][a] += LAMBDA;
        }
        return h;
    }

    static double[] xty(DenseMatrix phi, double[] y, int skip) {
        double[] v = new double[phi.cols()];
        for (int i = 0; i < phi.rows(); i++) {
            if (i != skip) {
                for (int a = 0; a < v.length; a++) {
                    v[a] += phi.get(i, a) * y[i];
                }
            }
        }
        return v;
    }

    static double[][] invert(double[][] m) {
        return ReferenceLinearAlgebra.invert(m);
    }

    static double[] mul(double[][] m, double[] v) {
        return ReferenceLinearAlgebra.mul(m, v);
    }

    static double[] scaled(double s, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = s * v[i];
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        return ReferenceLinearAlgebra.dot(a, b);
    }
}
