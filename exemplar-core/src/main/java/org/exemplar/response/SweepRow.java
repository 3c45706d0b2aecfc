package org.exemplar.response;

import java.util.Map;

/**
 * One setting of a {@link PbrfSweep}: the mean gaps and the correlations of the first solver.
 *
 * @param parameter    the varied parameter
 * @param value        its value
 * @param meanGaps     the five mean gaps (Table 5's order)
 * @param pearson      per response (external name): Pearson of the first solver's predictions with it
 * @param spearman     per response: Spearman
 * @param baseGradientNorm ||grad J(theta^s)||
 * @param seconds      wall-clock seconds of this setting
 */
public record SweepRow(SweepParameter parameter, double value, double[] meanGaps, Map<String, Double> pearson,
                       Map<String, Double> spearman, double baseGradientNorm, double seconds) {
}
