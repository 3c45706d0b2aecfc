package org.exemplar.eval;

/**
 * A model that case-deletion diagnostics can retrain: it knows its training-set size, its prediction score for
 * each test point, and how to retrain from scratch with the same hyper-parameters without some training points.
 * Implementations must be safe to call from several threads at once (each call trains its own copy).
 */
public interface DeletionTarget {
    /** Number of training points (the indices that {@link #scoreWithout} may remove). */
    int trainSize();

    /** Number of test points. */
    int testSize();

    /** The original model's prediction score for a test point (e.g. the logit of the predicted class). */
    double score(int testIndex);

    /**
     * Retrains without the listed training points (same hyper-parameters, same seed) and returns the new
     * prediction score for the test point.
     */
    double scoreWithout(int testIndex, int[] removedTrainIndices);
}
