package org.exemplar.eval;

/**
 * A training-data attribution method seen by the evaluation code: one importance score per training point for
 * a test prediction. Positive = the training point pushes the prediction score up (its removal should lower
 * it); negative = pushes it down. Scores of exactly 0 mark points the method considers unrelated.
 */
public interface AttributionMethod {
    String name();

    /** Importance of every training point for the test point (length = training-set size). */
    double[] scores(int testIndex);
}
