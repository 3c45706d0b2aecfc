/**
 * Dense linear algebra: row-major {@link org.exemplar.linalg.DenseMatrix}, the BLAS/LAPACK facade pinned to
 * OpenBLAS with a pure-Java fallback ({@link org.exemplar.linalg.Blas}), Cholesky, linear operators.
 */
package org.exemplar.linalg;
