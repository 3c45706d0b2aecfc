package org.exemplar.ntk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;

/**
 * The complexity of a subset X_I of the training set (Zhang &amp; Zhang 2022, eq. 19):
 * <pre>
 *   C(X_I) = sqrt(Y^T K^{-1} Y) - sqrt(Y_{\I}^T K_{\I}^{-1} Y_{\I}),
 * </pre>
 * the part of the RKHS norm of the kernel predictor contributed by X_I. Computed with M = K + lambda I in
 * place of K (lambda = 0 gives eq. 19 exactly; lambda > 0 keeps it defined when K is singular), and without
 * refactoring: by the block-inverse identity, with A = M^{-1} and beta = A Y,
 * <pre>
 *   Y_{\I}^T M_{\I}^{-1} Y_{\I} = Y^T A Y - beta_I^T (A_II)^{-1} beta_I,
 * </pre>
 * so each group of size s costs 2 n s^2 + s^3/3 flops (it generalizes the leave-one-out formula of eq. 9).
 *
 * <p>Groups (Fig. 5): the training points sorted by their influence, ascending, cut into {@code groups}
 * contiguous near-equal parts; group 0 is the most harmful (most negative influence), the last group the most
 * helpful.
 */
public final class Complexity {
    private Complexity() {
    }

    /**
     * One influence group.
     *
     * @param group         0 = most harmful, groups-1 = most helpful
     * @param size          number of training points in the group
     * @param meanInfluence mean influence of its points
     * @param minInfluence  smallest influence in the group
     * @param maxInfluence  largest influence in the group
     * @param complexity    C(X_I) of eq. (19)
     */
    public record Group(int group, int size, double meanInfluence, double minInfluence, double maxInfluence,
                        double complexity) {
    }

    /**
     * Complexities of the influence groups, with the same quantity for random groups of the same size as a
     * baseline.
     *
     * @param rkhsNorm        sqrt(Y^T (K + lambda I)^{-1} Y)
     * @param lambda          ridge used in place of K^{-1}
     * @param groups          the influence groups, most harmful first
     * @param randomMean      mean C over {@code randomDraws} random subsets of the median group size
     * @param randomStd       their standard deviation
     * @param randomDraws     number of random subsets
     * @param seed            seed of the random subsets
     */
    public record Report(double rkhsNorm, double lambda, List<Group> groups, double randomMean, double randomStd,
                         int randomDraws, long seed) {
    }

    /** C(X_I) for one index set, given the factorization of K + lambda I and beta = (K + lambda I)^{-1} Y. */
    static double of(Cholesky m, double[] beta, double[] y, int[] index) {
        double full = 0;
        for (int i = 0; i < y.length; i++) {
            full += y[i] * beta[i];
        }
        if (index.length == 0) {
            return 0.0;
        }
        DenseMatrix block = m.inverseBlock(index);
        double[] bi = new double[index.length];
        for (int j = 0; j < index.length; j++) {
            bi[j] = beta[index[j]];
        }
        double[] sol = Cholesky.factorize(block).solve(bi);
        double removed = 0;
        for (int j = 0; j < bi.length; j++) {
            removed += bi[j] * sol[j];
        }
        double rest = Math.max(0.0, full - removed); // >= 0 in exact arithmetic (a quadratic form of M_{\I}^{-1})
        return Math.sqrt(full) - Math.sqrt(rest);
    }

    /** C(X_I) for one index set, using the fit's factorization (eq. 19 with K + lambda I). */
    public static double of(NtkInfluence fit, int[] index) {
        return of(fit.factorization(), fit.beta(), fit.targets(), index);
    }

    /**
     * Splits the training set into groups by {@code influence} (one value per training point, for example
     * {@link InfluenceScores#meanOverTestPoints()}) and measures C(X_I) of each (Fig. 5).
     */
    public static Report byInfluenceGroups(NtkInfluence fit, double[] influence, int groups, int randomDraws,
                                           long seed) {
        int n = fit.size();
        if (influence.length != n) {
            throw new IllegalArgumentException(influence.length + " influence values for " + n + " training points");
        }
        if (groups < 1 || groups > n) {
            throw new IllegalArgumentException("groups must be in [1, n], got " + groups);
        }
        double[] beta = fit.beta();
        double[] y = fit.targets();
        Cholesky m = fit.factorization();
        double full = 0;
        for (int i = 0; i < n; i++) {
            full += y[i] * beta[i];
        }
        int[] order = org.exemplar.linalg.Ranking.ascending(influence, null);
        List<Group> out = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int from = (int) ((long) g * n / groups);
            int to = (int) ((long) (g + 1) * n / groups);
            int[] idx = new int[to - from];
            double sum = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int j = from; j < to; j++) {
                idx[j - from] = order[j];
                double v = influence[order[j]];
                sum += v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            out.add(new Group(g, idx.length, sum / Math.max(1, idx.length), lo, hi, of(m, beta, y, idx)));
        }
        int size = n / groups;
        SplittableRandom rng = new SplittableRandom(seed);
        double s1 = 0;
        double s2 = 0;
        for (int d = 0; d < randomDraws; d++) {
            int[] perm = IntStream.range(0, n).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            double c = of(m, beta, y, Arrays.copyOf(perm, size));
            s1 += c;
            s2 += c * c;
        }
        double mean = randomDraws == 0 ? Double.NaN : s1 / randomDraws;
        double std = randomDraws < 2 ? Double.NaN : Math.sqrt(Math.max(0, (s2 - randomDraws * mean * mean)
                / (randomDraws - 1)));
        return new Report(Math.sqrt(full), fit.lambda(), out, mean, std, randomDraws, seed);
    }
}
