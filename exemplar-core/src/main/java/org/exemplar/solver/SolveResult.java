package org.exemplar.solver;

/**
 * Solution of a linear system A x = b by an iterative or direct method.
 *
 * @param residualNorm ||A x - b|| (for iterative methods, the recursively updated residual at exit)
 * @param converged    whether residualNorm reached the requested tolerance
 */
public record SolveResult(double[] x, int iterations, double residualNorm, boolean converged) {
}
