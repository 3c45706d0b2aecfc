package org.exemplar.linalg;

import org.netlib.util.intW;

/**
 * Eigen-decomposition A = V diag(w) V^T of a real symmetric matrix through LAPACK {@code dsyevd}
 * (divide and conquer), and the smallest eigenvalues alone through {@code dsyevr}. Row-major storage of a
 * symmetric matrix is its own column-major storage; the eigenvectors come back as the <b>columns</b> of
 * {@link #vectors()} (row-major n x n, entry (i, k) = component i of eigenvector k).
 *
 * @param values  eigenvalues in ascending order
 * @param vectors orthonormal eigenvectors as columns (null when only values were requested)
 */
public record SymmetricEigen(double[] values, DenseMatrix vectors) {

    /** Full decomposition (values ascending, vectors as columns); O(n^3), about 9 n^3 flops. */
    public static SymmetricEigen of(DenseMatrix a) {
        return compute(a, true);
    }

    /** Eigenvalues only (ascending); about 4/3 n^3 flops. */
    public static double[] valuesOf(DenseMatrix a) {
        return compute(a, false).values();
    }

    /** The smallest eigenvalue ({@code dsyevd} without vectors, about 4/3 n^3 flops). */
    public static double smallestValue(DenseMatrix a) {
        if (requireSquare(a) == 0) {
            throw new IllegalArgumentException("empty matrix has no eigenvalues");
        }
        return valuesOf(a)[0];
    }

    private static SymmetricEigen compute(DenseMatrix a, boolean vectors) {
        int n = requireSquare(a);
        double[] f = a.data().clone();
        double[] w = new double[n];
        if (n == 0) {
            return new SymmetricEigen(w, vectors ? new DenseMatrix(0, 0) : null);
        }
        String jobz = vectors ? "V" : "N";
        intW info = new intW(0);
        double[] work = new double[1];
        int[] iwork = new int[1];
        Blas.lapack().dsyevd(jobz, "L", n, f, 0, n, w, 0, work, 0, -1, iwork, 0, -1, info);
        int lwork = Math.max(1, (int) work[0]);
        int liwork = Math.max(1, iwork[0]);
        work = new double[lwork];
        iwork = new int[liwork];
        Blas.lapack().dsyevd(jobz, "L", n, f, 0, n, w, 0, work, 0, lwork, iwork, 0, liwork, info);
        if (info.val != 0) {
            throw new ArithmeticException("dsyevd failed to converge: info=" + info.val);
        }
        if (!vectors) {
            return new SymmetricEigen(w, null);
        }
        // f holds the eigenvectors column-major: column k at f[k*n .. k*n+n). Row-major view = V^T; transpose.
        return new SymmetricEigen(w, new DenseMatrix(n, n, f).transpose());
    }

    private static int requireSquare(DenseMatrix a) {
        if (a.rows() != a.cols()) {
            throw new IllegalArgumentException("eigen-decomposition needs a square matrix, got " + a.shapeString());
        }
        return a.rows();
    }
}
