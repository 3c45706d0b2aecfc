package org.exemplar.influence;

/** A training point and its score for one test point. */
public record Ranked(int trainIndex, double score) {
}
