package org.exemplar.eval;

/**
 * Case-deletion diagnostics of one attribution method (Tsai et al. 2023, Sec. 6.1): for each k, the mean over test
 * points of DEL+ (prediction change after removing the top-k positive points and retraining) and DEL- (same for
 * the top-k negative points), with 95 % confidence half-widths (1.96 standard errors); AUC-DEL = mean over the k
 * schedule. Expected: DEL+ &lt; 0, DEL- &gt; 0; the more extreme, the better the method.
 *
 * @param delPlus  the raw DEL+ values, [k index][test point] (for paired comparisons between methods)
 * @param delMinus the raw DEL- values, [k index][test point]
 */
public record DeletionResult(String method, int[] ks, double[] delPlusMean, double[] delPlusCi95,
                             double[] delMinusMean, double[] delMinusCi95, double aucDelPlus, double aucDelPlusCi95,
                             double aucDelMinus, double aucDelMinusCi95, int testPoints, double[][] delPlus,
                             double[][] delMinus) {

    /** Rows (method, test id, k, DEL+, DEL-) for every test point and k, {@code testIds} naming the test points. */
    public static java.util.List<Object[]> perTestRows(java.util.List<DeletionResult> results, int[] testIds) {
        java.util.List<Object[]> rows = new java.util.ArrayList<>();
        for (DeletionResult r : results) {
            if (testIds.length != r.testPoints()) {
                throw new IllegalArgumentException(testIds.length + " test ids for " + r.testPoints() + " test points");
            }
            for (int t = 0; t < r.testPoints(); t++) {
                for (int k = 0; k < r.ks().length; k++) {
                    rows.add(new Object[] {r.method(), testIds[t], r.ks()[k], r.delPlus()[k][t], r.delMinus()[k][t]});
                }
            }
        }
        return rows;
    }

    /** CSV header of {@link #perTestRows}. */
    public static String[] perTestHeader() {
        return new String[] {"method", "test_index", "k", "del_plus", "del_minus"};
    }
}
