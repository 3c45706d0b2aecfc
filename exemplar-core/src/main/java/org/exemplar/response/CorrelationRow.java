package org.exemplar.response;

/**
 * Agreement of an influence solver's predicted test-loss changes with one response's actual changes over the P
 * removals (Bae et al. 2022, Tables 2, 6, 8).
 *
 * @param groundTruth the response (cold_start, ..., two_stage)
 * @param solver      the influence solver
 * @param testLoss    "mean" or "point:INDEX"
 * @param pearson     Pearson's r (NaN when either side is constant)
 * @param spearman    Spearman's rho
 */
public record CorrelationRow(String groundTruth, String solver, String testLoss, double pearson, double spearman) {
}
