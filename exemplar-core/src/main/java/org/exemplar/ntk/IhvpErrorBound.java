package org.exemplar.ntk;

import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;

/**
 * Theorem 3 of Zhang &amp; Zhang (2022) measured on one problem: for every pair
 * <pre>
 *   |I - Î| >= lmin / (lmin + lambda) |I| - 1/2 alpha_i^2 (f^{\i}(x_i) - y_i)^2          (eq. 16)
 * </pre>
 * with lmin the smallest eigenvalue of the training NTK K. The error rate |I - Î| / |I| is therefore bounded
 * below by about lmin / (lmin + lambda) (Fig. 2), and the rate is reported next to that bound.
 *
 * <p>The bound holds exactly: writing termI, termII for the terms of Prop. 2, I - Î = s termI + termII with
 * s = 1 - lambda A_ii in [lmin/(lmin+lambda), 1], from which eq. (16) follows in both signs of termI. A pair
 * counts as a violation only when it misses the bound by more than 1e-9 (|I| + termII): the quantities are
 * O(1)-conditioned combinations of values each accurate to ~1e-12 relative after a well-posed solve.
 *
 * @param lambda               the ridge strength
 * @param lambdaMin            smallest eigenvalue of K
 * @param rateLowerBound       lmin / (lmin + lambda), the Fig. 2 bound on the error rate
 * @param meanErrorRateTopK    mean of |I - Î| / |I| over the topK most influential (largest |I|) training points
 *                             of each test point
 * @param medianErrorRate      median of |I - Î| / |I| over all pairs with I != 0
 * @param topK                 k of the top-k mean
 * @param pairs                number of pairs checked against eq. (16)
 * @param violations           pairs that miss eq. (16) beyond rounding (0 expected)
 * @param worstSlack           min over pairs of |I - Î| - bound (>= 0 when the bound holds)
 */
public record IhvpErrorBound(double lambda, double lambdaMin, double rateLowerBound, double meanErrorRateTopK,
                             double medianErrorRate, int topK, long pairs, long violations, double worstSlack) {

    /** Evaluates eq. (16) and the error rates on scores computed with ridge {@code lambda}. */
    public static IhvpErrorBound evaluate(InfluenceScores s, double lambda, double lambdaMin, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        DenseMatrix exact = s.exact();
        DenseMatrix ihvp = s.ihvp();
        InfluenceScores.Prop2Decomposition p = s.decomposition();
        double r = lambdaMin / (lambdaMin + lambda);
        int t = exact.rows();
        int n = exact.cols();
        int k = Math.min(topK, n);
        long violations = 0;
        double worst = Double.POSITIVE_INFINITY;
        double[] rates = new double[t * n];
        int nRates = 0;
        double topSum = 0;
        long topCount = 0;
        for (int row = 0; row < t; row++) {
            double[] absI = new double[n];
            for (int i = 0; i < n; i++) {
                double iv = exact.get(row, i);
                double err = Math.abs(iv - ihvp.get(row, i));
                double two = p.termII().get(row, i);
                double bound = r * Math.abs(iv) - two;
                double slack = err - bound;
                worst = Math.min(worst, slack);
                if (slack < -1e-9 * (Math.abs(iv) + two)) {
                    violations++;
                }
                absI[i] = Math.abs(iv);
                if (iv != 0) {
                    rates[nRates++] = err / Math.abs(iv);
                }
            }
            final int rr = row;
            int[] order = org.exemplar.linalg.Ranking.descending(absI, null);
            for (int j = 0; j < k; j++) {
                int i = order[j];
                double iv = exact.get(rr, i);
                if (iv != 0) {
                    topSum += Math.abs(iv - ihvp.get(rr, i)) / Math.abs(iv);
                    topCount++;
                }
            }
        }
        double[] sorted = Arrays.copyOf(rates, nRates);
        Arrays.sort(sorted);
        double median = nRates == 0 ? Double.NaN
                : (nRates % 2 == 1 ? sorted[nRates / 2] : 0.5 * (sorted[nRates / 2 - 1] + sorted[nRates / 2]));
        return new IhvpErrorBound(lambda, lambdaMin, r, topCount == 0 ? Double.NaN : topSum / topCount, median, k,
                (long) t * n, violations, worst);
    }
}
