package org.exemplar.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.SelfInfluence;
import org.exemplar.influence.SelfInfluenceRanking;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelObjective;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainer;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.representer.DebuggingCurve;
import org.exemplar.representer.InspectionRanking;
import org.exemplar.representer.RepresenterPoints;
import org.exemplar.solver.InverseHessianSolver;

/**
 * Mislabelled-example detection with self-influence (Bae et al. 2022, App. F.3; Koh &amp; Liang 2017, Sec. 5.4):
 * a fraction of training labels is replaced by a uniformly drawn <i>different</i> class (so exactly that fraction
 * is wrong), multinomial L2 logistic regression (softmax, {@link LinearModels.Kind#SOFTMAX}) is trained on the
 * noisy labels, and a simulated user inspects training points in the order of each ranking, fixing every corrupted
 * label found; the model is retrained (warm start) on the partly fixed labels and evaluated on the test set.
 *
 * <p>Rankings: self-influence (largest first), representer |alpha_{i, y_i}| (Yeh et al. 2018; for a softmax
 * model fitted on the labels it is (1 - p_{y_i}) / (2 lambda n), a monotone function of the training loss, so it
 * orders exactly like the loss ranking, which is kept to make that visible), training loss, and random (the
 * floor). Differences from App. F.3: the paper trains a 2x1024 MLP with SGD on 10 % of MNIST; here the model is a
 * strongly convex softmax regression so the influence estimate is exact up to damping (documented in
 * docs/influence.md).
 */
public final class MislabelDetection {
    private MislabelDetection() {
    }

    /**
     * @param corruptFraction   share of training labels replaced by a different class
     * @param l2                L2 strength of J
     * @param damping           damping of the self-influence solve
     * @param fractions         inspected shares of the training set, increasing
     * @param seed              seed of the corruption and of the random order
     * @param trainingTolerance relative gradient tolerance of the noisy fit (influence) and of the refits
     */
    public record Settings(double corruptFraction, double l2, double damping, double[] fractions, long seed,
                           double trainingTolerance) {
        public Settings {
            if (!(corruptFraction > 0 && corruptFraction < 1)) {
                throw new IllegalArgumentException("corrupt fraction must be in (0, 1), got " + corruptFraction);
            }
            for (double f : fractions) {
                if (f < 0 || f > 1) {
                    throw new IllegalArgumentException("inspected fraction " + f + " outside [0, 1]");
                }
            }
        }
    }

    /**
     * @param curves            one per ranking: share of corrupted labels found and test accuracy after fixing
     * @param cleanAccuracy     test accuracy trained on the clean labels
     * @param corruptedAccuracy test accuracy trained on the corrupted labels
     * @param corrupted         the corrupted training indices
     * @param secondsSelfInfluence time of the self-influence computation
     * @param fitGradientNorm   ||grad J|| of the noisy fit the influence was computed at
     */
    public record Result(List<DebuggingCurve> curves, double cleanAccuracy, double corruptedAccuracy, int[] corrupted,
                         double secondsSelfInfluence, double fitGradientNorm, Settings settings) {
    }

    public static Result run(DenseMatrix trainX, int[] trainY, DenseMatrix testX, int[] testY, int classes,
                             Settings s, InverseHessianSolver solver) {
        int n = trainX.rows();
        if (trainY.length != n || testY.length != testX.rows()) {
            throw new IllegalArgumentException("labels and features disagree in length");
        }
        Loss loss = new SoftmaxCrossEntropy();
        SplittableRandom rng = new SplittableRandom(s.seed());
        int nCorrupt = (int) Math.round(s.corruptFraction() * n);
        int[] perm = permutation(n, rng);
        int[] noisy = trainY.clone();
        boolean[] isCorrupt = new boolean[n];
        int[] corrupted = new int[nCorrupt];
        for (int k = 0; k < nCorrupt; k++) {
            int i = perm[k];
            int other = rng.nextInt(classes - 1);
            noisy[i] = other >= trainY[i] ? other + 1 : other;
            isCorrupt[i] = true;
            corrupted[k] = i;
        }
        TightTrainingOptions topt = TightTrainingOptions.defaults().withTolerance(s.trainingTolerance());
        Mlp clean = fit(trainX, trainY, classes, s.l2(), null, topt);
        Mlp noisyFit = fit(trainX, noisy, classes, s.l2(), null, topt);
        DenseMatrix targets = loss.targetsFromLabels(noisy, classes);
        TrainingData data = new TrainingData(trainX, targets, loss, s.l2());

        long t0 = System.nanoTime();
        InfluenceFunctions inf = InfluenceFunctions.prepare(noisyFit, data,
                InfluenceOptions.of(Curvature.HESSIAN, s.damping()).withTestBatchSize(512), solver);
        SelfInfluence self = inf.selfInfluence(null);
        double secondsSelf = (System.nanoTime() - t0) / 1e9;
        if (!self.solves().allConverged()) {
            throw new ArithmeticException("self-influence solves did not converge: " + self.solves().notes());
        }

        // representer points of the noisy fit: Theta = [W | b] on features [x | 1], lambda = l2 / 2
        DenseMatrix features = trainX.withOnesColumn();
        DenseMatrix theta = new DenseMatrix(classes, trainX.cols() + 1);
        DenseMatrix w = noisyFit.weight(0);
        double[] b = noisyFit.bias(0);
        for (int r = 0; r < classes; r++) {
            for (int j = 0; j < trainX.cols(); j++) {
                theta.set(r, j, w.get(r, j));
            }
            theta.set(r, trainX.cols(), b[r]);
        }
        RepresenterPoints rp = RepresenterPoints.of(features, targets, loss, s.l2() / 2, theta);
        List<InspectionRanking> rankings = List.of(new SelfInfluenceRanking(self.values()), InspectionRanking.REPRESENTER,
                InspectionRanking.LOSS, InspectionRanking.RANDOM);
        List<DebuggingCurve> curves = new ArrayList<>();
        int m = s.fractions().length;
        for (InspectionRanking ranking : rankings) {
            int[] order = ranking.order(new InspectionRanking.Context(features, targets, noisy, loss, rp, rng.split()));
            double[] found = new double[m];
            double[] acc = new double[m];
            for (int f = 0; f < m; f++) {
                int inspected = (int) Math.round(s.fractions()[f] * n);
                int[] fixed = noisy.clone();
                int hits = 0;
                for (int k = 0; k < inspected; k++) {
                    if (isCorrupt[order[k]]) {
                        fixed[order[k]] = trainY[order[k]];
                        hits++;
                    }
                }
                found[f] = hits / (double) nCorrupt;
                Mlp refit = hits == 0 ? noisyFit : fit(trainX, fixed, classes, s.l2(), noisyFit, topt);
                acc[f] = accuracy(refit, testX, testY);
            }
            curves.add(new DebuggingCurve(ranking.name(), s.fractions().clone(), found, new double[m], acc,
                    new double[m]));
        }
        double gn = Vectors.norm2(noisyFit.gradient(trainX, targets, loss, s.l2()));
        return new Result(List.copyOf(curves), accuracy(clean, testX, testY), accuracy(noisyFit, testX, testY),
                corrupted, secondsSelf, gn, s);
    }

    private static Mlp fit(DenseMatrix x, int[] labels, int classes, double l2, Mlp start, TightTrainingOptions o) {
        Loss loss = new SoftmaxCrossEntropy();
        Mlp init = start != null ? start.copy() : LinearModels.zeros(x.cols(), classes);
        ModelObjective obj = new ModelObjective(init, x, loss.targetsFromLabels(labels, classes), loss, l2);
        OptimumFit fit = new TightTrainer(o).fit(obj, init.parameters(), null);
        if (!fit.converged()) {
            throw new ArithmeticException("softmax regression stopped at relative gradient norm "
                    + fit.relativeGradientNorm() + " > " + o.tolerance() + ": " + fit.message());
        }
        init.setParameters(fit.theta());
        return init;
    }

    static double accuracy(Mlp m, DenseMatrix x, int[] y) {
        DenseMatrix phi = m.logits(x);
        int c = phi.cols();
        int ok = 0;
        for (int i = 0; i < y.length; i++) {
            ok += Vectors.argmax(phi.data(), i * c, c) == y[i] ? 1 : 0;
        }
        return ok / (double) y.length;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
