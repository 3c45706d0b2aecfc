package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.exemplar.data.Fixtures.assertMatrixEquals;
import static org.exemplar.data.Fixtures.bytes;
import static org.exemplar.data.Fixtures.fixture;
import static org.exemplar.data.Fixtures.list;
import static org.exemplar.data.Fixtures.referenceMatrix;
import static org.exemplar.data.Fixtures.writeBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {
    @TempDir
    Path tmp;

    private static void checkSavezContents(Map<String, NpyArray> m) {
        assertEquals(List.of("features", "labels", "mask"), List.copyOf(m.keySet()));
        assertMatrixEquals(referenceMatrix(), m.get("features").toMatrix());
        assertArrayEquals(new int[] {2, 0, 1}, m.get("labels").toIntArray());
        assertArrayEquals(new boolean[] {true, false, true}, m.get("mask").toBooleanArray());
    }

    @Test
    void readsNumpySavez() {
        Map<String, NpyArray> m = Npz.read(fixture("savez.npz"));
        assertTrue(m instanceof LinkedHashMap);
        checkSavezContents(m);
    }

    @Test
    void readsNumpySavezCompressed() {
        checkSavezContents(Npz.read(fixture("savez_compressed.npz")));
        assertArrayEquals(new int[] {2, 0, 1}, Npz.readArray(fixture("savez_compressed.npz"), "labels").toIntArray());
    }

    @Test
    void readsNonArrayMembers() {
        Path p = fixture("model.npz");
        NpzContents c = Npz.readContents(p);
        assertEquals(List.of("weights", "bias"), List.copyOf(c.arrays().keySet()));
        assertMatrixEquals(referenceMatrix().transpose(), c.array("weights").toMatrix());
        assertEquals("{\"model\": \"logistic\", \"classes\": 4}", c.text("config.json"));
        assertArrayEquals(c.raw("config.json"), Npz.readRaw(p, "config.json"));
        assertEquals(List.of("weights.npy", "bias.npy", "config.json"), Npz.members(p));
        assertEquals(List.of("weights", "bias"), List.copyOf(Npz.read(p).keySet()));
    }

    @Test
    void missingMembersAreNamedAndAvailableOnesListed() {
        Path p = fixture("model.npz");
        assertDataError(p, () -> Npz.readArray(p, "labels"), "no array 'labels'", "weights.npy", "config.json");
        assertDataError(p, () -> Npz.readRaw(p, "meta.json"), "no member 'meta.json'", "bias.npy");
        NpzContents c = Npz.readContents(p);
        assertDataError(p, () -> c.array("labels"), "no array 'labels'", "[weights, bias]");
        assertDataError(p, () -> c.raw("x"), "no member 'x'", "config.json");
    }

    @Test
    void roundTripStoredAndCompressedWithExtras() throws IOException {
        DenseMatrix big = NpyRoundTripTest.random(400, 400, 3); // 1.28 MB member: memory-mapped when stored
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("z_features", big);
        arrays.put("labels", new int[] {3, 1, 2});
        arrays.put("scores", new double[] {0.5, -1});
        arrays.put("ids", new long[] {1L << 40});
        arrays.put("mask", new boolean[] {true, false});
        arrays.put("half", new float[] {1.5f});
        arrays.put("cube", NpyArray.of(new long[] {2, 1, 2}, new double[] {1, 2, 3, 4}));
        Map<String, byte[]> extras = Map.of("config.json", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        for (boolean compress : new boolean[] {false, true}) {
            Path p = tmp.resolve(compress ? "c.npz" : "s.npz");
            Npz.write(p, arrays, extras, compress);
            NpzContents c = Npz.readContents(p);
            assertEquals(List.of("z_features", "labels", "scores", "ids", "mask", "half", "cube"),
                    List.copyOf(c.arrays().keySet()));
            assertMatrixEquals(big, c.array("z_features").toMatrix());
            assertArrayEquals(new int[] {3, 1, 2}, c.array("labels").toIntArray());
            assertEquals(NpyDtype.INT32, c.array("labels").dtype());
            assertArrayEquals(new double[] {0.5, -1}, c.array("scores").toDoubleArray());
            assertArrayEquals(new long[] {1L << 40}, c.array("ids").toLongArray());
            assertArrayEquals(new boolean[] {true, false}, c.array("mask").toBooleanArray());
            assertEquals(NpyDtype.FLOAT32, c.array("half").dtype());
            assertArrayEquals(new long[] {2, 1, 2}, c.array("cube").shape());
            assertEquals("{\"a\": 1}", c.text("config.json"));
            // readable by java.util.zip too, with the expected compression method
            try (ZipFile z = new ZipFile(p.toFile())) {
                ZipEntry e = z.getEntry("z_features.npy");
                assertEquals(compress ? ZipEntry.DEFLATED : ZipEntry.STORED, e.getMethod());
                byte[] member = z.getInputStream(e).readAllBytes();
                Path single = tmp.resolve("single.npy");
                Npy.write(single, big);
                assertArrayEquals(bytes(single), member, "member bytes equal a standalone .npy");
            }
        }
        assertArrayEquals(new String[] {"c.npz", "s.npz", "single.npy"}, list(tmp));
    }

    @Test
    void writesAreReproducible() {
        Map<String, Object> arrays = Map.of("x", new double[] {1, 2});
        Path a = tmp.resolve("a.npz");
        Path b = tmp.resolve("b.npz");
        Npz.write(a, arrays, true);
        Npz.write(b, arrays, true);
        assertArrayEquals(bytes(a), bytes(b));
    }

    @Test
    void rejectsBadWriteArguments() {
        Path p = tmp.resolve("x.npz");
        assertThrows(IllegalArgumentException.class, () -> Npz.write(p, Map.of("x", "text"), false));
        assertThrows(IllegalArgumentException.class,
                () -> Npz.write(p, Map.of(), Map.of("y.npy", new byte[0]), false));
        assertArrayEquals(new String[0], list(tmp));
    }

    @Test
    void corruptedArchives() {
        byte[] good = bytes(fixture("savez.npz"));
        Path cut = writeBytes(tmp.resolve("cut.npz"), Arrays.copyOf(good, good.length - 30));
        assertDataError(cut, () -> Npz.read(cut), "corrupted or not a zip/npz file", "end-of-central-directory");

        Path noise = writeBytes(tmp.resolve("noise.npz"), "this is not a zip file at all, sorry".getBytes());
        assertDataError(noise, () -> Npz.read(noise), "corrupted or not a zip/npz file");

        Path npy = fixture("f8_c.npy");
        assertDataError(npy, () -> Npz.read(npy), "single .npy file");

        byte[] flipped = good.clone();
        flipped[200] ^= 0x55; // inside the features member's data (stored)
        Path crc = writeBytes(tmp.resolve("crc.npz"), flipped);
        assertDataError(crc, () -> Npz.read(crc), "member 'features.npy'", "CRC-32");

        byte[] comp = bytes(fixture("savez_compressed.npz"));
        byte[] bad = comp.clone();
        for (int i = 80; i < 120; i++) {
            bad[i] = (byte) 0xFF; // garbage in the first deflated member
        }
        Path inflate = writeBytes(tmp.resolve("inflate.npz"), bad);
        assertDataError(inflate, () -> Npz.read(inflate), "corrupted or not a zip/npz file", "member 'features.npy'");

        Path missing = tmp.resolve("missing.npz");
        assertDataError(missing, () -> Npz.read(missing), "file not found");
    }

    @Test
    void badMemberContentNamesTheMember() {
        Path p = tmp.resolve("m.npz");
        Npz.write(p, Map.of("ok", new double[] {1}), Map.of("note.txt", new byte[] {1}), false);
        // A member named .npy that is not an npy file
        Path q = tmp.resolve("q.npz");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(q))) {
            z.putNextEntry(new ZipEntry("junk.npy"));
            z.write("not numpy".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertDataError(q, () -> Npz.read(q), "member 'junk.npy'", "not a .npy file");
        assertArrayEquals(new byte[] {1}, Npz.readRaw(p, "note.txt"));
    }
}
