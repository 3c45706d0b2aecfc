package org.exemplar.representer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;

/**
 * Dataset debugging (Yeh et al. 2018, Sec. 4.1, Fig. 2): a binary logistic regression (one sigmoid output,
 * objective eq. (3) with weight lambda) is trained on labels of which a fraction was flipped; a simulated user
 * inspects training points in the order a ranking gives, fixes the flipped labels found, and the model is
 * retrained. Reported per fraction inspected: the share of flipped labels found and the test accuracy.
 *
 * <p>Note: for logistic regression fitted on the labels, |alpha_i| = |sigma(Phi_i) - y_i| / (2 lambda n) is a
 * monotone function of the training loss, so the representer and loss orders coincide exactly; both are kept
 * to make that visible.
 */
public final class DatasetDebugging {

    /** Settings; {@code fractions} must start at 0 and increase. */
    public record Settings(double flipFraction, double lambda, double[] fractions, int repeats, long seed,
                           double tolerance) {
        public Settings {
            if (!(flipFraction > 0 && flipFraction < 1)) {
                throw new IllegalArgumentException("flip fraction must be in (0, 1), got " + flipFraction);
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
            }
            for (double f : fractions) {
                if (f < 0 || f > 1) {
                    throw new IllegalArgumentException("inspected fraction " + f + " outside [0, 1]");
                }
            }
        }
    }

    /** Curves per ordering plus the clean and the corrupted accuracy (means over repeats). */
    public record Result(List<DebuggingCurve> curves, double cleanAccuracy, double corruptedAccuracy,
                         Settings settings) {
    }

    private DatasetDebugging() {
    }

    public static Result run(DenseMatrix trainFeatures, int[] trainLabels, DenseMatrix testFeatures, int[] testLabels,
                             List<InspectionRanking> rankings, Settings s) {
        int n = trainFeatures.rows();
        Loss loss = new SigmoidCrossEntropy();
        FitOptions fo = new FitOptions(s.lambda(), s.tolerance(), 5000, true);
        LastLayerFitter fitter = new LastLayerFitter(fo);
        int m = s.fractions().length;
        double[][][] found = new double[rankings.size()][m][s.repeats()];
        double[][][] acc = new double[rankings.size()][m][s.repeats()];
        double clean = accuracy(fitter.fit(trainFeatures, loss.targetsFromLabels(trainLabels, 1), loss, null, null),
                testFeatures, testLabels);
        double corruptedSum = 0;
        SplittableRandom root = new SplittableRandom(s.seed());
        for (int rep = 0; rep < s.repeats(); rep++) {
            SplittableRandom rng = root.split();
            int[] noisy = trainLabels.clone();
            boolean[] flipped = new boolean[n];
            int nFlip = (int) Math.round(s.flipFraction() * n);
            int[] perm = InspectionRanking.RANDOM.order(new InspectionRanking.Context(trainFeatures, null, null,
                    loss, null, rng));
            for (int k = 0; k < nFlip; k++) {
                noisy[perm[k]] = 1 - noisy[perm[k]];
                flipped[perm[k]] = true;
            }
            DenseMatrix targets = loss.targetsFromLabels(noisy, 1);
            LastLayerFit noisyFit = fitter.fit(trainFeatures, targets, loss, null, null);
            corruptedSum += accuracy(noisyFit, testFeatures, testLabels);
            RepresenterPoints rp = RepresenterPoints.of(trainFeatures, targets, loss, s.lambda(), noisyFit.theta());
            for (int r = 0; r < rankings.size(); r++) {
                int[] order = rankings.get(r).order(new InspectionRanking.Context(trainFeatures, targets, noisy, loss,
                        rp, rng.split()));
                for (int f = 0; f < m; f++) {
                    int inspected = (int) Math.round(s.fractions()[f] * n);
                    int[] fixedLabels = noisy.clone();
                    int hits = 0;
                    for (int k = 0; k < inspected; k++) {
                        int i = order[k];
                        if (flipped[i]) {
                            fixedLabels[i] = trainLabels[i];
                            hits++;
                        }
                    }
                    found[r][f][rep] = nFlip == 0 ? 0 : hits / (double) nFlip;
                    LastLayerFit refit = hits == 0 ? noisyFit
                            : fitter.fit(trainFeatures, loss.targetsFromLabels(fixedLabels, 1), loss,
                            noisyFit.theta(), null);
                    acc[r][f][rep] = accuracy(refit, testFeatures, testLabels);
                }
            }
        }
        List<DebuggingCurve> curves = new ArrayList<>();
        for (int r = 0; r < rankings.size(); r++) {
            double[] fm = new double[m];
            double[] fs = new double[m];
            double[] am = new double[m];
            double[] as = new double[m];
            for (int f = 0; f < m; f++) {
                fm[f] = mean(found[r][f]);
                fs[f] = std(found[r][f]);
                am[f] = mean(acc[r][f]);
                as[f] = std(acc[r][f]);
            }
            curves.add(new DebuggingCurve(rankings.get(r).name(), s.fractions().clone(), fm, fs, am, as));
        }
        return new Result(List.copyOf(curves), clean, corruptedSum / s.repeats(), s);
    }

    static double accuracy(LastLayerFit fit, DenseMatrix features, int[] labels) {
        double[] w = fit.theta().data();
        int p = features.cols();
        int correct = 0;
        for (int i = 0; i < features.rows(); i++) {
            double z = org.exemplar.linalg.Vectors.dot(features.data(), i * p, w, 0, p);
            if ((z > 0 ? 1 : 0) == labels[i]) {
                correct++;
            }
        }
        return correct / (double) features.rows();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
