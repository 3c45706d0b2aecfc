package org.exemplar.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal zip reader over a {@link FileChannel}: parses the central directory (including zip64, which
 * {@code numpy.savez} always uses) and locates each member's data, so stored members can be memory-mapped
 * in place and deflated ones inflated straight into one buffer. {@code java.util.zip.ZipFile} does not
 * expose member offsets, hence this class.
 */
final class ZipDirectory {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;

    /** One member. */
    static final class Entry {
        final String name;
        final int method;
        final int flags;
        final int crc;
        final long compressedSize;
        final long size;
        final long localHeaderOffset;

        Entry(String name, int method, int flags, int crc, long compressedSize, long size, long localHeaderOffset) {
            this.name = name;
            this.method = method;
            this.flags = flags;
            this.crc = crc;
            this.compressedSize = compressedSize;
            this.size = size;
            this.localHeaderOffset = localHeaderOffset;
        }
    }

    private final Path file;
    private final FileChannel ch;
    private final long fileSize;
    private final List<Entry> entries;

    private ZipDirectory(Path file, FileChannel ch, long fileSize, List<Entry> entries) {
        this.file = file;
        this.ch = ch;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    List<Entry> entries() {
        return entries;
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        for (Entry e : entries) {
            names.add(e.name);
        }
        return names;
    }

    Entry find(String name) {
        for (Entry e : entries) {
            if (e.name.equals(name)) {
                return e;
            }
        }
        return null;
    }

    private DataException corrupt(String what) {
        return new DataException(file, "corrupted or not a zip/npz file: " + what);
    }

    private ByteBuffer readAt(long pos, int len) throws IOException {
        if (pos < 0 || pos + len > fileSize) {
            throw corrupt("structure at offset " + pos + " extends past the end of the " + fileSize + "-byte file");
        }
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw corrupt("unexpected end of file at offset " + (pos + b.position()));
            }
        }
        return b.flip();
    }

    /** Reads the central directory of the zip file open on {@code ch}. */
    static ZipDirectory open(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ZipDirectory z = new ZipDirectory(file, ch, size, new ArrayList<>());
        if (size < 22) {
            throw z.corrupt("only " + size + " bytes, too short for a zip end-of-central-directory record");
        }
        int tail = (int) Math.min(size, 22 + 0xFFFF);
        ByteBuffer t = z.readAt(size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (t.getInt(i) == EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            byte[] head = new byte[Math.min(4, tail)];
            z.readAt(0, head.length).get(head);
            boolean npy = head.length >= 1 && head[0] == (byte) 0x93;
            throw z.corrupt("no end-of-central-directory record found (file truncated?)"
                    + (npy ? "; this looks like a single .npy file, read it with Npy.read" : ""));
        }
        long eocdPos = size - tail + eocd;
        long count = t.getShort(eocd + 10) & 0xFFFF;
        long cdSize = t.getInt(eocd + 12) & 0xFFFFFFFFL;
        long cdOffset = t.getInt(eocd + 16) & 0xFFFFFFFFL;
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            if (eocdPos >= 20) {
                ByteBuffer loc = z.readAt(eocdPos - 20, 20);
                if (loc.getInt(0) == ZIP64_LOCATOR_SIG) {
                    long z64 = loc.getLong(8);
                    ByteBuffer r = z.readAt(z64, 56);
                    if (r.getInt(0) != ZIP64_EOCD_SIG) {
                        throw z.corrupt("bad zip64 end-of-central-directory record at offset " + z64);
                    }
                    count = r.getLong(32);
                    cdSize = r.getLong(40);
                    cdOffset = r.getLong(48);
                }
            }
        }
        if (cdOffset + cdSize > eocdPos || cdSize > Integer.MAX_VALUE - 8 || count < 0) {
            throw z.corrupt("central directory (offset " + cdOffset + ", " + cdSize
                    + " bytes) does not fit before the end record");
        }
        ByteBuffer cd = z.readAt(cdOffset, (int) cdSize);
        int p = 0;
        for (long k = 0; k < count; k++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
                throw z.corrupt("bad central directory entry " + k + " at offset " + (cdOffset + p));
            }
            int flags = cd.getShort(p + 8) & 0xFFFF;
            int method = cd.getShort(p + 10) & 0xFFFF;
            int crc = cd.getInt(p + 16);
            long csize = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long usize = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long offset = cd.getInt(p + 42) & 0xFFFFFFFFL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw z.corrupt("central directory entry " + k + " overruns the directory");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes,
                    (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int e = p + 46 + nameLen;
            int end = e + extraLen;
            while (e + 4 <= end) {
                int id = cd.getShort(e) & 0xFFFF;
                int len = cd.getShort(e + 2) & 0xFFFF;
                if (id == 0x0001) {
                    int q = e + 4;
                    if (usize == 0xFFFFFFFFL && q + 8 <= e + 4 + len) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xFFFFFFFFL && q + 8 <= e + 4 + len) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (offset == 0xFFFFFFFFL && q + 8 <= e + 4 + len) {
                        offset = cd.getLong(q);
                    }
                }
                e += 4 + len;
            }
            if (usize < 0 || csize < 0 || offset < 0) {
                throw z.corrupt("member '" + name + "' has an invalid size or offset");
            }
            z.entries.add(new Entry(name, method, flags, crc, csize, usize, offset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return z;
    }

    /** Offset of the member's (possibly compressed) data. */
    long dataStart(Entry e) throws IOException {
        ByteBuffer h = readAt(e.localHeaderOffset, 30);
        if (h.getInt(0) != LOCAL_SIG) {
            throw corrupt("member '" + e.name + "': bad local header signature at offset " + e.localHeaderOffset);
        }
        int nameLen = h.getShort(26) & 0xFFFF;
        int extraLen = h.getShort(28) & 0xFFFF;
        long start = e.localHeaderOffset + 30 + nameLen + extraLen;
        if (start + e.compressedSize > fileSize) {
            throw corrupt("member '" + e.name + "' (" + e.compressedSize + " bytes at offset " + start
                    + ") extends past the end of the " + fileSize + "-byte file (truncated?)");
        }
        return start;
    }

    private void checkSupported(Entry e) {
        if ((e.flags & 1) != 0) {
            throw new DataException(file, "member '" + e.name + "' is encrypted; encrypted archives are not supported");
        }
        if (e.method != STORED && e.method != DEFLATED) {
            throw new DataException(file, "member '" + e.name + "' uses zip compression method " + e.method
                    + "; only stored (0) and deflated (8) are supported");
        }
        if (e.method == STORED && e.compressedSize != e.size) {
            throw corrupt("stored member '" + e.name + "' has compressed size " + e.compressedSize
                    + " != size " + e.size);
        }
    }

    boolean isStored(Entry e) {
        checkSupported(e);
        return e.method == STORED;
    }

    /**
     * For a stored member: verifies its CRC (streaming through a memory map for large members) and returns
     * the offset of its bytes in the file, so they can be parsed or mapped in place.
     */
    long verifiedStoredStart(Entry e, long mapThreshold) throws IOException {
        checkSupported(e);
        if (e.method != STORED) {
            throw new IllegalStateException(e.name + " is not stored");
        }
        long start = dataStart(e);
        CRC32 crc = new CRC32();
        long window = 1L << 28;
        for (long off = 0; off < e.size; off += window) {
            long len = Math.min(window, e.size - off);
            crc.update(len >= mapThreshold
                    ? ch.map(FileChannel.MapMode.READ_ONLY, start + off, len)
                    : readAt(start + off, (int) len));
        }
        checkCrc(e, crc);
        return start;
    }

    /**
     * The member's uncompressed bytes in one heap buffer (inflated if needed), CRC verified. The declared size
     * is not trusted: it must be one deflate can produce from the compressed bytes, must fit the heap, and the
     * buffer grows only as inflated bytes actually arrive, so a lying directory or a bomb costs at most what
     * it really inflates to before it is rejected.
     */
    ByteBuffer contents(Entry e) throws IOException {
        checkSupported(e);
        if (e.size > NpyArray.MAX_ARRAY) {
            throw new DataException(file, "member '" + e.name + "' holds " + e.size
                    + " bytes, more than one Java array holds"
                    + (e.method == DEFLATED ? "; save it uncompressed (np.savez) so it can be memory-mapped" : ""));
        }
        long start = dataStart(e);
        if (e.method == STORED) {
            MemoryBudget.requireHeap(file, e.size, "member '" + e.name + "' holds");
            ByteBuffer b = readAt(start, (int) e.size);
            CRC32 crc = new CRC32();
            crc.update(b.duplicate());
            checkCrc(e, crc);
            return b.order(ByteOrder.BIG_ENDIAN);
        }
        MemoryBudget.requireInflatable(file, e.size, e.compressedSize, "member '" + e.name + "'");
        MemoryBudget.requireHeap(file, e.size, "member '" + e.name + "' inflates to");
        byte[] data = inflate(e, start, (int) e.size);
        CRC32 crc = new CRC32();
        crc.update(data);
        checkCrc(e, crc);
        return ByteBuffer.wrap(data);
    }

    /**
     * The first {@code min(limit, size)} uncompressed bytes of a member, without the CRC check (for reading a
     * header before committing to the whole member).
     */
    ByteBuffer prefix(Entry e, int limit) throws IOException {
        checkSupported(e);
        long start = dataStart(e);
        int n = (int) Math.min(limit, e.size);
        if (e.method == STORED) {
            return readAt(start, n).order(ByteOrder.BIG_ENDIAN);
        }
        MemoryBudget.requireInflatable(file, e.size, e.compressedSize, "member '" + e.name + "'");
        return ByteBuffer.wrap(inflate(e, start, n));
    }

    /**
     * Inflates the member's first {@code want} bytes ({@code want == size}: all of them, checking that the
     * stream ends exactly there). The output buffer starts small and doubles as bytes arrive.
     */
    private byte[] inflate(Entry e, long start, int want) throws IOException {
        boolean whole = want == e.size;
        byte[] data = new byte[Math.min(want, 1 << 16)];
        Inflater inf = new Inflater(true);
        try {
            long fed = 0;
            int produced = 0;
            long window = 1 << 20;
            while (!inf.finished() && (whole || produced < want)) {
                if (inf.needsInput()) {
                    if (fed >= e.compressedSize) {
                        throw corrupt("member '" + e.name + "': deflate stream ends early (" + produced
                                + " of " + e.size + " bytes)");
                    }
                    long len = Math.min(window, e.compressedSize - fed);
                    inf.setInput(readAt(start + fed, (int) len));
                    fed += len;
                    continue;
                }
                if (inf.needsDictionary()) {
                    throw corrupt("member '" + e.name + "': deflate stream needs a preset dictionary");
                }
                if (produced == want) {
                    if (inf.inflate(new byte[1]) > 0) {
                        throw corrupt("member '" + e.name + "' inflates to more than its declared " + e.size
                                + " bytes");
                    }
                    continue;
                }
                if (produced == data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(want, 2L * data.length));
                }
                produced += inf.inflate(data, produced, data.length - produced);
            }
            if (whole ? produced != e.size : produced < want) {
                throw corrupt("member '" + e.name + "' inflates to " + produced + " bytes, directory says "
                        + e.size);
            }
            return data.length == produced ? data : Arrays.copyOf(data, produced);
        } catch (DataFormatException ex) {
            throw new DataException(file, "corrupted or not a zip/npz file: member '" + e.name
                    + "': invalid deflate data (" + ex.getMessage() + ")", ex);
        } finally {
            inf.end();
        }
    }

    private void checkCrc(Entry e, CRC32 crc) {
        if ((int) crc.getValue() != e.crc) {
            throw corrupt("member '" + e.name + "' fails its CRC-32 check (stored " + String.format("%08x", e.crc)
                    + ", computed " + String.format("%08x", (int) crc.getValue()) + ")");
        }
    }

    FileChannel channel() {
        return ch;
    }
}
