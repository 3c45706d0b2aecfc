package org.exemplar.eval;

/**
 * Case-deletion diagnostics of one attribution method (Tsai et al. 2023, Sec. 6.1): for each k, the mean over test
 * points of DEL+ (prediction change after removing the top-k positive points and retraining) and DEL- (same for
 * the top-k negative points), with 95 % confidence half-widths (1.96 standard errors); AUC-DEL = mean over the k
 * schedule. Expected: DEL+ &lt; 0, DEL- &gt; 0; the more extreme, the better the method.
 */
public record DeletionResult(String method, int[] ks, double[] delPlusMean, double[] delPlusCi95,
                             double[] delMinusMean, double[] delMinusCi95, double aucDelPlus, double aucDelPlusCi95,
                             double aucDelMinus, double aucDelMinusCi95, int testPoints) {
}
