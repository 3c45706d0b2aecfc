package org.exemplar.attribution;

import org.exemplar.linalg.DenseMatrix;

/**
 * What a method returns for one block of test points: its raw quantity (rows = the block's test points, columns =
 * training points) and the diagnostics of that block (decomposition residuals, solver residuals).
 *
 * @param raw         the method's own quantity, before {@link Convention#rawFactor()}
 * @param diagnostics diagnostics of this block
 */
public record RawBlock(DenseMatrix raw, TrustDiagnostics diagnostics) {
}
