package org.exemplar.eval;

/**
 * Agreement between predicted and actual changes over all (removed point, test point) pairs.
 *
 * @param pearson  linear correlation
 * @param spearman rank correlation
 * @param pairs    number of pairs compared
 */
public record Agreement(double pearson, double spearman, int pairs) {
}
