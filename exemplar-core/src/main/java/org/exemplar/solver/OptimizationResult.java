package org.exemplar.solver;

/**
 * Outcome of an optimizer run. {@code converged} is false when the residual did not reach the tolerance;
 * callers must surface {@code residual} and {@code message} rather than use {@code x} silently.
 */
public record OptimizationResult(double[] x, double value, double gradientNorm, double residual, int iterations,
                                 int evaluations, boolean converged, String message) {
}
