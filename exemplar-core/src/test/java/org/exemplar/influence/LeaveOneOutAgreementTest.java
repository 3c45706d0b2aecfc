package org.exemplar.influence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.eval.Agreement;
import org.exemplar.eval.LeaveOneOut;
import org.exemplar.eval.LooOptions;
import org.exemplar.eval.LooResult;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelObjective;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainer;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.ExactSolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key proof of issue 3 (Bae et al. 2022, Fig. 1 left; Koh &amp; Liang 2017 Fig. 2): for L2 logistic
 * regression on the real WDBC data (469 train / 100 test, standardized, l2 = 0.01, damping 0.001 as in the
 * paper's Table 5 setting), influence estimates of the test-loss change agree with actual leave-one-out retraining
 * at Pearson &gt;= 0.99. Every fit reaches ||grad J|| &lt;= 1e-10 (relative to max(1, ||grad J(0)||)), so LOO
 * differences (of order 1e-5..1e-3) are real and not optimizer noise (a gradient residual g moves theta by at most
 * g / lambda_min(H) &lt;= 1e-10 / 0.011 ~ 1e-8 and a test loss by about as much, below 1e-4 of the signal).
 */
class LeaveOneOutAgreementTest {
    static BreastCancer data;
    static TrainingData train;
    static DenseMatrix testTargets;
    static Mlp trained;
    static OptimumFit fit;
    static final Loss LOSS = new SigmoidCrossEntropy();
    static final double L2 = 0.01;
    static final int[] REMOVED = new int[40];

    @BeforeAll
    static void fit() {
        data = BreastCancer.split(100, 2024);
        train = new TrainingData(data.trainX(), LOSS.targetsFromLabels(data.trainY(), 1), LOSS, L2);
        testTargets = LOSS.targetsFromLabels(data.testY(), 1);
        Mlp start = LinearModels.zeros(30, 1);
        fit = new TightTrainer(TightTrainingOptions.defaults()).fit(
                new ModelObjective(start, train.features(), train.targets(), LOSS, L2), start.parameters(), null);
        trained = start.copy();
        trained.setParameters(fit.theta());
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        int[] perm = java.util.stream.IntStream.range(0, train.size()).toArray();
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        System.arraycopy(perm, 0, REMOVED, 0, REMOVED.length);
    }

    @Test
    void baseFitReachesTheTightTolerance() {
        assertTrue(fit.converged(), fit.message());
        assertTrue(fit.relativeGradientNorm() <= 1e-10, "relative gradient norm " + fit.relativeGradientNorm());
    }

    InfluenceScores scores(double damping, TestFunction f) {
        return InfluenceFunctions.prepare(trained, train, InfluenceOptions.of(Curvature.HESSIAN, damping),
                new ExactSolver()).scores(data.testX(), testTargets, f, null);
    }

    @Test
    void influenceMatchesWarmStartLeaveOneOut() {
        LooResult loo = LeaveOneOut.run(trained, LinearModels.zeros(30, 1), train, fit.gradientScale(), REMOVED,
                data.testX(), testTargets, TestFunction.LOSS, LooOptions.defaults());
        assertTrue(loo.allConverged(), "max LOO gradient norm " + loo.maxGradientNorm());
        Agreement a = LeaveOneOut.compare(scores(0.001, TestFunction.LOSS).scores(), loo);
        assertEquals(40 * 100, a.pairs());
        assertTrue(a.pearson() >= 0.99, "Pearson " + a.pearson());
        assertTrue(a.spearman() >= 0.95, "Spearman " + a.spearman());
    }

    /**
     * Every training point removed (469 retrainings x 100 test points). The estimate is first order in 1/n; a
     * handful of high-leverage, badly fitted points respond non-linearly (their actual change is up to ~2x the
     * estimate, with or without damping), which costs the all-pairs Pearson 0.01 to 0.02 while the ranking stays
     * almost perfect. The thresholds state what holds for every removal, not only for a random sample; the
     * measured values are recorded in docs/influence.md.
     */
    @Test
    void influenceMatchesLeaveOneOutOverEveryTrainingPoint() {
        int[] all = java.util.stream.IntStream.range(0, train.size()).toArray();
        LooResult loo = LeaveOneOut.run(trained, trained, train, fit.gradientScale(), all, data.testX(), testTargets,
                TestFunction.LOSS, LooOptions.defaults());
        assertTrue(loo.allConverged());
        Agreement a = LeaveOneOut.compare(scores(0.001, TestFunction.LOSS).scores(), loo);
        // measured on this split: Pearson 0.979 (0.990 on another 469/100 split), Spearman see docs/influence.md
        assertTrue(a.pearson() >= 0.97, "Pearson " + a.pearson());
        assertTrue(a.spearman() >= 0.99, "Spearman " + a.spearman());
    }

    @Test
    void coldStartReachesTheSameOptimumForAStronglyConvexModel() {
        LooOptions cold = new LooOptions(LooOptions.Start.COLD, LooOptions.Normalization.KEEP_FULL_N,
                TightTrainingOptions.defaults());
        int[] few = java.util.Arrays.copyOf(REMOVED, 10);
        LooResult c = LeaveOneOut.run(trained, LinearModels.zeros(30, 1), train, fit.gradientScale(), few,
                data.testX(), testTargets, TestFunction.LOSS, cold);
        LooResult w = LeaveOneOut.run(trained, LinearModels.zeros(30, 1), train, fit.gradientScale(), few,
                data.testX(), testTargets, TestFunction.LOSS, LooOptions.defaults());
        assertTrue(c.allConverged() && w.allConverged());
        // both reach ||grad|| <= 1e-10; the optimum is unique, so the parameters differ by <= 2e-10 / 0.01
        // and test losses by a few 1e-8 at most
        for (int k = 0; k < c.changes().data().length; k++) {
            assertEquals(w.changes().data()[k], c.changes().data()[k], 1e-7);
        }
    }

    @Test
    void marginInfluenceMatchesLeaveOneOutToo() {
        LooResult loo = LeaveOneOut.run(trained, trained, train, fit.gradientScale(), REMOVED, data.testX(),
                testTargets, TestFunction.MARGIN, LooOptions.defaults());
        Agreement a = LeaveOneOut.compare(scores(0.001, TestFunction.MARGIN).scores(), loo);
        assertTrue(a.pearson() >= 0.99, "Pearson " + a.pearson());
    }

    @Test
    void reaveragedObjectiveAddsAnUnmodelledShift() {
        LooOptions re = new LooOptions(LooOptions.Start.WARM, LooOptions.Normalization.REAVERAGE,
                TightTrainingOptions.defaults());
        LooResult keep = LeaveOneOut.run(trained, trained, train, fit.gradientScale(), REMOVED, data.testX(),
                testTargets, TestFunction.LOSS, LooOptions.defaults());
        LooResult reav = LeaveOneOut.run(trained, trained, train, fit.gradientScale(), REMOVED, data.testX(),
                testTargets, TestFunction.LOSS, re);
        DenseMatrix s = scores(0.0, TestFunction.LOSS).scores();
        double pKeep = LeaveOneOut.compare(s, keep).pearson();
        double pRe = LeaveOneOut.compare(s, reav).pearson();
        // keeping 1/n is the response function the estimate linearizes: it must agree at least as well
        assertTrue(pKeep >= pRe - 1e-6, "keep-1/n " + pKeep + " vs re-averaged " + pRe);
        assertTrue(pKeep >= 0.99, "keep-1/n Pearson " + pKeep);
    }
}
