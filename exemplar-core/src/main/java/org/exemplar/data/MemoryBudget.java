package org.exemplar.data;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Bounds on what a reader allocates for a file, so that a tiny or corrupted input cannot exhaust memory: every
 * allocation is bounded by what the file's bytes can hold (a dimension implied by one index, a size declared
 * by a header) and by the heap. Violations are {@link DataException}s naming the file and the problem, raised
 * before the allocation.
 */
public final class MemoryBudget {
    /**
     * The most bytes one byte of a deflate stream can expand to: a 258-byte match coded in as little as
     * 2 bits gives 1032:1 (RFC 1951; zlib's technical details). A member declaring more is corrupt or a bomb.
     */
    public static final long DEFLATE_MAX_RATIO = 1032;

    /** Fixed slack on top of the deflate ratio: block headers and a few stored bytes of a tiny stream. */
    static final long DEFLATE_SLACK = 1024;

    /**
     * A dense float64 vector over the largest dimension an index may imply must fit in this fraction of the
     * maximum heap: downstream methods hold several such vectors (weights, gradients, L-BFGS history).
     */
    static final int DIMENSION_HEAP_DIVISOR = 8;

    private MemoryBudget() {
    }

    /** Bytes the heap can still give: maximum heap minus what is in use now. */
    public static long headroom() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Fails with a {@link DataException} when allocating {@code bytes} would exceed the heap's headroom (checked
     * again after a garbage collection before failing, so garbage does not count).
     *
     * @param what what needs the bytes, for the message (e.g. "member 'x.npy' inflates to")
     */
    public static void requireHeap(Path file, long bytes, String what) {
        if (bytes <= headroom()) {
            return;
        }
        System.gc();
        long room = headroom();
        if (bytes > room) {
            throw new DataException(file, what + " " + bytes(bytes) + ", more than the " + bytes(room)
                    + " the Java heap has free (maximum " + bytes(Runtime.getRuntime().maxMemory())
                    + "); raise the heap with -Xmx (EXEMPLAR_JAVA_OPTS) or use a smaller input");
        }
    }

    /**
     * The largest dimension (columns of a sparse matrix, users or items of a ratings matrix) an index read from
     * a file may imply: a dense float64 vector over it must fit in 1/{@value #DIMENSION_HEAP_DIVISOR} of the
     * maximum heap, and in one Java array.
     */
    public static long maxDimension() {
        return Math.min(NpyArray.MAX_ARRAY, Runtime.getRuntime().maxMemory() / (8L * DIMENSION_HEAP_DIVISOR));
    }

    /**
     * Fails when {@code dimension}, implied by one index in the file, exceeds {@link #maxDimension()}.
     *
     * @param where the location and the index, e.g. "line 3: feature index 2000000000"
     * @param what the dimension, e.g. "columns"
     */
    public static void requireDimension(Path file, long dimension, String where, String what) {
        long max = maxDimension();
        if (dimension > max) {
            throw new DataException(file, where + " implies " + dimension + " " + what + "; a dense float64 vector "
                    + "over them needs " + bytes(8 * dimension) + " and at most " + max + " " + what + " fit this "
                    + bytes(Runtime.getRuntime().maxMemory()) + " heap (renumber the indices densely, or raise -Xmx)");
        }
    }

    /**
     * Fails when a deflate stream of {@code compressed} bytes declares more than it can inflate to
     * ({@link #DEFLATE_MAX_RATIO} per byte plus {@link #DEFLATE_SLACK}).
     */
    static void requireInflatable(Path file, long declared, long compressed, String what) {
        long max = compressed > (Long.MAX_VALUE - DEFLATE_SLACK) / DEFLATE_MAX_RATIO ? Long.MAX_VALUE
                : compressed * DEFLATE_MAX_RATIO + DEFLATE_SLACK;
        if (declared > max) {
            throw new DataException(file, "corrupted or a decompression bomb: " + what + " declares " + declared
                    + " bytes, but " + compressed + " compressed bytes inflate to at most " + max
                    + " (deflate's maximum ratio is " + DEFLATE_MAX_RATIO + ":1)");
        }
    }

    static String bytes(long b) {
        if (b < 1L << 20) {
            return b + " bytes";
        }
        if (b < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.1f GB", b / 1073741824.0);
    }
}
