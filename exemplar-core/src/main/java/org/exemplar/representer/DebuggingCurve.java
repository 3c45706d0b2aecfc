package org.exemplar.representer;

/**
 * Dataset-debugging curve of one inspection order, averaged over repeats (mean and standard deviation).
 *
 * @param fractions     fraction of the training set inspected
 * @param foundMean     fraction of the flipped labels found (and fixed) by then
 * @param accuracyMean  test accuracy after fixing them and retraining
 */
public record DebuggingCurve(String ordering, double[] fractions, double[] foundMean, double[] foundStd,
                             double[] accuracyMean, double[] accuracyStd) {
}
