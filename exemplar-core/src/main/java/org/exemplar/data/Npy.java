package org.exemplar.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.exemplar.linalg.DenseMatrix;

/**
 * Reads and writes NumPy {@code .npy} files (NEP 1, format versions 1.0, 2.0 and 3.0).
 *
 * <p>Reading: the dtypes of {@link NpyDtype} in either byte order, C or Fortran order, any number of
 * dimensions. Data larger than {@value #MAP_THRESHOLD} bytes is memory-mapped read-only and decoded on
 * demand by the {@link NpyArray} accessors, so a load costs one copy of the data.
 *
 * <p>Writing: little-endian, C order (or Fortran order for a Fortran-order {@link NpyArray}), with the header
 * byte-for-byte as {@code numpy.save} writes it. Every write is atomic ({@link AtomicFiles}).
 */
public final class Npy {
    /** Data sections at least this large are memory-mapped instead of read into the heap. */
    public static final long MAP_THRESHOLD = 1L << 20;
    private static final int WRITE_BUFFER = 1 << 20;

    private Npy() {
    }

    // -------------------------------------------------------------------------------------------- reading

    /** Reads an array; see the class comment. */
    public static NpyArray read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, 0, ch.size(), file, null);
        } catch (IOException e) {
            throw ioError(file, "cannot read", e);
        }
    }

    /** Reads only the header, leaving the data untouched. */
    public static NpyHeader readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return NpyHeader.read(reader(ch, 0, ch.size()), ch.size(), file, "");
        } catch (IOException e) {
            throw ioError(file, "cannot read", e);
        }
    }

    /** {@code read(file).toMatrix()}: a 2-D array as is, 1-D as a column, n-d with trailing dims flattened. */
    public static DenseMatrix readMatrix(Path file) {
        return read(file).toMatrix();
    }

    static DataException ioError(Path file, String what, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DataException(file, "file not found", e);
        }
        return new DataException(file, what + ": " + AtomicFiles.describe(e), e);
    }

    static NpyHeader.ByteReader reader(FileChannel ch, long base, long length) {
        return (pos, len) -> {
            int n = (int) Math.max(0, Math.min(len, length - pos));
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (ch.read(b, base + pos + b.position()) < 0) {
                    break;
                }
            }
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            return out;
        };
    }

    /**
     * Reads the npy stream occupying bytes [base, base+length) of {@code ch}; large data is mapped.
     *
     * @param member the npz member name for error messages, or {@code null}
     */
    static NpyArray read(FileChannel ch, long base, long length, Path file, String member) throws IOException {
        String where = member == null ? "" : "member '" + member + "': ";
        NpyHeader h = NpyHeader.read(reader(ch, base, length), length, file, where);
        long need = h.dataBytes();
        long have = length - h.dataOffset();
        if (have < need) {
            throw truncated(h, have, file, where);
        }
        NpyDtype dtype = h.dtype();
        Elements e;
        long start = base + h.dataOffset();
        if (need < MAP_THRESHOLD) {
            ByteBuffer b = ByteBuffer.allocate((int) need);
            while (b.hasRemaining()) {
                if (ch.read(b, start + b.position()) < 0) {
                    throw truncated(h, b.position(), file, where);
                }
            }
            b.flip();
            e = Elements.ofBytes(dtype, h.byteOrder(), b);
        } else {
            long chunkElems = Elements.CHUNK_BYTES / dtype.itemSize();
            int chunks = (int) ((h.size() + chunkElems - 1) / chunkElems);
            ByteBuffer[] maps = new ByteBuffer[chunks];
            for (int i = 0; i < chunks; i++) {
                long off = (long) i * Elements.CHUNK_BYTES;
                long len = Math.min(Elements.CHUNK_BYTES, need - off);
                maps[i] = ch.map(FileChannel.MapMode.READ_ONLY, start + off, len);
            }
            e = Elements.ofBytes(dtype, h.byteOrder(), h.size(), maps, chunkElems);
        }
        return new NpyArray(dtype, h.byteOrder(), h.fortranOrder(), h.shape(), e, file, member);
    }

    /** Parses an npy stream held entirely in {@code bytes} (e.g. an inflated npz member). */
    static NpyArray read(ByteBuffer bytes, Path file, String member) throws IOException {
        String where = member == null ? "" : "member '" + member + "': ";
        ByteBuffer all = bytes.slice();
        long length = all.remaining();
        NpyHeader h = NpyHeader.read((pos, len) -> {
            int n = (int) Math.max(0, Math.min(len, length - pos));
            byte[] out = new byte[n];
            all.get((int) pos, out);
            return out;
        }, length, file, where);
        long need = h.dataBytes();
        long have = length - h.dataOffset();
        if (have < need) {
            throw truncated(h, have, file, where);
        }
        ByteBuffer data = all.slice((int) h.dataOffset(), (int) need);
        Elements e = Elements.ofBytes(h.dtype(), h.byteOrder(), h.size(), new ByteBuffer[] {data}, h.size());
        return new NpyArray(h.dtype(), h.byteOrder(), h.fortranOrder(), h.shape(), e, file, member);
    }

    private static DataException truncated(NpyHeader h, long have, Path file, String where) {
        return new DataException(file, where + "truncated data: shape " + NpyHeader.shapeString(h.shape()) + " "
                + h.dtype() + " needs " + h.dataBytes() + " data bytes after the " + h.dataOffset()
                + "-byte header, but only " + Math.max(0, have) + " are present");
    }

    // -------------------------------------------------------------------------------------------- writing

    /** Writes any array: its dtype little-endian, its memory order, numpy's exact header. Atomic. */
    public static void write(Path file, NpyArray array) {
        AtomicFiles.writeChannel(file, ch -> writeTo(ch, array, true));
    }

    /** Writes a 2-D float64 C-order array. Atomic. */
    public static void write(Path file, DenseMatrix m) {
        write(file, NpyArray.of(m));
    }

    /** Writes a 1-D float64 array. Atomic. */
    public static void write(Path file, double[] v) {
        write(file, NpyArray.of(v));
    }

    /** Writes a float64 C-order array of the given shape (data in row-major order). Atomic. */
    public static void write(Path file, long[] shape, double[] data) {
        write(file, NpyArray.of(shape, data));
    }

    /** Writes a 1-D int32 array. Atomic. */
    public static void write(Path file, int[] v) {
        write(file, NpyArray.of(v));
    }

    /** Writes a 1-D int64 array. Atomic. */
    public static void writeLong(Path file, long[] v) {
        write(file, NpyArray.of(v));
    }

    /** Writes a 1-D bool array. Atomic. */
    public static void write(Path file, boolean[] v) {
        write(file, NpyArray.of(v));
    }

    /** Writes a 2-D float32 C-order array (values rounded to float). Atomic. */
    public static void writeFloat32(Path file, DenseMatrix m) {
        write(file, NpyArray.ofFloat32(m));
    }

    /** Streams header and data of {@code a} to {@code out}; returns the number of bytes written. */
    static long writeTo(WritableByteChannel out, NpyArray a, boolean direct) throws IOException {
        byte[] header = NpyHeader.encode(a.dtype(), a.fortranOrder() && a.ndim() >= 2, a.shape());
        int item = a.dtype().itemSize();
        long n = a.size();
        int cap = (int) Math.min(WRITE_BUFFER, Math.max(header.length, header.length + n * item));
        ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(header);
        long written = 0;
        Elements e = a.elements();
        long done = 0;
        while (true) {
            int fit = buf.remaining() / item;
            int m = (int) Math.min(fit, n - done);
            if (m > 0) {
                e.encode(done, m, buf);
                done += m;
            }
            if (done == n || buf.remaining() < item) {
                buf.flip();
                while (buf.hasRemaining()) {
                    written += out.write(buf);
                }
                buf.clear();
                if (done == n) {
                    return written;
                }
            }
        }
    }
}
