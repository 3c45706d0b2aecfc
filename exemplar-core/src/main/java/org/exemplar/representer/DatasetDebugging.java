package org.exemplar.representer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;

/**
 * Dataset debugging (Yeh et al. 2018, Sec. 4.1, Fig. 2): a binary logistic regression (one sigmoid output,
 * objective eq. (3), (1/n) sum_i L(y_i, Theta f_i) + lambda ||Theta||^2) is trained on labels of which a fraction
 * was flipped; a simulated user inspects training points in the order a ranking gives, fixes the flipped labels
 * found, and the model is retrained (warm start from the noisy fit, same objective). Reported per fraction
 * inspected: the share of flipped labels found and the test accuracy, as mean and standard deviation over the
 * repeats, plus every repeat's values ({@link Runs}) so orderings can be compared paired, repeat by repeat.
 *
 * <p>A repeat draws its own flipped set and its own random order (seeded from {@code settings.seed()}); the
 * train/test split is the caller's and stays fixed. Per repeat and fraction the diagnostics that explain the
 * accuracy curves are recorded as well: the share of the fixed labels whose true class is 1 (class balance of the
 * fixes), the cosine between the refitted weights and the weights fitted on the clean labels (the decision
 * boundary's direction), and the mean clean-model margin (2 y_i - 1) Theta_clean f_i of the fixed points (how far
 * from the clean boundary the fixed points lie).
 *
 * <p>Note: for logistic regression fitted on the labels, |alpha_i| = |sigma(Phi_i) - y_i| / (2 lambda n) and the
 * loss -log(sigma((2 y_i - 1) Phi_i)) are both increasing functions of |sigma(Phi_i) - y_i|, so the representer and
 * loss orders coincide exactly (by construction, not by chance); both are kept to make that visible.
 */
public final class DatasetDebugging {

    /**
     * Settings; {@code fractions} must start at 0 and increase.
     *
     * @param flipFraction share of training labels flipped (0 &lt;-&gt; 1)
     * @param lambda       lambda of eq. (3) (the paper: 1e-2)
     * @param fractions    inspected shares of the training set
     * @param repeats      independent flip draws (the paper: 5 random splits)
     * @param seed         seed of the flips and of the random orders
     * @param tolerance    stationarity tolerance of every fit
     */
    public record Settings(double flipFraction, double lambda, double[] fractions, int repeats, long seed,
                           double tolerance) {
        public Settings {
            if (!(flipFraction > 0 && flipFraction < 1)) {
                throw new IllegalArgumentException("flip fraction must be in (0, 1), got " + flipFraction);
            }
            if (!(lambda > 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
            }
            if (fractions.length == 0) {
                throw new IllegalArgumentException("no inspected fractions given");
            }
            for (int k = 0; k < fractions.length; k++) {
                double f = fractions[k];
                if (!(f >= 0 && f <= 1)) {
                    throw new IllegalArgumentException("inspected fraction " + f + " outside [0, 1]");
                }
                if (k > 0 && !(f > fractions[k - 1])) {
                    throw new IllegalArgumentException("inspected fractions must increase, got " + fractions[k - 1]
                            + " then " + f);
                }
            }
        }
    }

    /**
     * Every repeat's values of one ordering, indexed [fraction][repeat].
     *
     * @param found              share of the flipped labels found
     * @param accuracy           test accuracy after fixing them and retraining
     * @param fixedPositiveShare share of the fixed labels whose true class is 1 (NaN when nothing was fixed)
     * @param cosineToClean      cosine between the refitted Theta and the clean-label Theta
     * @param fixedCleanMargin   mean clean-model margin (2 y_i - 1) Theta_clean f_i of the fixed points (NaN when none)
     * @param testAuc            area under the ROC curve of Theta f on the test set (threshold-free: how well the
     *                           refit ranks test points, whatever its intercept)
     * @param predictedPositive  share of test points the refit assigns to class 1
     * @param cleanAlphaFound    the fixed points' share of the clean model's representer weight over all flipped
     *                           points, sum_fixed |alpha_i^clean| / sum_flipped |alpha_i^clean|: how much of what
     *                           the clean model rests on the fixes restore (compare with {@code found})
     * @param fixedAlreadyPredicted share of the fixed points whose true label the noisy fit already predicted
     *                           (NaN when none): fixes of labels the corrupted model had not absorbed
     */
    public record Runs(String ordering, double[][] found, double[][] accuracy, double[][] fixedPositiveShare,
                       double[][] cosineToClean, double[][] fixedCleanMargin, double[][] testAuc,
                       double[][] predictedPositive, double[][] cleanAlphaFound, double[][] fixedAlreadyPredicted) {
    }

    /**
     * Curves per ordering (means and standard deviations over the repeats), every repeat's values, the clean and
     * the corrupted accuracy (corrupted: mean over repeats) and the corrupted fits' cosine to the clean weights.
     */
    public record Result(List<DebuggingCurve> curves, List<Runs> runs, double cleanAccuracy, double corruptedAccuracy,
                         double[] corruptedAccuracyRuns, double corruptedCosineToClean, Settings settings) {

        /** The runs of the named ordering. */
        public Runs runs(String ordering) {
            return runs.stream().filter(r -> r.ordering().equals(ordering)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no ordering named " + ordering));
        }
    }

    /** Mean and sample standard deviation over repeats of a paired per-repeat difference, per fraction. */
    public record PairedDifference(String first, String second, double[] fractions, double[] mean, double[] std,
                                   int[] firstHigher) {
        /** How many inspected fractions f in (0, maxFraction] there are. */
        public int fractionsUpTo(double maxFraction) {
            int c = 0;
            for (double f : fractions) {
                c += f > 0 && f <= maxFraction + 1e-12 ? 1 : 0;
            }
            return c;
        }

        /** At how many of the fractions f in (0, maxFraction] the mean paired difference is positive. */
        public int positiveUpTo(double maxFraction) {
            int c = 0;
            for (int k = 0; k < fractions.length; k++) {
                c += fractions[k] > 0 && fractions[k] <= maxFraction + 1e-12 && mean[k] > 0 ? 1 : 0;
            }
            return c;
        }
    }

    private DatasetDebugging() {
    }

    /**
     * Runs the experiment. Features are used as given (append a ones column for a bias, which eq. (3) then
     * regularizes like every weight). Labels are 0/1.
     */
    public static Result run(DenseMatrix trainFeatures, int[] trainLabels, DenseMatrix testFeatures, int[] testLabels,
                             List<InspectionRanking> rankings, Settings s) {
        int n = trainFeatures.rows();
        if (trainLabels.length != n || testLabels.length != testFeatures.rows()) {
            throw new IllegalArgumentException("labels and features disagree in length: " + trainLabels.length
                    + " training labels for " + n + " rows, " + testLabels.length + " test labels for "
                    + testFeatures.rows() + " rows");
        }
        if (testFeatures.cols() != trainFeatures.cols()) {
            throw new IllegalArgumentException("test features have " + testFeatures.cols() + " columns, training "
                    + trainFeatures.cols());
        }
        checkBinary(trainLabels, "training");
        checkBinary(testLabels, "test");
        Loss loss = new SigmoidCrossEntropy();
        FitOptions fo = new FitOptions(s.lambda(), s.tolerance(), 5000, true);
        LastLayerFitter fitter = new LastLayerFitter(fo);
        int m = s.fractions().length;
        int reps = s.repeats();
        int nr = rankings.size();
        double[][][] found = new double[nr][m][reps];
        double[][][] acc = new double[nr][m][reps];
        double[][][] share = new double[nr][m][reps];
        double[][][] cosine = new double[nr][m][reps];
        double[][][] margin = new double[nr][m][reps];
        double[][][] auc = new double[nr][m][reps];
        double[][][] predPos = new double[nr][m][reps];
        double[][][] alphaFound = new double[nr][m][reps];
        double[][][] already = new double[nr][m][reps];
        LastLayerFit cleanFit = fitter.fit(trainFeatures, loss.targetsFromLabels(trainLabels, 1), loss, null, null);
        requireConverged(cleanFit, "clean-label fit");
        double[] thetaClean = cleanFit.theta().data();
        double[] cleanMargin = margins(trainFeatures, thetaClean, trainLabels);
        DenseMatrix cleanAlpha = RepresenterPoints.of(trainFeatures, loss.targetsFromLabels(trainLabels, 1), loss,
                s.lambda(), cleanFit.theta()).alpha();
        double clean = accuracy(cleanFit, testFeatures, testLabels);
        double[] corruptedRuns = new double[reps];
        double corruptedCos = 0;
        SplittableRandom root = new SplittableRandom(s.seed());
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom rng = root.split();
            int[] noisy = trainLabels.clone();
            boolean[] flipped = drawFlips(noisy, s.flipFraction(), rng);
            int nFlip = (int) Math.round(s.flipFraction() * n);
            double flippedAlpha = 0;
            for (int i = 0; i < n; i++) {
                flippedAlpha += flipped[i] ? Math.abs(cleanAlpha.get(i, 0)) : 0;
            }
            DenseMatrix targets = loss.targetsFromLabels(noisy, 1);
            LastLayerFit noisyFit = fitter.fit(trainFeatures, targets, loss, null, null);
            requireConverged(noisyFit, "corrupted-label fit of repeat " + rep);
            corruptedRuns[rep] = accuracy(noisyFit, testFeatures, testLabels);
            corruptedCos += cosine(noisyFit.theta().data(), thetaClean) / reps;
            RepresenterPoints rp = RepresenterPoints.of(trainFeatures, targets, loss, s.lambda(), noisyFit.theta());
            double[] noisyScore = scores(trainFeatures, noisyFit.theta().data());
            int[][] orders = new int[nr][];
            for (int r = 0; r < nr; r++) {
                int[] order = rankings.get(r).order(new InspectionRanking.Context(trainFeatures, targets, noisy, loss,
                        rp, rng.split()));
                if (order.length != n) {
                    throw new IllegalStateException("ordering " + rankings.get(r).name() + " returned " + order.length
                            + " indices for " + n + " training points");
                }
                orders[r] = order;
                int same = firstEqual(orders, r);
                if (same >= 0) {
                    // the same permutation as an earlier ordering (|alpha| and loss, see the class comment):
                    // identical refits, so their values are copied instead of recomputed
                    for (double[][][] table : new double[][][][] {found, acc, share, cosine, margin, auc, predPos,
                        alphaFound, already}) {
                        for (int f = 0; f < m; f++) {
                            table[r][f][rep] = table[same][f][rep];
                        }
                    }
                    continue;
                }
                for (int f = 0; f < m; f++) {
                    int inspected = (int) Math.round(s.fractions()[f] * n);
                    int[] fixedLabels = noisy.clone();
                    int hits = 0;
                    int positives = 0;
                    double marginSum = 0;
                    double alphaSum = 0;
                    int predicted = 0;
                    for (int k = 0; k < inspected; k++) {
                        int i = order[k];
                        if (flipped[i]) {
                            fixedLabels[i] = trainLabels[i];
                            hits++;
                            positives += trainLabels[i];
                            marginSum += cleanMargin[i];
                            alphaSum += Math.abs(cleanAlpha.get(i, 0));
                            predicted += (noisyScore[i] > 0 ? 1 : 0) == trainLabels[i] ? 1 : 0;
                        }
                    }
                    found[r][f][rep] = hits / (double) nFlip;
                    alphaFound[r][f][rep] = alphaSum / flippedAlpha;
                    already[r][f][rep] = hits == 0 ? Double.NaN : predicted / (double) hits;
                    share[r][f][rep] = hits == 0 ? Double.NaN : positives / (double) hits;
                    margin[r][f][rep] = hits == 0 ? Double.NaN : marginSum / hits;
                    LastLayerFit refit = noisyFit;
                    if (hits > 0) {
                        refit = fitter.fit(trainFeatures, loss.targetsFromLabels(fixedLabels, 1), loss,
                                noisyFit.theta(), null);
                        requireConverged(refit, "refit of ordering " + rankings.get(r).name() + " at fraction "
                                + s.fractions()[f]);
                    }
                    acc[r][f][rep] = accuracy(refit, testFeatures, testLabels);
                    cosine[r][f][rep] = cosine(refit.theta().data(), thetaClean);
                    double[] z = scores(testFeatures, refit.theta().data());
                    auc[r][f][rep] = auc(z, testLabels);
                    int pp = 0;
                    for (double v : z) {
                        pp += v > 0 ? 1 : 0;
                    }
                    predPos[r][f][rep] = pp / (double) z.length;
                }
            }
        }
        List<DebuggingCurve> curves = new ArrayList<>();
        List<Runs> runs = new ArrayList<>();
        for (int r = 0; r < nr; r++) {
            double[] fm = new double[m];
            double[] fs = new double[m];
            double[] am = new double[m];
            double[] as = new double[m];
            for (int f = 0; f < m; f++) {
                fm[f] = nanMean(found[r][f]);
                fs[f] = nanStd(found[r][f]);
                am[f] = nanMean(acc[r][f]);
                as[f] = nanStd(acc[r][f]);
            }
            String name = rankings.get(r).name();
            curves.add(new DebuggingCurve(name, s.fractions().clone(), fm, fs, am, as));
            runs.add(new Runs(name, found[r], acc[r], share[r], cosine[r], margin[r], auc[r], predPos[r],
                    alphaFound[r], already[r]));
        }
        return new Result(List.copyOf(curves), List.copyOf(runs), clean, nanMean(corruptedRuns), corruptedRuns,
                corruptedCos, s);
    }

    /**
     * Paired difference of test accuracy, first minus second, repeat by repeat (both orderings saw the same
     * flipped labels in each repeat): mean, sample standard deviation and in how many repeats the first was higher.
     */
    public static PairedDifference accuracyDifference(Result result, String first, String second) {
        Runs a = result.runs(first);
        Runs b = result.runs(second);
        int m = a.accuracy().length;
        double[] mean = new double[m];
        double[] std = new double[m];
        int[] higher = new int[m];
        for (int f = 0; f < m; f++) {
            double[] d = new double[a.accuracy()[f].length];
            for (int k = 0; k < d.length; k++) {
                d[k] = a.accuracy()[f][k] - b.accuracy()[f][k];
                higher[f] += d[k] > 0 ? 1 : 0;
            }
            mean[f] = nanMean(d);
            std[f] = nanStd(d);
        }
        return new PairedDifference(first, second, result.settings().fractions().clone(), mean, std, higher);
    }

    /** Mean over repeats of a per-repeat table, ignoring NaN entries (NaN when all are NaN). */
    public static double[] meanOverRepeats(double[][] perFractionRepeats) {
        double[] out = new double[perFractionRepeats.length];
        for (int f = 0; f < out.length; f++) {
            out[f] = nanMean(perFractionRepeats[f]);
        }
        return out;
    }

    /**
     * Which flipped labels matter (the measurement behind the explanation in docs/reproductions.md): per repeat
     * (the same flipped sets as {@link #run} with the same settings), the flipped labels split into those the
     * corrupted fit has <i>absorbed</i> (it predicts the flipped label) and those it <i>resists</i> (it still
     * predicts the true label, so they have a large loss and a large |alpha|); for every fraction f of
     * {@code settings.fractions()}, round(f n) flipped labels are fixed, drawn at random from the absorbed ones,
     * from the resisted ones, or from all flipped ones, and the model is retrained. Entries whose draw exceeds the
     * set are NaN.
     */
    public static SubsetFixes fixSubsets(DenseMatrix trainFeatures, int[] trainLabels, DenseMatrix testFeatures,
                                         int[] testLabels, Settings s) {
        int n = trainFeatures.rows();
        checkBinary(trainLabels, "training");
        checkBinary(testLabels, "test");
        Loss loss = new SigmoidCrossEntropy();
        LastLayerFitter fitter = new LastLayerFitter(new FitOptions(s.lambda(), s.tolerance(), 5000, true));
        int m = s.fractions().length;
        int reps = s.repeats();
        double[][] absorbedAcc = new double[m][reps];
        double[][] resistedAcc = new double[m][reps];
        double[][] anyAcc = new double[m][reps];
        int[] absorbedCount = new int[reps];
        int[] resistedCount = new int[reps];
        SplittableRandom root = new SplittableRandom(s.seed());
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom rng = root.split();
            int[] noisy = trainLabels.clone();
            boolean[] flipped = drawFlips(noisy, s.flipFraction(), rng);
            LastLayerFit noisyFit = fitter.fit(trainFeatures, loss.targetsFromLabels(noisy, 1), loss, null, null);
            requireConverged(noisyFit, "corrupted-label fit of repeat " + rep);
            double[] z = scores(trainFeatures, noisyFit.theta().data());
            List<Integer> absorbed = new ArrayList<>();
            List<Integer> resisted = new ArrayList<>();
            List<Integer> any = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (flipped[i]) {
                    any.add(i);
                    ((z[i] > 0 ? 1 : 0) == trainLabels[i] ? resisted : absorbed).add(i);
                }
            }
            absorbedCount[rep] = absorbed.size();
            resistedCount[rep] = resisted.size();
            SplittableRandom draw = rng.split();
            List<List<Integer>> sets = List.of(shuffled(absorbed, draw), shuffled(resisted, draw), shuffled(any, draw));
            double[][][] out = {absorbedAcc, resistedAcc, anyAcc};
            for (int f = 0; f < m; f++) {
                int k = (int) Math.round(s.fractions()[f] * n);
                for (int set = 0; set < 3; set++) {
                    List<Integer> src = sets.get(set);
                    if (k > src.size()) {
                        out[set][f][rep] = Double.NaN;
                        continue;
                    }
                    int[] fixedLabels = noisy.clone();
                    for (int q = 0; q < k; q++) {
                        fixedLabels[src.get(q)] = trainLabels[src.get(q)];
                    }
                    LastLayerFit refit = k == 0 ? noisyFit : fitter.fit(trainFeatures,
                            loss.targetsFromLabels(fixedLabels, 1), loss, noisyFit.theta(), null);
                    requireConverged(refit, "refit after fixing " + k + " labels");
                    out[set][f][rep] = accuracy(refit, testFeatures, testLabels);
                }
            }
        }
        return new SubsetFixes(s.fractions().clone(), absorbedAcc, resistedAcc, anyAcc, absorbedCount, resistedCount,
                s);
    }

    /**
     * Result of {@link #fixSubsets}: test accuracies indexed [fraction][repeat] after fixing round(f n) flipped
     * labels drawn from the absorbed, the resisted or all flipped labels; the sizes of the two sets per repeat.
     */
    public record SubsetFixes(double[] fractions, double[][] absorbedAccuracy, double[][] resistedAccuracy,
                              double[][] anyAccuracy, int[] absorbedCount, int[] resistedCount, Settings settings) {
    }

    private static int firstEqual(int[][] orders, int r) {
        for (int q = 0; q < r; q++) {
            if (java.util.Arrays.equals(orders[q], orders[r])) {
                return q;
            }
        }
        return -1;
    }

    /** Flips the labels of round(fraction n) points drawn uniformly (in place); returns which were flipped. */
    private static boolean[] drawFlips(int[] labels, double fraction, SplittableRandom rng) {
        int n = labels.length;
        boolean[] flipped = new boolean[n];
        int nFlip = (int) Math.round(fraction * n);
        int[] perm = permutation(n, rng);
        for (int k = 0; k < nFlip; k++) {
            labels[perm[k]] = 1 - labels[perm[k]];
            flipped[perm[k]] = true;
        }
        return flipped;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    private static List<Integer> shuffled(List<Integer> v, SplittableRandom rng) {
        List<Integer> out = new ArrayList<>(v);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }

    /** Share of test points whose sign of Theta f agrees with the 0/1 label (Theta f = 0 counts as class 0). */
    static double accuracy(LastLayerFit fit, DenseMatrix features, int[] labels) {
        double[] w = fit.theta().data();
        int p = features.cols();
        int correct = 0;
        for (int i = 0; i < features.rows(); i++) {
            double z = Vectors.dot(features.data(), i * p, w, 0, p);
            if ((z > 0 ? 1 : 0) == labels[i]) {
                correct++;
            }
        }
        return correct / (double) features.rows();
    }

    private static double[] scores(DenseMatrix features, double[] w) {
        int p = features.cols();
        double[] out = new double[features.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Vectors.dot(features.data(), i * p, w, 0, p);
        }
        return out;
    }

    /**
     * Area under the ROC curve: the probability that a random class-1 point scores above a random class-0 point,
     * ties counting one half (Mann-Whitney U / (n1 n0)); NaN when a class is absent.
     */
    static double auc(double[] score, int[] labels) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(score[a], score[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && score[idx[j + 1]] == score[idx[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[idx[k]] == 1) {
                    rankSumPositive += midRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = score.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
    }

    private static double[] margins(DenseMatrix features, double[] w, int[] labels) {
        int p = features.cols();
        double[] out = new double[features.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (2 * labels[i] - 1) * Vectors.dot(features.data(), i * p, w, 0, p);
        }
        return out;
    }

    private static double cosine(double[] a, double[] b) {
        return Vectors.dot(a, 0, b, 0, a.length) / (Vectors.norm2(a) * Vectors.norm2(b));
    }

    private static void checkBinary(int[] labels, String what) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException(what + " label " + i + " is " + labels[i]
                        + "; dataset debugging needs 0/1 labels");
            }
        }
    }

    private static void requireConverged(LastLayerFit fit, String what) {
        if (!fit.converged()) {
            throw new ArithmeticException(what + " did not reach a stationary point: residual "
                    + fit.stationarityResidual() + " after " + fit.iterations() + " iterations");
        }
    }

    /** Mean of the non-NaN entries (NaN when there are none). */
    public static double nanMean(double[] v) {
        double s = 0;
        int c = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                c++;
            }
        }
        return c == 0 ? Double.NaN : s / c;
    }

    /** Sample standard deviation of the non-NaN entries (0 for fewer than two). */
    public static double nanStd(double[] v) {
        double m = nanMean(v);
        double s = 0;
        int c = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += (x - m) * (x - m);
                c++;
            }
        }
        return c < 2 ? 0 : Math.sqrt(s / (c - 1));
    }
}
