package org.exemplar.attribution;

/**
 * One training point in a ranking.
 *
 * @param trainIndex the training point's row (0-based) in the training set the artifact was prepared on
 * @param score      its score (sign of {@link Convention}: positive supports, negative opposes)
 */
public record RankedPoint(int trainIndex, double score) {
}
