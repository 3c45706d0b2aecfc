package org.exemplar.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyDtype;
import org.exemplar.data.NpyHeader;
import org.exemplar.linalg.MappedDots;

/**
 * A read-only, memory-mapped row-major matrix (a 2-D little-endian float32 or float64 {@code .npy} file), mapped
 * in chunks of whole rows of at most 1 GiB so that indexes larger than 2 GiB open; rows are read by the operating
 * system's page cache, never copied into the heap as a whole. Thread-safe for reading (absolute gets only).
 */
public final class MappedRows {
    private static final long CHUNK_BYTES = 1L << 30;

    private final Path file;
    private final int rows;
    private final int cols;
    private final boolean float32;
    private final int rowsPerChunk;
    private final ByteBuffer[] chunks;
    private final java.nio.FloatBuffer[] floats;
    private final java.nio.DoubleBuffer[] doubles;

    private MappedRows(Path file, int rows, int cols, boolean float32, int rowsPerChunk, ByteBuffer[] chunks) {
        this.file = file;
        this.rows = rows;
        this.cols = cols;
        this.float32 = float32;
        this.rowsPerChunk = rowsPerChunk;
        this.chunks = chunks;
        this.floats = new java.nio.FloatBuffer[chunks.length];
        this.doubles = new java.nio.DoubleBuffer[chunks.length];
        for (int k = 0; k < chunks.length; k++) {
            if (float32) {
                floats[k] = chunks[k].duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            } else {
                doubles[k] = chunks[k].duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            }
        }
    }

    /** Maps a 2-D C-order float32/float64 {@code .npy} file; anything else is refused naming the file. */
    public static MappedRows open(Path file) {
        NpyHeader h = Npy.readHeader(file);
        if (h.ndim() != 2 || h.fortranOrder()) {
            throw new DataException(file, "expected a 2-D C-order array, got shape " + Arrays.toString(h.shape())
                    + (h.fortranOrder() ? " in Fortran order" : ""));
        }
        if (h.dtype() != NpyDtype.FLOAT32 && h.dtype() != NpyDtype.FLOAT64 || h.byteOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new DataException(file, "expected little-endian float32 or float64, got " + h.dtype() + " "
                    + h.byteOrder());
        }
        long r = h.shape()[0];
        long c = h.shape()[1];
        if (r > Integer.MAX_VALUE || c < 1 || c > Integer.MAX_VALUE / 8) {
            throw new DataException(file, "shape " + r + " x " + c + " is out of range");
        }
        int item = h.dtype().itemSize();
        long rowBytes = c * item;
        int perChunk = (int) Math.max(1, CHUNK_BYTES / rowBytes);
        int nChunks = (int) ((r + perChunk - 1) / perChunk);
        ByteBuffer[] chunks = new ByteBuffer[nChunks];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int k = 0; k < nChunks; k++) {
                long first = (long) k * perChunk;
                long count = Math.min(perChunk, r - first);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + first * rowBytes,
                        count * rowBytes);
                chunks[k] = m.order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (IOException e) {
            throw new DataException(file, "cannot map: " + e.getMessage(), e);
        }
        return new MappedRows(file, (int) r, (int) c, item == 4, perChunk, chunks);
    }

    public Path file() {
        return file;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Whether the stored values are float32 (otherwise float64). */
    public boolean float32() {
        return float32;
    }

    /** Bytes of stored values (rows x cols x item size): what one full scan reads. */
    public long dataBytes() {
        return (long) rows * cols * (float32 ? 4 : 8);
    }

    /** Copies row i into {@code out} (length cols) as doubles. */
    public void row(int i, double[] out) {
        ByteBuffer b = chunks[i / rowsPerChunk];
        int off = (i % rowsPerChunk) * cols * (float32 ? 4 : 8);
        if (float32) {
            for (int j = 0; j < cols; j++) {
                out[j] = b.getFloat(off + 4 * j);
            }
        } else {
            for (int j = 0; j < cols; j++) {
                out[j] = b.getDouble(off + 8 * j);
            }
        }
    }

    /**
     * The inner product of row i with q (length cols) in double arithmetic on the stored values, read in place: one
     * training point's exact score, e.g. an approximate search's candidate (no copy of q, no BLAS call for one row).
     */
    public double dot(int i, double[] q) {
        if (q.length != cols) {
            throw new IllegalArgumentException("query of " + q.length + " values for rows of " + cols);
        }
        ByteBuffer b = chunk(i);
        int off = byteOffset(i);
        if (!float32 && MappedDots.available()) {
            double[] out = new double[1];
            MappedDots.f64(b, off, 1, cols, q, 1, out, 1);
            return out[0];
        }
        double d = 0;
        for (int j = 0; j < cols; j++) {
            d += (float32 ? b.getFloat(off + 4 * j) : b.getDouble(off + 8 * j)) * q[j];
        }
        return d;
    }

    /** Rows per BLAS block of {@link #dots} (256 x 512 doubles = 1 MB, cache-sized). */
    static final int BLOCK_ROWS = 256;

    /**
     * Inner products of rows [from, to) with each of the queries: {@code out[q][i - from] = <row_i, queries[q]>}.
     * Rows are bulk-copied from the mapping in blocks of {@link #BLOCK_ROWS} (float32 rows widened to double), and
     * each block is multiplied with all queries by one BLAS dgemm, so a batch shares the memory traffic and the
     * products are those of the library's own scoring (double arithmetic on the stored values). float64 rows and at
     * most {@link MappedDots#MAX_QUERIES} queries, when the JVM has the Vector API: multiplied in place by
     * {@link MappedDots#f64} instead (double arithmetic, no copy).
     */
    public void dots(double[][] queries, int from, int to, double[][] out) {
        int nq = queries.length;
        double[] qf = new double[nq * cols];
        for (int q = 0; q < nq; q++) {
            System.arraycopy(queries[q], 0, qf, q * cols, cols);
        }
        if (!float32 && nq <= MappedDots.MAX_QUERIES && MappedDots.available()) {
            dotsInPlace(qf, nq, from, to, out);
            return;
        }
        int maxRows = Math.min(BLOCK_ROWS, Math.max(1, to - from));
        double[] blk = new double[maxRows * cols];
        float[] blkF = float32 ? new float[maxRows * cols] : null;
        double[] res = new double[nq * maxRows];
        for (int i0 = from; i0 < to; ) {
            int inChunk = rowsPerChunk - (i0 % rowsPerChunk);   // a block never straddles two mappings
            int m = Math.min(Math.min(maxRows, to - i0), inChunk);
            int off = (i0 % rowsPerChunk) * cols;
            if (float32) {
                floats[i0 / rowsPerChunk].get(off, blkF, 0, m * cols);
                for (int j = 0; j < m * cols; j++) {
                    blk[j] = blkF[j];
                }
            } else {
                doubles[i0 / rowsPerChunk].get(off, blk, 0, m * cols);
            }
            org.exemplar.linalg.Blas.gemm(org.exemplar.linalg.Transpose.NO, org.exemplar.linalg.Transpose.YES, nq, m,
                    cols, 1.0, qf, 0, cols, blk, 0, cols, 0.0, res, 0, m);
            for (int q = 0; q < nq; q++) {
                System.arraycopy(res, q * m, out[q], i0 - from, m);
            }
            i0 += m;
        }
    }

    /** float64 rows multiplied in place from the mapping ({@link MappedDots#f64}: double arithmetic, no copy). */
    private void dotsInPlace(double[] qf, int nq, int from, int to, double[][] out) {
        int maxRows = Math.min(BLOCK_ROWS, Math.max(1, to - from));
        double[] res = new double[nq * maxRows];
        for (int i0 = from; i0 < to; ) {
            int m = Math.min(Math.min(maxRows, to - i0), rowsLeftInChunk(i0));
            MappedDots.f64(chunk(i0), byteOffset(i0), m, cols, qf, nq, res, m);
            for (int q = 0; q < nq; q++) {
                System.arraycopy(res, q * m, out[q], i0 - from, m);
            }
            i0 += m;
        }
    }

    /** Rows from row i to the end of its mapping (a bulk copy never straddles two mappings). */
    int rowsLeftInChunk(int i) {
        return rowsPerChunk - (i % rowsPerChunk);
    }

    /** The mapping that holds row i (little-endian; absolute reads only). */
    ByteBuffer chunk(int i) {
        return chunks[i / rowsPerChunk];
    }

    /** Byte offset of row i within {@link #chunk(int)}. */
    int byteOffset(int i) {
        return (i % rowsPerChunk) * cols * (float32 ? 4 : 8);
    }

    /** Bulk-copies m float32 rows from row i (within one mapping) into dst, row-major. */
    void copyFloats(int i, float[] dst, int m) {
        floats[i / rowsPerChunk].get((i % rowsPerChunk) * cols, dst, 0, m * cols);
    }

    /** Bulk-copies m float64 rows from row i (within one mapping) into dst, row-major. */
    void copyDoubles(int i, double[] dst, int m) {
        doubles[i / rowsPerChunk].get((i % rowsPerChunk) * cols, dst, 0, m * cols);
    }

    // ------------------------------------------------------------------ writing

    /** Streams a rows x cols float32/float64 {@code .npy} file, row by row (for indexes larger than the heap). */
    public static final class Writer implements AutoCloseable {
        private final FileChannel ch;
        private final boolean f32;
        private final int cols;
        private final ByteBuffer buf;
        private long written;
        private final long rows;

        public Writer(Path file, long rows, int cols, boolean float32) {
            this.f32 = float32;
            this.cols = cols;
            this.rows = rows;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ch.write(ByteBuffer.wrap(header(float32 ? "<f4" : "<f8", rows, cols)));
            } catch (IOException e) {
                throw new DataException(file, "cannot write: " + e.getMessage(), e);
            }
            buf = ByteBuffer.allocate(Math.max(1 << 16, cols * 8)).order(ByteOrder.LITTLE_ENDIAN);
        }

        public void addRow(double[] v, int offset) {
            if (buf.remaining() < cols * (f32 ? 4 : 8)) {
                flush();
            }
            for (int j = 0; j < cols; j++) {
                if (f32) {
                    buf.putFloat((float) v[offset + j]);
                } else {
                    buf.putDouble(v[offset + j]);
                }
            }
            written++;
        }

        private void flush() {
            buf.flip();
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            buf.clear();
        }

        @Override
        public void close() {
            flush();
            try {
                ch.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (written != rows) {
                throw new IllegalStateException(written + " rows written, " + rows + " declared");
            }
        }
    }

    /** numpy's version 1.0 header for a 2-D C-order array, padded to a multiple of 64 bytes. */
    static byte[] header(String descr, long rows, long cols) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int base = 10 + dict.length() + 1;
        int pad = (64 - base % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    static void requireAbsent(Path p) {
        if (Files.exists(p)) {
            throw new DataException(p, "already exists; choose a new index folder");
        }
    }
}
