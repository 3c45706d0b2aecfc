package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.linalg.CsrMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 15 item 13: a tiny input must not exhaust memory. Each case is a file of at most a few hundred kilobytes
 * that declares (or implies) gigabytes; each must end in a {@link DataException} naming the file and the problem,
 * and the reading thread must allocate at most a stated bound while getting there (measured with the JVM's
 * per-thread allocation counter, so an allocation that happens to succeed under the test heap still fails).
 */
class MemoryBoundsTest {
    /** Allocation bound for rejecting a tiny file: a few buffers, nowhere near what the file declares. */
    static final long SMALL = 16L << 20;

    @TempDir
    Path dir;

    /** Bytes allocated by the current thread while running {@code body} (body's exception is rethrown). */
    static long allocatedBy(Executable body) throws Throwable {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        body.execute();
        return mx.getThreadAllocatedBytes(id) - before;
    }

    /** Asserts the DataException (naming file and fragments) and that the attempt allocated at most {@code bound}. */
    static DataException assertRejectedWithin(Path file, long bound, Executable read, String... fragments)
            throws Throwable {
        DataException[] caught = new DataException[1];
        long allocated = allocatedBy(() -> caught[0] = assertDataError(file, read, fragments));
        assertTrue(allocated <= bound, () -> "rejecting " + file.getFileName() + " allocated " + allocated
                + " bytes, bound " + bound + " (" + caught[0].getMessage() + ")");
        return caught[0];
    }

    @Test
    void svmlightIndexOfTwoBillionIsRejectedNamingTheLine() throws Throwable {
        Path f = Files.writeString(dir.resolve("huge-index.svm"), "1 3:0.5 7:1\n-1 2000000000:1.5\n");
        assertRejectedWithin(f, SMALL, () -> SvmLight.read(f), "line 2", "feature index 2000000000", "columns");
        // A large index within the heap's means still reads (hashed features are legitimate).
        Path ok = Files.writeString(dir.resolve("wide.svm"), "1 1000000:1\n");
        assertEquals(1_000_000, SvmLight.read(ok).features().cols());
    }

    @Test
    void movieLensIdOfTwoBillionIsRejected() throws Throwable {
        Path f = Files.writeString(dir.resolve("u.data"), "1\t1\t5\t881250949\n2000000000\t2\t3\t881250950\n");
        assertRejectedWithin(f, SMALL, () -> RatingsFiles.readMovieLens(f), "line 2", "user id 2000000000");
        Path g = Files.writeString(dir.resolve("items.data"), "1\t1999999999\t5\n");
        assertRejectedWithin(g, SMALL, () -> RatingsFiles.readMovieLens(g), "line 1", "item id 1999999999");
    }

    @Test
    void ratingsNpyWithHugeIndexIsRejected() throws Throwable {
        Path f = dir.resolve("triplets.npy");
        Npy.write(f, new long[] {2, 3}, new double[] {0, 0, 4, 1.5e9, 1, 3});
        assertRejectedWithin(f, SMALL, () -> RatingsFiles.readNpy(f), "row 1", "user index 1500000000");
    }

    @Test
    void sparseNpzDeclaringTwoBillionColumnsIsRejected() throws Throwable {
        Path f = dir.resolve("wide.npz");
        SparseNpz.write(f, new CsrMatrix(1, 2_000_000_000, new int[] {0, 1}, new int[] {1_999_999_999},
                new double[] {1}));
        assertRejectedWithin(f, SMALL, () -> SparseNpz.read(f), "2000000000 columns");
    }

    /** A deflated member whose directory entry declares 2e9 bytes: was {@code new byte[2e9]} before any check. */
    @Test
    void zipMemberDeclaringTwoBillionBytesIsRejectedBeforeAllocating() throws Throwable {
        Path f = dir.resolve("lying.npz");
        Npz.write(f, Map.of("x", new double[] {1, 2, 3}), null, true);
        byte[] b = Files.readAllBytes(f);
        patchCentralSizes(b, -1, 2_000_000_000);
        Files.write(f, b);
        assertRejectedWithin(f, SMALL, () -> Npz.read(f), "member 'x.npy'", "declares 2000000000 bytes");
        assertRejectedWithin(f, SMALL, () -> Npz.readArray(f, "x"), "member 'x.npy'", "2000000000");
    }

    /**
     * A member whose declared size is within deflate's ratio but whose stream holds far less: the buffer must grow
     * with what actually inflates, not be allocated at the declared size.
     */
    @Test
    void declaredSizeWithinTheRatioIsStillNotTrusted() throws Throwable {
        byte[] random = new byte[64 << 10];
        new Random(1).nextBytes(random);
        Path f = dir.resolve("blob.npz");
        writeZip(f, "blob.bin", random);
        byte[] b = Files.readAllBytes(f);
        int declared = 60 << 20; // 60 MB: less than 1032 x the ~64 KB compressed, so the ratio check passes
        patchCentralSizes(b, -1, declared);
        Files.write(f, b);
        assertRejectedWithin(f, 4L << 20, () -> Npz.readRaw(f, "blob.bin"), "member 'blob.bin'",
                "inflates to 65536 bytes");
    }

    /**
     * A zip bomb: a .npy member whose header describes 4 doubles, followed by 128 MB of zeros that deflate to
     * ~130 KB. It is rejected after inflating the header, not after inflating the zeros.
     */
    @Test
    void npzBombIsRejectedAfterTheHeader() throws Throwable {
        byte[] header = Fixtures.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", new byte[32]);
        Path f = dir.resolve("bomb.npz");
        writeZipStreaming(f, "x.npy", header, 128 << 20);
        assertTrue(Files.size(f) < 1 << 20, "the bomb is small");
        assertRejectedWithin(f, SMALL, () -> Npz.read(f), "member 'x.npy'", "declares 134217888 bytes",
                "accounts for 160");
    }

    @Test
    void gzipIdxDeclaringMoreThanItCanInflateIsRejected() throws Throwable {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
            h.put(new byte[] {0, 0, 0x08, 3}).putInt(1_000_000).putInt(28).putInt(28);
            gz.write(h.array());
            gz.write(new byte[100]);
        }
        Path f = Files.write(dir.resolve("images-idx3-ubyte.gz"), raw.toByteArray());
        assertRejectedWithin(f, SMALL, () -> Idx.read(f), "declares 784000016 bytes", "1032:1");
    }

    @Test
    void npyHeaderDeclaringGigabytesInATinyFileIsRejected() throws Throwable {
        Path f = Fixtures.writeBytes(dir.resolve("big.npy"),
                Fixtures.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (250000000,), }", new byte[64]));
        assertRejectedWithin(f, SMALL, () -> Npy.read(f).toDoubleArray(), "truncated data", "2000000000");
    }

    @Test
    void allocationsBeyondTheHeapAreDataExceptions() {
        Path f = dir.resolve("any.npz");
        DataException e = assertDataError(f, () -> MemoryBudget.requireHeap(f, Runtime.getRuntime().maxMemory() + 1,
                "member 'x.npy' inflates to"), "member 'x.npy' inflates to", "more than", "-Xmx");
        assertTrue(e.getMessage().contains("free"), e.getMessage());
        MemoryBudget.requireHeap(f, 1 << 20, "a megabyte"); // fits: no exception
        assertTrue(MemoryBudget.maxDimension() >= 1_000_000, "a 4 GB test heap takes a million columns");
        assertTrue(MemoryBudget.maxDimension() <= Runtime.getRuntime().maxMemory() / 64);
    }

    // ----------------------------------------------------------------------------------- zip fixtures

    /** Sets the uncompressed size (and, if {@code csize >= 0}, the compressed size) in every central entry. */
    static void patchCentralSizes(byte[] zip, long csize, long usize) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int patched = 0;
        for (int p = 0; p + 46 <= zip.length; p++) {
            if (b.getInt(p) == 0x02014b50) {
                if (csize >= 0) {
                    b.putInt(p + 20, (int) csize);
                }
                b.putInt(p + 24, (int) usize);
                patched++;
            }
        }
        assertTrue(patched > 0, "no central directory entry found");
    }

    static void writeZip(Path f, String name, byte[] content) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            ZipEntry e = new ZipEntry(name);
            e.setMethod(ZipEntry.DEFLATED);
            z.putNextEntry(e);
            z.write(content);
            z.closeEntry();
        }
    }

    /** One deflated member: {@code head} then {@code zeros} zero bytes, streamed. */
    static void writeZipStreaming(Path f, String name, byte[] head, int zeros) throws IOException {
        CRC32 crc = new CRC32();
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            z.setLevel(Deflater.BEST_COMPRESSION);
            ZipEntry e = new ZipEntry(name);
            e.setMethod(ZipEntry.DEFLATED);
            z.putNextEntry(e);
            z.write(head);
            crc.update(head);
            byte[] block = new byte[1 << 20];
            for (int done = 0; done < zeros; done += block.length) {
                z.write(block);
                crc.update(block);
            }
            z.closeEntry();
        }
        assertTrue(new String(head, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY"));
    }
}
