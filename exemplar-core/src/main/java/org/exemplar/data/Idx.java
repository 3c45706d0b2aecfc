package org.exemplar.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files, the format of the MNIST / Fashion-MNIST distributions
 * ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}), plain or gzip-compressed.
 *
 * <p>Layout: two zero bytes, a type byte ({@code 0x08} ubyte, {@code 0x09} byte, {@code 0x0B} short,
 * {@code 0x0C} int, {@code 0x0D} float, {@code 0x0E} double), the number of dimensions, then each dimension
 * as a big-endian 32-bit integer, then the data in C order, big-endian. Gzip is detected from the magic
 * bytes {@code 1f 8b}, not from the file name.
 *
 * <p>Arrays come back as {@link NpyArray} (dtype {@link NpyDtype#UINT8}, {@link NpyDtype#INT8},
 * {@link NpyDtype#INT16}, {@link NpyDtype#INT32}, {@link NpyDtype#FLOAT32} or {@link NpyDtype#FLOAT64}), so
 * {@code toMatrix()} gives an {@code n x (h*w)} image matrix and {@code toIntArray()} the labels. Plain files
 * are memory-mapped when large.
 */
public final class Idx {
    private Idx() {
    }

    static int typeCode(NpyDtype d) {
        switch (d) {
            case UINT8:
                return 0x08;
            case INT8:
                return 0x09;
            case INT16:
                return 0x0B;
            case INT32:
                return 0x0C;
            case FLOAT32:
                return 0x0D;
            case FLOAT64:
                return 0x0E;
            default:
                return -1;
        }
    }

    static NpyDtype dtypeOf(int code) {
        switch (code) {
            case 0x08:
                return NpyDtype.UINT8;
            case 0x09:
                return NpyDtype.INT8;
            case 0x0B:
                return NpyDtype.INT16;
            case 0x0C:
                return NpyDtype.INT32;
            case 0x0D:
                return NpyDtype.FLOAT32;
            case 0x0E:
                return NpyDtype.FLOAT64;
            default:
                return null;
        }
    }

    // -------------------------------------------------------------------------------------------- reading

    /** Reads a plain or gzip-compressed IDX file. */
    public static NpyArray read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer first = ByteBuffer.allocate(2);
            while (first.hasRemaining() && ch.read(first, first.position()) >= 0) {
                // fill
            }
            if (first.position() == 2 && (first.get(0) & 0xFF) == 0x1f && (first.get(1) & 0xFF) == 0x8b) {
                return readGzip(ch, file);
            }
            return readPlain(ch, file);
        } catch (IOException e) {
            throw Npy.ioError(file, "cannot read", e);
        }
    }

    /** {@code read(file).toMatrix()}: images as one flattened row each. */
    public static org.exemplar.linalg.DenseMatrix readMatrix(Path file) {
        return read(file).toMatrix();
    }

    /** {@code read(file).toIntArray()}: labels. */
    public static int[] readLabels(Path file) {
        return read(file).toIntArray();
    }

    private static final class Header {
        NpyDtype dtype;
        long[] shape;
        long size;
        int bytes;
    }

    /** Parses magic and dims from {@code in}, which returns fewer bytes only at end of input. */
    private static Header header(InputStream in, Path file, String where) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new DataException(file, "not an IDX file: only " + magic.length + " bytes" + where
                    + ", the 4-byte magic number is missing");
        }
        int type = magic[2] & 0xFF;
        NpyDtype dtype = dtypeOf(type);
        if (magic[0] != 0 || magic[1] != 0 || dtype == null) {
            throw new DataException(file, "not an IDX file: bad magic " + String.format("%02x %02x %02x %02x",
                    magic[0], magic[1], magic[2], magic[3]) + "; expected 00 00 <type> <ndim> with type 08 (ubyte), "
                    + "09 (byte), 0b (short), 0c (int), 0d (float) or 0e (double)");
        }
        int ndim = magic[3] & 0xFF;
        byte[] dims = in.readNBytes(4 * ndim);
        if (dims.length < 4 * ndim) {
            throw new DataException(file, "truncated IDX header: magic declares " + ndim + " dimensions ("
                    + 4 * ndim + " bytes) but only " + dims.length + " bytes follow" + where);
        }
        ByteBuffer d = ByteBuffer.wrap(dims).order(ByteOrder.BIG_ENDIAN);
        long[] shape = new long[ndim];
        for (int i = 0; i < ndim; i++) {
            shape[i] = d.getInt() & 0xFFFFFFFFL;
        }
        Header h = new Header();
        h.dtype = dtype;
        h.shape = shape;
        h.size = NpyHeader.checkedSize(shape, dtype.itemSize(), file, "");
        h.bytes = 4 + 4 * ndim;
        return h;
    }

    private static NpyArray readPlain(FileChannel ch, Path file) throws IOException {
        long fileSize = ch.size();
        InputStream in = Channels.newInputStream(ch.position(0));
        Header h = header(new BufferedInputStream(in, 1024), file, "");
        long need = h.size * h.dtype.itemSize();
        long have = fileSize - h.bytes;
        if (have < need) {
            throw new DataException(file, "truncated IDX data: dims " + NpyHeader.shapeString(h.shape) + " "
                    + h.dtype + " need " + need + " data bytes, the file has " + have);
        }
        if (have > need) {
            throw new DataException(file, "IDX dims mismatch: dims " + NpyHeader.shapeString(h.shape) + " "
                    + h.dtype + " account for " + need + " data bytes but the file has " + have
                    + " after the header");
        }
        Elements e;
        if (need < Npy.MAP_THRESHOLD) {
            ByteBuffer b = ByteBuffer.allocate((int) need);
            while (b.hasRemaining()) {
                if (ch.read(b, h.bytes + b.position()) < 0) {
                    throw new DataException(file, "truncated IDX data: file shrank while reading");
                }
            }
            e = Elements.ofBytes(h.dtype, ByteOrder.BIG_ENDIAN, b.flip());
        } else {
            long chunkElems = Elements.CHUNK_BYTES / h.dtype.itemSize();
            int chunks = (int) ((h.size + chunkElems - 1) / chunkElems);
            ByteBuffer[] maps = new ByteBuffer[chunks];
            for (int i = 0; i < chunks; i++) {
                long off = (long) i * Elements.CHUNK_BYTES;
                long len = Math.min(Elements.CHUNK_BYTES, need - off);
                maps[i] = ch.map(FileChannel.MapMode.READ_ONLY, h.bytes + off, len);
            }
            e = Elements.ofBytes(h.dtype, ByteOrder.BIG_ENDIAN, h.size, maps, chunkElems);
        }
        return new NpyArray(h.dtype, ByteOrder.BIG_ENDIAN, false, h.shape, e, file, null);
    }

    private static NpyArray readGzip(FileChannel ch, Path file) throws IOException {
        String where = " (after gzip decompression)";
        try (InputStream in = new GZIPInputStream(Channels.newInputStream(ch.position(0)), 1 << 16)) {
            Header h = header(in, file, where);
            long need = h.size * h.dtype.itemSize();
            if (need > NpyArray.MAX_ARRAY) {
                throw new DataException(file, "IDX dims " + NpyHeader.shapeString(h.shape) + " need " + need
                        + " bytes, too large to decompress into memory; gunzip the file so it can be memory-mapped");
            }
            MemoryBudget.requireInflatable(file, need + h.bytes, ch.size(), "IDX header (dims "
                    + NpyHeader.shapeString(h.shape) + " " + h.dtype + ")");
            MemoryBudget.requireHeap(file, need, "IDX dims " + NpyHeader.shapeString(h.shape) + " " + h.dtype
                    + " decompress to");
            byte[] data = in.readNBytes((int) need);
            if (data.length < need) {
                throw new DataException(file, "truncated IDX data: dims " + NpyHeader.shapeString(h.shape) + " "
                        + h.dtype + " need " + need + " data bytes, the file has " + data.length + where);
            }
            if (in.read() >= 0) {
                throw new DataException(file, "IDX dims mismatch: dims " + NpyHeader.shapeString(h.shape) + " "
                        + h.dtype + " account for " + need + " data bytes but more data follows" + where);
            }
            Elements e = Elements.ofBytes(h.dtype, ByteOrder.BIG_ENDIAN, ByteBuffer.wrap(data));
            return new NpyArray(h.dtype, ByteOrder.BIG_ENDIAN, false, h.shape, e, file, null);
        } catch (EOFException e) {
            throw new DataException(file, "truncated gzip stream: " + e.getMessage(), e);
        } catch (ZipException e) {
            throw new DataException(file, "corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    // -------------------------------------------------------------------------------------------- writing

    /**
     * Writes {@code array} as IDX (its dtype must be uint8, int8, int16, int32, float32 or float64; at most 255
     * dimensions, each below 2^32), gzip-compressed when the file name ends in {@code .gz}. Atomic.
     */
    public static void write(Path file, NpyArray array) {
        int code = typeCode(array.dtype());
        if (code < 0) {
            throw new IllegalArgumentException("IDX cannot store dtype " + array.dtype()
                    + "; use uint8, int8, int16, int32, float32 or float64");
        }
        long[] shape = array.shape();
        if (shape.length > 255) {
            throw new IllegalArgumentException("IDX holds at most 255 dimensions, shape has " + shape.length);
        }
        for (long d : shape) {
            if (d > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("dimension " + d + " does not fit IDX's 32-bit dims");
            }
        }
        NpyArray c = array.toCOrder();
        boolean gzip = file.getFileName() != null && file.getFileName().toString().endsWith(".gz");
        AtomicFiles.write(file, raw -> {
            OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
            ByteBuffer head = ByteBuffer.allocate(4 + 4 * shape.length).order(ByteOrder.BIG_ENDIAN);
            head.put((byte) 0).put((byte) 0).put((byte) code).put((byte) shape.length);
            for (long d : shape) {
                head.putInt((int) d);
            }
            out.write(head.array());
            int item = c.dtype().itemSize();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
            Elements e = c.elements();
            long n = c.size();
            for (long done = 0; done < n; ) {
                int m = (int) Math.min(buf.capacity() / item, n - done);
                buf.clear();
                e.encode(done, m, buf);
                out.write(buf.array(), 0, buf.position());
                done += m;
            }
            if (gzip) {
                ((GZIPOutputStream) out).finish();
            }
        });
    }

    /** Writes labels as a 1-D ubyte IDX file (values must be 0..255). Atomic. */
    public static void writeLabels(Path file, int[] labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("label " + i + " = " + labels[i] + " does not fit an unsigned byte");
            }
            b[i] = (byte) labels[i];
        }
        write(file, NpyArray.ofUint8(new long[] {labels.length}, b));
    }

    /**
     * Writes {@code count} images of {@code height x width} unsigned-byte pixels (row-major) as a 3-D ubyte
     * IDX file. Atomic.
     */
    public static void writeImages(Path file, int count, int height, int width, byte[] pixels) {
        write(file, NpyArray.ofUint8(new long[] {count, height, width}, pixels));
    }
}
