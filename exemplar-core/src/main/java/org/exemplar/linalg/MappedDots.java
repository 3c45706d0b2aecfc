package org.exemplar.linalg;

import java.nio.ByteBuffer;

/**
 * Inner products of rows stored in a (memory-mapped) little-endian buffer with a few query vectors, read in place:
 * {@code out[k ldOut + r] = sum_j row_r[j] q_k[j]} for rows r of {@code cols} values starting at a byte offset.
 * One pass reads each row once, straight from the mapping, with no copy to the heap: a scan is then bound by memory
 * bandwidth alone, where a BLAS call would need each block copied into a heap array first (netlib's BLAS takes
 * arrays only).
 *
 * <p>The kernels use the JDK's Vector API (module {@code jdk.incubator.vector}, an incubator module in JDK 17 that
 * the JVM resolves only when started with {@code --add-modules jdk.incubator.vector}; the {@code exemplar} launcher
 * and the build's tests pass it). Without the module, or with {@code -Dexemplar.vector=false},
 * {@link #available()} is false and callers use their BLAS path; {@link #notice()} is the one line that says which.
 *
 * <p>Arithmetic: fused multiply-adds in several lane-wise partial sums, added at the end, so the summation order is
 * not the sequential one; its rounding error obeys the same order-independent bound |fl(x^T y) - x^T y| &lt;=
 * gamma_p |x|^T |y| (Higham, Accuracy and Stability, Sec. 3.1; a fused multiply-add rounds once where a multiply and
 * an add round twice).
 */
public final class MappedDots {
    /**
     * The largest batch worth reading in place: each row is loaded once, but every query costs its own pass of fused
     * multiply-adds over the row, while BLAS gemm on copied blocks blocks the queries in registers. Measured with
     * ServerBench's batch sweep (1,000,000 x 512, 2 threads, per query; in place / gemm): float32 rows 27.6 / 70.0 ms at
     * 2 queries, 26.6 / 35.6 at 4, 31.9 / 31.3 at 8; float64 rows 52.1 / 130.1, 51.4 / 73.8, 64.3 / 41.8. So batches
     * of up to 4 queries are read in place, larger ones go to gemm.
     */
    public static final int MAX_QUERIES = 4;

    private static final String MODULE = "jdk.incubator.vector";
    private static final String OFF = "exemplar.vector";
    private static final String NOTICE;
    private static final boolean AVAILABLE;

    static {
        boolean ok = false;
        String why;
        if ("false".equalsIgnoreCase(System.getProperty(OFF, ""))) {
            why = "off (-D" + OFF + "=false)";
        } else if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            why = "off (start java with --add-modules " + MODULE + " for in-place SIMD scans)";
        } else {
            try {
                why = "on, " + VectorDots.describe();
                ok = true;
            } catch (Throwable t) {      // a JVM whose Vector API cannot be initialized
                why = "off (" + MODULE + " failed to start: " + t + ")";
            }
        }
        AVAILABLE = ok;
        NOTICE = "Vector API scan kernels: " + why;
    }

    private MappedDots() {
    }

    /** Whether the in-place SIMD kernels can run in this JVM. */
    public static boolean available() {
        return AVAILABLE;
    }

    /** One line saying whether the kernels are used, for logs and provenance. */
    public static String notice() {
        return NOTICE;
    }

    /**
     * float32 rows x nq queries (each {@code cols} floats, back to back in q), accumulated in float: out is
     * nq x ldOut, query-major.
     */
    public static void f32(ByteBuffer rows, int byteOffset, int nRows, int cols, float[] q, int nq, float[] out,
                           int ldOut) {
        check(rows, byteOffset, nRows, cols, 4, q.length, nq, out.length, ldOut);
        VectorDots.f32(rows, byteOffset, nRows, cols, q, nq, out, ldOut);
    }

    /** float64 rows x nq queries, accumulated in double; layout as {@link #f32}. */
    public static void f64(ByteBuffer rows, int byteOffset, int nRows, int cols, double[] q, int nq, double[] out,
                           int ldOut) {
        check(rows, byteOffset, nRows, cols, 8, q.length, nq, out.length, ldOut);
        VectorDots.f64(rows, byteOffset, nRows, cols, q, nq, out, ldOut);
    }

    private static void check(ByteBuffer rows, int off, int n, int cols, int item, int qLen, int nq, int outLen,
                              int ldOut) {
        if (!AVAILABLE) {
            throw new IllegalStateException(NOTICE);
        }
        if (rows.order() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("rows must be a little-endian buffer");
        }
        if (off < 0 || n < 0 || cols < 1 || (long) off + (long) n * cols * item > rows.limit()) {
            throw new IndexOutOfBoundsException(n + " rows x " + cols + " from byte " + off + " exceed the buffer's "
                    + rows.limit() + " bytes");
        }
        if (qLen < nq * cols || ldOut < n || outLen < (nq - 1) * ldOut + n) {
            throw new IllegalArgumentException("queries " + qLen + " / output " + outLen + " too short for " + nq
                    + " queries x " + cols + ", " + n + " rows");
        }
    }
}
