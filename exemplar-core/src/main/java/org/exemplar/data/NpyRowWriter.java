package org.exemplar.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Streams a 2-D float64 C-order {@code .npy} file whose rows are produced in blocks, for outputs too large
 * to hold in memory at once (e.g. a 10,000 x 50,000 influence matrix). The data goes to a temporary file
 * next to the target; {@link #commit()} checks that every row was written and renames it into place, and
 * {@link #close()} without a commit deletes it, so the target only ever appears complete.
 *
 * <pre>{@code
 * try (NpyRowWriter w = NpyRowWriter.open(path, rows, cols)) {
 *     for (...) w.writeRows(block, 0, blockRows);
 *     w.commit();
 * }
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class NpyRowWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 22;

    private final Path target;
    private final int rows;
    private final int cols;
    private final AtomicFiles.Pending pending;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private long rowsWritten;
    private boolean finished;

    private NpyRowWriter(Path target, int rows, int cols, AtomicFiles.Pending pending) {
        this.target = target;
        this.rows = rows;
        this.cols = cols;
        this.pending = pending;
        this.channel = pending.channel();
        this.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts writing a {@code rows x cols} float64 array to {@code target} (via a temporary file). */
    public static NpyRowWriter open(Path target, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + " x " + cols);
        }
        AtomicFiles.Pending p = AtomicFiles.begin(target);
        NpyRowWriter w = new NpyRowWriter(target, rows, cols, p);
        try {
            w.buffer.put(NpyHeader.encode(NpyDtype.FLOAT64, false, new long[] {rows, cols}));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return w;
    }

    /** Declared number of rows. */
    public int rows() {
        return rows;
    }

    /** Declared number of columns. */
    public int cols() {
        return cols;
    }

    /** Rows written so far. */
    public long rowsWritten() {
        return rowsWritten;
    }

    /**
     * Appends {@code nRows} rows taken row-major from {@code block} starting at array index {@code offset}
     * ({@code nRows * cols} values).
     */
    public void writeRows(double[] block, int offset, int nRows) {
        checkOpen();
        if (nRows < 0 || offset < 0 || (long) offset + (long) nRows * cols > block.length) {
            throw new IllegalArgumentException("writeRows(offset=" + offset + ", nRows=" + nRows + ") with " + cols
                    + " columns needs " + ((long) nRows * cols) + " values from index " + offset
                    + " but the block has " + block.length);
        }
        if (rowsWritten + nRows > rows) {
            throw new DataException(target, "writing " + nRows + " more rows would exceed the declared " + rows
                    + " rows (" + rowsWritten + " already written)");
        }
        int remaining = nRows * cols;
        int from = offset;
        try {
            while (remaining > 0) {
                int fit = buffer.remaining() / Double.BYTES;
                if (fit == 0) {
                    flush();
                    continue;
                }
                int n = Math.min(fit, remaining);
                DoubleBuffer view = buffer.asDoubleBuffer();
                view.put(block, from, n);
                buffer.position(buffer.position() + n * Double.BYTES);
                from += n;
                remaining -= n;
            }
        } catch (IOException e) {
            throw new DataException(target, "write failed: " + AtomicFiles.describe(e), e);
        }
        rowsWritten += nRows;
    }

    /** Writes one row ({@code cols} values). */
    public void writeRow(double[] row) {
        if (row.length != cols) {
            throw new IllegalArgumentException("row has " + row.length + " values, expected " + cols);
        }
        writeRows(row, 0, 1);
    }

    /**
     * Checks that all declared rows were written, then moves the file into place atomically. On failure the
     * temporary file is deleted.
     */
    public void commit() {
        checkOpen();
        if (rowsWritten != rows) {
            throw new DataException(target, "only " + rowsWritten + " of the declared " + rows
                    + " rows were written; not committing");
        }
        try {
            flush();
        } catch (IOException e) {
            finished = true;
            pending.close();
            throw new DataException(target, "write failed: " + AtomicFiles.describe(e), e);
        }
        finished = true;
        pending.commit();
    }

    /** Deletes the temporary file unless {@link #commit()} succeeded. Idempotent. */
    @Override
    public void close() {
        finished = true;
        pending.close();
    }

    private void checkOpen() {
        if (finished || pending.isDone()) {
            throw new IllegalStateException("NpyRowWriter for " + target + " is already committed or closed");
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
