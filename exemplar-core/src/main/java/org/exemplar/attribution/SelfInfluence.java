package org.exemplar.attribution;

/**
 * One score per training point for its own explained output (for example, how much a point supports its own
 * fit: large values flag memorized, atypical or mislabeled points).
 *
 * @param scores      per training point, sign of {@link Convention}
 * @param convention  what is explained (the point's own output) and the raw mapping
 * @param diagnostics diagnostics of the computation
 */
public record SelfInfluence(double[] scores, Convention convention, TrustDiagnostics diagnostics) {
}
