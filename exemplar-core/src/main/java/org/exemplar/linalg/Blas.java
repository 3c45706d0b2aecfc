package org.exemplar.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;

/**
 * Row-major BLAS/LAPACK facade over {@code dev.ludovic.netlib}.
 *
 * <p>Backend choice, made once per JVM: the native library is pinned to Debian's OpenBLAS
 * ({@value #DEFAULT_NATIVE_LIB}, package {@code libopenblas0}) so that the reference BLAS behind
 * {@code libblas.so.3} is never picked by accident. Users may override the name with the netlib system
 * properties {@code dev.ludovic.netlib.blas.nativeLib} / {@code dev.ludovic.netlib.lapack.nativeLib}, or force
 * the pure-Java implementation with {@code -Dexemplar.blas=java}. When the native library cannot be loaded
 * everything runs on netlib's pure-Java kernels; {@link #backendNotice()} is the one line that says which.
 *
 * <p>All matrices are row-major; a row-major product C = op(A) op(B) is computed as the column-major
 * product C^T = op(B)^T op(A)^T, which needs no copies.
 */
public final class Blas {
    public static final String DEFAULT_NATIVE_LIB = "libopenblas.so.0";
    private static final String BLAS_PROP = "dev.ludovic.netlib.blas.nativeLib";
    private static final String LAPACK_PROP = "dev.ludovic.netlib.lapack.nativeLib";

    private static volatile Backend backend;

    private Blas() {
    }

    /** The chosen implementations and a description of them. */
    public record Backend(BLAS blas, LAPACK lapack, boolean isNative, String description) {
    }

    public static Backend backend() {
        Backend b = backend;
        if (b == null) {
            synchronized (Blas.class) {
                b = backend;
                if (b == null) {
                    b = choose();
                    backend = b;
                }
            }
        }
        return b;
    }

    private static Backend choose() {
        java.util.logging.Logger.getLogger("dev.ludovic.netlib").setLevel(java.util.logging.Level.OFF);
        if ("java".equalsIgnoreCase(System.getProperty("exemplar.blas", ""))) {
            return new Backend(JavaBLAS.getInstance(), JavaLAPACK.getInstance(), false,
                    "pure-Java BLAS (" + JavaBLAS.getInstance().getClass().getSimpleName() + ", forced by -Dexemplar.blas=java)");
        }
        if (System.getProperty(BLAS_PROP) == null) {
            System.setProperty(BLAS_PROP, DEFAULT_NATIVE_LIB);
        }
        if (System.getProperty(LAPACK_PROP) == null) {
            System.setProperty(LAPACK_PROP, DEFAULT_NATIVE_LIB);
        }
        String lib = System.getProperty(BLAS_PROP);
        try {
            BLAS nb = NativeBLAS.getInstance();
            LAPACK nl;
            try {
                nl = NativeLAPACK.getInstance();
            } catch (Throwable t) {
                nl = JavaLAPACK.getInstance();
            }
            return new Backend(nb, nl, true, "native BLAS (" + lib + ")"
                    + (nl instanceof NativeLAPACK ? "" : ", pure-Java LAPACK"));
        } catch (Throwable t) {
            return new Backend(JavaBLAS.getInstance(), JavaLAPACK.getInstance(), false,
                    "pure-Java BLAS (" + JavaBLAS.getInstance().getClass().getSimpleName() + "): " + lib
                            + " not found; install libopenblas0 for native speed");
        }
    }

    /** One line naming the backend in use, for CLI output and provenance. */
    public static String backendNotice() {
        return "BLAS backend: " + backend().description();
    }

    public static BLAS blas() {
        return backend().blas();
    }

    public static LAPACK lapack() {
        return backend().lapack();
    }

    /** C := alpha op(A) op(B) + beta C, all row-major. */
    public static void gemm(Transpose ta, Transpose tb, double alpha, DenseMatrix a, DenseMatrix b, double beta,
                            DenseMatrix c) {
        int m = ta == Transpose.NO ? a.rows() : a.cols();
        int k = ta == Transpose.NO ? a.cols() : a.rows();
        int kb = tb == Transpose.NO ? b.rows() : b.cols();
        int n = tb == Transpose.NO ? b.cols() : b.rows();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm shape mismatch: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n
                    + ", C " + c.shapeString());
        }
        if (c.data() == a.data() || c.data() == b.data()) {
            throw new IllegalArgumentException("gemm output must not alias an input");
        }
        gemm(ta, tb, m, n, k, alpha, a.data(), 0, a.cols(), b.data(), 0, b.cols(), beta, c.data(), 0, c.cols());
    }

    /** New matrix op(A) op(B). */
    public static DenseMatrix multiply(Transpose ta, DenseMatrix a, Transpose tb, DenseMatrix b) {
        int m = ta == Transpose.NO ? a.rows() : a.cols();
        int n = tb == Transpose.NO ? b.cols() : b.rows();
        DenseMatrix c = new DenseMatrix(m, n);
        gemm(ta, tb, 1.0, a, b, 0.0, c);
        return c;
    }

    public static DenseMatrix multiply(DenseMatrix a, DenseMatrix b) {
        return multiply(Transpose.NO, a, Transpose.NO, b);
    }

    /**
     * Raw row-major gemm on array regions: C[m x n] := alpha op(A) op(B) + beta C where op(A) is m x k, with
     * leading dimensions (row strides) lda, ldb, ldc.
     */
    public static void gemm(Transpose ta, Transpose tb, int m, int n, int k, double alpha, double[] a, int aOff,
                            int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cOff + i * ldc + j] *= beta;
                }
            }
            return;
        }
        blas().dgemm(tb.blasFlag, ta.blasFlag, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    /** y := alpha op(A) x + beta y with A row-major. */
    public static void gemv(Transpose ta, double alpha, DenseMatrix a, double[] x, double beta, double[] y) {
        int outLen = ta == Transpose.NO ? a.rows() : a.cols();
        int inLen = ta == Transpose.NO ? a.cols() : a.rows();
        if (x.length != inLen || y.length != outLen) {
            throw new IllegalArgumentException("gemv shape mismatch: A " + a.shapeString() + " op=" + ta + ", x "
                    + x.length + ", y " + y.length);
        }
        if (a.rows() == 0 || a.cols() == 0) {
            for (int i = 0; i < y.length; i++) {
                y[i] *= beta;
            }
            return;
        }
        // Row-major A is column-major A^T (cols x rows, lda = cols): flip the transpose flag.
        String flag = ta == Transpose.NO ? "T" : "N";
        blas().dgemv(flag, a.cols(), a.rows(), alpha, a.data(), 0, a.cols(), x, 0, 1, beta, y, 0, 1);
    }

    /** Gram matrix A^T A (cols x cols), symmetric, both triangles filled. */
    public static DenseMatrix gramOfColumns(DenseMatrix a) {
        return multiply(Transpose.YES, a, Transpose.NO, a);
    }
}
