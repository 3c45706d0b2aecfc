package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.exemplar.data.Fixtures.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void writesAndReplaces() throws IOException {
        Path p = tmp.resolve("summary.json");
        AtomicFiles.writeString(p, "{\"a\": 1}");
        assertEquals("{\"a\": 1}", Files.readString(p));
        AtomicFiles.writeString(p, "{}");
        assertEquals("{}", Files.readString(p));
        AtomicFiles.write(p, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
        assertArrayEquals(new String[] {"summary.json"}, list(tmp));
    }

    @Test
    void createsParentDirectories() throws IOException {
        Path p = tmp.resolve("out").resolve("run1").resolve("x.txt");
        AtomicFiles.writeString(p, "x");
        assertEquals("x", Files.readString(p));
    }

    @Test
    void failingBodyLeavesNoTargetAndNoTempFile() {
        Path p = tmp.resolve("x.bin");
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(p, out -> {
            out.write(new byte[100_000]);
            throw boom;
        }));
        assertSame(boom, thrown);
        assertArrayEquals(new String[0], list(tmp));

        assertDataError(p, () -> AtomicFiles.write(p, out -> {
            out.write(1);
            throw new IOException("disk full");
        }), "write failed", "disk full");
        assertArrayEquals(new String[0], list(tmp));
    }

    @Test
    void failingBodyKeepsTheOldFile() throws IOException {
        Path p = tmp.resolve("keep.txt");
        AtomicFiles.writeString(p, "old");
        assertThrows(RuntimeException.class, () -> AtomicFiles.write(p, out -> {
            out.write("new".getBytes());
            throw new RuntimeException("fail");
        }));
        assertEquals("old", Files.readString(p));
        assertArrayEquals(new String[] {"keep.txt"}, list(tmp));
    }

    @Test
    void failedRenameOntoNonEmptyDirectoryCleansUp() throws IOException {
        Path target = tmp.resolve("target.npy");
        Files.createDirectory(target);
        Files.writeString(target.resolve("occupant"), "x");
        assertDataError(target, () -> Npy.write(target, new DenseMatrix(2, 2)), "cannot move the written data");
        assertDataError(target, () -> Npz.write(target, Map.of("a", new double[] {1}), true), "cannot move");
        assertDataError(target, () -> Csv.write(target, null, List.<Object[]>of()), "cannot move");
        assertDataError(target, () -> Idx.writeLabels(target, new int[] {1}), "cannot move");
        try (NpyRowWriter w = NpyRowWriter.open(target, 1, 1)) {
            w.writeRow(new double[] {1});
            assertDataError(target, w::commit, "cannot move");
        }
        assertArrayEquals(new String[] {"target.npy"}, list(tmp), "no temp files left next to the target");
        assertTrue(Files.isDirectory(target));
        assertArrayEquals(new String[] {"occupant"}, list(target));
    }

    @Test
    void unwritableLocationIsReported() throws IOException {
        Path file = Files.writeString(tmp.resolve("plainfile"), "x");
        Path p = file.resolve("child.txt"); // parent is a regular file
        assertDataError(p, () -> AtomicFiles.writeString(p, "y"), "cannot create directory");
    }
}
