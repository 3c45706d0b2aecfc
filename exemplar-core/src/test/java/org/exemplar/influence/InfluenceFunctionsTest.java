package org.exemplar.influence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.exemplar.model.Activation;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelObjective;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainer;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.Arnoldi;
import org.exemplar.solver.ArnoldiOptions;
import org.exemplar.solver.ConjugateGradientSolver;
import org.exemplar.solver.ExactSolver;
import org.exemplar.solver.InverseHessianSolver;
import org.exemplar.solver.Lissa;
import org.exemplar.solver.LissaOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Influence scores: closed form, solver agreement, batching invariance, self-influence, top-k, bad input. */
class InfluenceFunctionsTest {
    static BreastCancer data;
    static TrainingData train;
    static DenseMatrix testTargets;
    static Mlp trained;
    static final Loss LOSS = new SigmoidCrossEntropy();

    @BeforeAll
    static void fit() {
        data = BreastCancer.split(60, 11);
        train = new TrainingData(data.trainX(), LOSS.targetsFromLabels(data.trainY(), 1), LOSS, 0.01);
        testTargets = LOSS.targetsFromLabels(data.testY(), 1);
        trained = fitLinear(train, 1);
    }

    static Mlp fitLinear(TrainingData d, int outputs) {
        Mlp start = LinearModels.zeros(d.features().cols(), outputs);
        OptimumFit fit = new TightTrainer(TightTrainingOptions.defaults()).fit(
                new ModelObjective(start, d.features(), d.targets(), d.loss(), d.l2()), start.parameters(), null);
        assertTrue(fit.converged(), fit.message());
        Mlp m = start.copy();
        m.setParameters(fit.theta());
        return m;
    }

    static InfluenceScores scores(InverseHessianSolver solver, InfluenceOptions o) {
        return InfluenceFunctions.prepare(trained, train, o, solver).scores(data.testX(), testTargets,
                TestFunction.LOSS, null);
    }

    static double relErr(DenseMatrix a, DenseMatrix b) {
        double num = 0;
        double den = 0;
        for (int k = 0; k < a.data().length; k++) {
            num += (a.data()[k] - b.data()[k]) * (a.data()[k] - b.data()[k]);
            den += b.data()[k] * b.data()[k];
        }
        return Math.sqrt(num / den);
    }

    /**
     * Least squares has a closed form: H = (1/n) X~^T X~ + l2 I, grad L_i = x~_i r_i with r_i = Phi_i - y_i.
     * The reference builds H and solves it by Gaussian elimination with partial pivoting written here, sharing no
     * code with the library's Cholesky/BLAS path; agreement to 1e-9 relative (kappa(H) ~ 1e3, eps ~ 1e-16).
     */
    @Test
    void linearRegressionScoresMatchAnIndependentClosedForm() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 50;
        int d = 4;
        DenseMatrix x = new DenseMatrix(n, d);
        DenseMatrix y = new DenseMatrix(n, 1);
        for (int i = 0; i < n; i++) {
            double s = 0.5;
            for (int j = 0; j < d; j++) {
                x.set(i, j, rnd.nextGaussian());
                s += (j + 1) * 0.3 * x.get(i, j);
            }
            y.set(i, 0, s + 0.2 * rnd.nextGaussian());
        }
        double l2 = 0.05;
        double damping = 0.01;
        Loss sq = new SquaredLoss();
        TrainingData td = new TrainingData(x, y, sq, l2);
        Mlp m = fitLinear(td, 1);
        DenseMatrix xt = x.rowRange(0, 5);
        DenseMatrix yt = y.rowRange(0, 5);
        DenseMatrix got = InfluenceFunctions.prepare(m, td, InfluenceOptions.of(Curvature.HESSIAN, damping),
                new ExactSolver()).scores(xt, yt, TestFunction.LOSS, null).scores();

        int p = d + 1;
        double[] theta = m.parameters(); // w_0..w_3, b
        double[][] xa = new double[n][p];
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xa[i][j] = x.get(i, j);
            }
            xa[i][d] = 1.0;
            double phi = 0;
            for (int j = 0; j < p; j++) {
                phi += theta[j] * xa[i][j];
            }
            r[i] = phi - y.get(i, 0);
        }
        double[][] h = new double[p][p];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    h[a][b] += xa[i][a] * xa[i][b] / n;
                }
            }
        }
        for (int a = 0; a < p; a++) {
            h[a][a] += l2 + damping;
        }
        for (int t = 0; t < 5; t++) {
            double[] gt = new double[p];
            for (int a = 0; a < p; a++) {
                gt[a] = xa[t][a] * r[t];
            }
            double[] s = gauss(h, gt);
            for (int i = 0; i < n; i++) {
                double v = 0;
                for (int a = 0; a < p; a++) {
                    v += s[a] * xa[i][a] * r[i];
                }
                v /= n;
                assertEquals(v, got.get(t, i), 1e-9 * Math.max(1e-6, Math.abs(v)), "(" + t + ", " + i + ")");
            }
        }
    }

    static double[] gauss(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            double[] tr = a[c];
            a[c] = a[piv];
            a[piv] = tr;
            double tb = b[c];
            b[c] = b[piv];
            b[piv] = tb;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }

    /** kappa(H + 0.001 I) on this problem is ~1e3; CG at 1e-10 relative residual gives scores to ~1e-7. */
    @Test
    void conjugateGradientAgreesWithTheExactSolver() {
        InfluenceOptions o = InfluenceOptions.of(Curvature.HESSIAN, 0.001);
        InfluenceScores exact = scores(new ExactSolver(), o);
        InfluenceScores cg = scores(new ConjugateGradientSolver(1e-10, 500), o);
        assertTrue(cg.solves().allConverged());
        assertTrue(relErr(cg.scores(), exact.scores()) < 1e-6, "relative error " + relErr(cg.scores(), exact.scores()));
    }

    /**
     * LiSSA on full batches (batch = n) is the deterministic Neumann series; with sigma above lambda_max and
     * depth T its relative error is at most (1 - lambda_min/sigma)^(T+1). Here lambda_min ~ 0.011 (l2 + damping)
     * and sigma ~ lambda_max ~ 8, so T = 20,000 leaves (1 - 0.0014)^20001 ~ 1e-12 on the slowest direction.
     * With mini-batches of 64 the estimate is unbiased but noisy: averaged over 8 repeats it must still correlate
     * with the exact scores at Pearson >= 0.95.
     */
    @Test
    void lissaAgreesWithTheExactSolver() {
        InfluenceOptions o = InfluenceOptions.of(Curvature.HESSIAN, 0.001);
        InfluenceFunctions probe = InfluenceFunctions.prepare(trained, train, o, new ExactSolver());
        double lmax = Lissa.largestEigenvalue(probe.curvature(), 200, 1);
        InfluenceScores exact = scores(new ExactSolver(), o);
        DenseMatrix few = data.testX().rowRange(0, 4);
        DenseMatrix fewT = testTargets.rowRange(0, 4);
        InfluenceScores full = InfluenceFunctions.prepare(trained, train, o,
                new Lissa(new LissaOptions(20_000, 1, 1.05 * lmax, train.size(), 5)))
                .scores(few, fewT, TestFunction.LOSS, null);
        assertTrue(full.solves().allConverged(), full.solves().notes().toString());
        DenseMatrix exactFew = exact.scores().rowRange(0, 4);
        assertTrue(relErr(full.scores(), exactFew) < 1e-6, "full-batch LiSSA relative error "
                + relErr(full.scores(), exactFew));

        // mini-batch noise leaves a true relative residual of ~0.15 (measured: largest 0.147 of the 4): above the
        // default LiSSA tolerance 1e-2, so the flag must say "not converged" (issue 15, item 4) ...
        InfluenceScores mini = InfluenceFunctions.prepare(trained, train, o,
                new Lissa(new LissaOptions(3000, 8, 2 * lmax, 64, 5))).scores(few, fewT, TestFunction.LOSS, null);
        assertFalse(mini.solves().allConverged(), "residual " + mini.solves().maxRelativeResidual());
        assertTrue(mini.solves().maxRelativeResidual() > LissaOptions.DEFAULT_TOLERANCE);
        // ... and converged under a tolerance that admits it, with the same estimate
        InfluenceScores loose = InfluenceFunctions.prepare(trained, train, o,
                new Lissa(new LissaOptions(3000, 8, 2 * lmax, 64, 5, 0.25))).scores(few, fewT, TestFunction.LOSS, null);
        assertTrue(loose.solves().allConverged(), loose.solves().notes().toString());
        assertEquals(0.0, relErr(loose.scores(), mini.scores()), 0.0);
        double r = org.exemplar.eval.Correlation.pearson(mini.scores().data(), exactFew.data());
        assertTrue(r >= 0.95, "mini-batch LiSSA Pearson " + r);
    }

    @Test
    void fullRankArnoldiEqualsExact() {
        InfluenceOptions o = InfluenceOptions.of(Curvature.HESSIAN, 0.001);
        InfluenceScores exact = scores(new ExactSolver(), o);
        InfluenceScores arn = scores(new Arnoldi(new ArnoldiOptions(31, 31, 2)), o);
        assertTrue(relErr(arn.scores(), exact.scores()) < 1e-8, "relative error " + relErr(arn.scores(), exact.scores()));
    }

    /** Scores must not depend on how test points are batched or training points blocked. */
    @Test
    void scoresAreInvariantToTestBatchSizeAndTrainingBlocks() {
        for (InverseHessianSolver s : List.of(new ExactSolver(), new ConjugateGradientSolver(1e-10, 500),
                new Lissa(new LissaOptions(200, 2, 10.0, 50, 9)))) {
            InfluenceScores ref = scores(s, new InfluenceOptions(Curvature.HESSIAN, 0.001, 256, 1024));
            for (int[] bs : new int[][] {{1, 7}, {7, 100}, {60, 13}}) {
                InfluenceScores other = scores(s, new InfluenceOptions(Curvature.HESSIAN, 0.001, bs[0], bs[1]));
                // same arithmetic per test point; only BLAS blocking may differ (rounding level)
                assertTrue(relErr(other.scores(), ref.scores()) < 1e-12, s.name() + " batch " + bs[0] + "/" + bs[1]
                        + ": " + relErr(other.scores(), ref.scores()));
            }
        }
    }

    @Test
    void selfInfluenceIsTheDiagonalOfTrainOnTrainScoresAndPositive() {
        InfluenceFunctions inf = InfluenceFunctions.prepare(trained, train,
                InfluenceOptions.of(Curvature.HESSIAN, 0.001).withTestBatchSize(37), new ExactSolver());
        SelfInfluence self = inf.selfInfluence(null);
        DenseMatrix tr = inf.scores(train.features().rowRange(0, 20), train.targets().rowRange(0, 20),
                TestFunction.LOSS, null).scores();
        for (int i = 0; i < 20; i++) {
            assertEquals(tr.get(i, i), self.values()[i], 1e-12 * Math.abs(tr.get(i, i)) + 1e-300);
        }
        for (double v : self.values()) {
            assertTrue(v >= 0, "self-influence is a quadratic form of a positive-definite inverse");
        }
    }

    @Test
    void helpfulAndHarmfulFollowTheSignConvention() {
        InfluenceScores s = scores(new ExactSolver(), InfluenceOptions.of(Curvature.HESSIAN, 0.001));
        List<Ranked> help = s.helpful(0, 5);
        List<Ranked> harm = s.harmful(0, 5);
        assertEquals(5, help.size());
        for (int k = 0; k < 5; k++) {
            assertTrue(help.get(k).score() > 0 && harm.get(k).score() < 0);
            if (k > 0) {
                assertTrue(help.get(k).score() <= help.get(k - 1).score());
                assertTrue(harm.get(k).score() >= harm.get(k - 1).score());
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < train.size(); i++) {
            max = Math.max(max, s.scores().get(0, i));
        }
        assertEquals(max, help.get(0).score());
    }

    @Test
    void gaussNewtonEqualsHessianForALinearModel() {
        InfluenceScores h = scores(new ExactSolver(), InfluenceOptions.of(Curvature.HESSIAN, 0.001));
        InfluenceScores g = scores(new ConjugateGradientSolver(1e-12, 500), InfluenceOptions.of(Curvature.GAUSS_NEWTON,
                0.001));
        assertTrue(relErr(g.scores(), h.scores()) < 1e-8);
    }

    @Test
    void mlpInfluenceWithCgAgreesWithExactOnTheGaussNewtonMatrix() {
        DenseMatrix x = data.trainX().rowRange(0, 120).selectRows(java.util.stream.IntStream.range(0, 120).toArray());
        Loss softmax = new SoftmaxCrossEntropy();
        int[] labels = java.util.Arrays.copyOf(data.trainY(), 120);
        TrainingData td = new TrainingData(x, softmax.targetsFromLabels(labels, 2), softmax, 1e-3);
        Mlp m = Mlp.initialize(new int[] {30, 6, 2}, new Activation[] {Activation.TANH}, 4);
        InfluenceOptions o = InfluenceOptions.of(Curvature.GAUSS_NEWTON, 0.01);
        DenseMatrix xt = data.testX().rowRange(0, 5);
        DenseMatrix tt = softmax.targetsFromLabels(java.util.Arrays.copyOf(data.testY(), 5), 2);
        DenseMatrix exact = InfluenceFunctions.prepare(m, td, o, new ExactSolver()).scores(xt, tt, TestFunction.MARGIN,
                null).scores();
        InfluenceScores cg = InfluenceFunctions.prepare(m, td, o, new ConjugateGradientSolver(1e-11, 1000))
                .scores(xt, tt, TestFunction.MARGIN, null);
        assertTrue(cg.solves().allConverged());
        assertTrue(relErr(cg.scores(), exact) < 1e-7, "relative error " + relErr(cg.scores(), exact));
    }

    @Test
    void singularHessianWithoutDampingIsAClearError() {
        // linear regression with a duplicated feature column, no l2 and no damping: H is singular
        DenseMatrix x = new DenseMatrix(10, 2);
        DenseMatrix y = new DenseMatrix(10, 1);
        for (int i = 0; i < 10; i++) {
            x.set(i, 0, i);
            x.set(i, 1, i);
            y.set(i, 0, 2 * i + 1);
        }
        TrainingData td = new TrainingData(x, y, new SquaredLoss(), 0.0);
        Mlp m = LinearModels.zeros(2, 1);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> InfluenceFunctions.prepare(m, td,
                InfluenceOptions.of(Curvature.HESSIAN, 0.0), new ExactSolver()));
        assertTrue(e.getMessage().contains("not positive definite") && e.getMessage().contains("damping"),
                e.getMessage());
        // with damping it works
        InfluenceFunctions.prepare(m, td, InfluenceOptions.of(Curvature.HESSIAN, 1e-3), new ExactSolver());
    }

    @Test
    void mismatchedInputsAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingData(new DenseMatrix(5, 2),
                new DenseMatrix(4, 1), LOSS, 0.1));
        InfluenceFunctions inf = InfluenceFunctions.prepare(trained, train, InfluenceOptions.of(Curvature.HESSIAN,
                0.001), new ExactSolver());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inf.scores(new DenseMatrix(3, 29), new DenseMatrix(3, 1), TestFunction.LOSS, null));
        assertTrue(e.getMessage().contains("29"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> inf.scores(data.testX(), new DenseMatrix(2, 1), TestFunction.LOSS, null));
        assertThrows(IllegalArgumentException.class, () -> LOSS.targetsFromLabels(new int[] {0, 2}, 1));
        assertThrows(IllegalArgumentException.class, () -> InfluenceOptions.of(Curvature.HESSIAN, -1));
        assertThrows(IllegalArgumentException.class, () -> new LissaOptions(10, 1, 0.0, 1, 1));
        assertFalse(inf.gradientNormAtModel() > 1e-8);
    }
}
