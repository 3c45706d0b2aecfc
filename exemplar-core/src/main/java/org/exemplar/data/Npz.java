package org.exemplar.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.exemplar.linalg.DenseMatrix;

/**
 * Reads and writes NumPy {@code .npz} archives: zip files of {@code .npy} members, stored
 * ({@code np.savez}) or deflated ({@code np.savez_compressed}), optionally with other members such as a
 * {@code config.json}. Array keys are member names without the {@code .npy} suffix.
 *
 * <p>Stored members larger than {@link Npy#MAP_THRESHOLD} are memory-mapped in place; deflated members are
 * inflated into one buffer each. Every member's CRC-32 is verified. Writes are atomic ({@link AtomicFiles})
 * and reproducible (fixed member timestamps).
 */
public final class Npz {
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
    private static final String NPY = ".npy";

    private Npz() {
    }

    // -------------------------------------------------------------------------------------------- reading

    /** All arrays of the archive, keyed without {@code .npy}, in archive order. Other members are skipped. */
    public static Map<String, NpyArray> read(Path file) {
        return new LinkedHashMap<>(readContents(file).arrays());
    }

    /** All members: arrays and other entries. */
    public static NpzContents readContents(Path file) {
        return withDirectory(file, z -> {
            LinkedHashMap<String, NpyArray> arrays = new LinkedHashMap<>();
            LinkedHashMap<String, byte[]> others = new LinkedHashMap<>();
            for (ZipDirectory.Entry e : z.entries()) {
                if (e.name.endsWith("/")) {
                    continue; // directory entry
                }
                if (e.name.endsWith(NPY)) {
                    arrays.put(e.name.substring(0, e.name.length() - NPY.length()), readArray(z, e, file));
                } else {
                    others.put(e.name, bytes(z.contents(e)));
                }
            }
            return new NpzContents(file, arrays, others);
        });
    }

    /** One array by key (without {@code .npy}); fails naming the key and listing the members if absent. */
    public static NpyArray readArray(Path file, String key) {
        return withDirectory(file, z -> {
            ZipDirectory.Entry e = z.find(key + NPY);
            if (e == null) {
                throw missing(file, "array '" + key + "' (member '" + key + NPY + "')", z);
            }
            return readArray(z, e, file);
        });
    }

    /** The raw bytes of any member, by its full name (e.g. {@code config.json}). */
    public static byte[] readRaw(Path file, String member) {
        return withDirectory(file, z -> {
            ZipDirectory.Entry e = z.find(member);
            if (e == null) {
                throw missing(file, "member '" + member + "'", z);
            }
            return bytes(z.contents(e));
        });
    }

    /** Member names as stored in the archive (with {@code .npy} suffixes), in archive order. */
    public static List<String> members(Path file) {
        return withDirectory(file, z -> new ArrayList<>(z.names()));
    }

    private interface ZipBody<T> {
        T apply(ZipDirectory z) throws IOException;
    }

    private static <T> T withDirectory(Path file, ZipBody<T> body) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return body.apply(ZipDirectory.open(file, ch));
        } catch (IOException e) {
            throw Npy.ioError(file, "cannot read", e);
        }
    }

    private static DataException missing(Path file, String what, ZipDirectory z) {
        return new DataException(file, "no " + what + " in the archive; available members: " + z.names());
    }

    private static NpyArray readArray(ZipDirectory z, ZipDirectory.Entry e, Path file) throws IOException {
        if (z.isStored(e)) {
            long start = z.verifiedStoredStart(e, Npy.MAP_THRESHOLD);
            return Npy.read(z.channel(), start, e.size, file, e.name);
        }
        checkDeclaredSize(z, e, file);
        return Npy.read(z.contents(e), file, e.name);
    }

    /**
     * Before inflating a deflated .npy member: its .npy header (inflated alone) must account for exactly the
     * member's declared size, so a member that declares (or would inflate to) far more than its array is
     * rejected after a few kilobytes instead of after gigabytes.
     */
    private static void checkDeclaredSize(ZipDirectory z, ZipDirectory.Entry e, Path file) throws IOException {
        ByteBuffer pre = z.prefix(e, 12);
        long headerEnd = 12;
        if (pre.limit() >= 10 && (pre.get(6) & 0xFF) == 1) {
            headerEnd = 10 + (pre.order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xFFFF);
        } else if (pre.limit() >= 12) {
            headerEnd = 12 + (pre.order(ByteOrder.LITTLE_ENDIAN).getInt(8) & 0xFFFFFFFFL);
        }
        ByteBuffer head = headerEnd <= pre.limit() ? pre
                : z.prefix(e, (int) Math.min(headerEnd, NpyHeader.MAX_HEADER_BYTES + 12L));
        String where = "member '" + e.name + "': ";
        NpyHeader h = NpyHeader.read((pos, len) -> {
            int n = (int) Math.max(0, Math.min(len, head.limit() - pos));
            byte[] out = new byte[n];
            head.get((int) pos, out);
            return out;
        }, e.size, file, where);
        long expected = h.dataOffset() + h.dataBytes();
        if (e.size > expected) {
            throw new DataException(file, where + "the zip directory declares " + e.size + " bytes but the .npy "
                    + "header (shape " + NpyHeader.shapeString(h.shape()) + " " + h.dtype() + ") accounts for "
                    + expected + "; corrupted or a decompression bomb");
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    // -------------------------------------------------------------------------------------------- writing

    /**
     * Writes an archive atomically. {@code arrays} values may be {@link NpyArray}, {@link DenseMatrix},
     * {@code double[]}, {@code float[]}, {@code int[]}, {@code long[]} or {@code boolean[]}; each becomes member
     * {@code key + ".npy"}. {@code extraEntries} (may be {@code null}) are written as is after the arrays.
     *
     * <p>Stored (uncompressed) members are encoded twice, once to compute the CRC-32 the zip header needs
     * before the data, so no member has to be buffered in memory.
     *
     * @param compress deflate members (like {@code np.savez_compressed}) instead of storing them
     */
    public static void write(Path file, Map<String, ?> arrays, Map<String, byte[]> extraEntries, boolean compress) {
        write(file, arrays, extraEntries, compress, false);
    }

    /**
     * As {@link #write(Path, Map, Map, boolean)}; {@code rawNpyAllowed} lets this package add pre-encoded .npy
     * members of dtypes the array writer does not produce (SciPy's |S3 "format" member).
     */
    static void write(Path file, Map<String, ?> arrays, Map<String, byte[]> extraEntries, boolean compress,
                      boolean rawNpyAllowed) {
        LinkedHashMap<String, NpyArray> members = new LinkedHashMap<>();
        for (Map.Entry<String, ?> en : arrays.entrySet()) {
            String key = en.getKey();
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("empty array key");
            }
            members.put(key + NPY, toArray(key, en.getValue()));
        }
        Map<String, byte[]> extras = extraEntries == null ? Map.of() : extraEntries;
        for (String name : extras.keySet()) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("empty member name");
            }
            if (name.endsWith(NPY) && !rawNpyAllowed) {
                throw new IllegalArgumentException("extra entry '" + name + "' ends in .npy and would be read back "
                        + "as an array; pass it as an array instead");
            }
        }
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NpyArray> m : members.entrySet()) {
                NpyArray a = m.getValue();
                ZipEntry ze = entry(m.getKey());
                WritableByteChannel zc = Channels.newChannel(nonClosing(zip));
                if (compress) {
                    ze.setMethod(ZipEntry.DEFLATED);
                    zip.putNextEntry(ze);
                } else {
                    CrcChannel crc = new CrcChannel();
                    long size = Npy.writeTo(crc, a, false);
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(size);
                    ze.setCompressedSize(size);
                    ze.setCrc(crc.crc.getValue());
                    zip.putNextEntry(ze);
                }
                Npy.writeTo(zc, a, false);
                zip.closeEntry();
            }
            for (Map.Entry<String, byte[]> x : extras.entrySet()) {
                ZipEntry ze = entry(x.getKey());
                byte[] b = x.getValue();
                if (compress) {
                    ze.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(b);
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(b.length);
                    ze.setCompressedSize(b.length);
                    ze.setCrc(crc.getValue());
                }
                zip.putNextEntry(ze);
                zip.write(b);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Writes arrays only (see {@link #write(Path, Map, Map, boolean)}). */
    public static void write(Path file, Map<String, ?> arrays, boolean compress) {
        write(file, arrays, null, compress);
    }

    private static ZipEntry entry(String name) {
        ZipEntry ze = new ZipEntry(name);
        ze.setTimeLocal(FIXED_TIME);
        return ze;
    }

    static NpyArray toArray(String key, Object v) {
        if (v instanceof NpyArray) {
            return (NpyArray) v;
        }
        if (v instanceof DenseMatrix) {
            return NpyArray.of((DenseMatrix) v);
        }
        if (v instanceof double[]) {
            return NpyArray.of((double[]) v);
        }
        if (v instanceof float[]) {
            return NpyArray.of((float[]) v);
        }
        if (v instanceof int[]) {
            return NpyArray.of((int[]) v);
        }
        if (v instanceof long[]) {
            return NpyArray.of((long[]) v);
        }
        if (v instanceof boolean[]) {
            return NpyArray.of((boolean[]) v);
        }
        throw new IllegalArgumentException("array '" + key + "': cannot store a "
                + (v == null ? "null" : v.getClass().getSimpleName())
                + "; use NpyArray, DenseMatrix, double[], float[], int[], long[] or boolean[]");
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() {
                // the zip stream stays open
            }
        };
    }

    /** Discards bytes, computing their CRC-32 (sizing a stored zip member before writing it). */
    private static final class CrcChannel implements WritableByteChannel {
        final CRC32 crc = new CRC32();

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            crc.update(src);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
