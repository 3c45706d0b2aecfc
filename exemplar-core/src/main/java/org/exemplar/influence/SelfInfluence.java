package org.exemplar.influence;

/**
 * Self-influence I(i, i) = (1/n) grad L_i^T (H + damping I)^{-1} grad L_i for every training point: the predicted
 * rise of a point's own loss when it is removed (see the package documentation for the scaling).
 *
 * @param values one per training point
 * @param solves one entry per training point
 */
public record SelfInfluence(double[] values, SolveStats solves) {
}
