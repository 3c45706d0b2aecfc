package org.exemplar.representer;

/**
 * One training point's contribution to one test prediction.
 *
 * @param trainIndex row of the training set
 * @param value      representer value k(x_t, x_i) = alpha_ij f_i^T f_t, signed toward the explained class
 *                   (positive = excitatory, negative = inhibitory)
 * @param alpha      alpha_ij, the global importance (same sign convention)
 * @param similarity f_i^T f_t
 */
public record RepresenterPoint(int trainIndex, double value, double alpha, double similarity) {
}
