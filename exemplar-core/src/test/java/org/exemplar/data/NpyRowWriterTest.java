package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.exemplar.data.Fixtures.assertMatrixEquals;
import static org.exemplar.data.Fixtures.bytes;
import static org.exemplar.data.Fixtures.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyRowWriterTest {
    @TempDir
    Path tmp;

    @Test
    void unevenBlocksReadBackEqual() {
        DenseMatrix m = NpyRowWriterTest.seq(7, 5);
        Path p = tmp.resolve("out.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, 7, 5)) {
            // blocks of 3, 0, 1 and 3 rows, taken from offsets inside larger arrays
            double[] padded = new double[2 + 7 * 5];
            System.arraycopy(m.data(), 0, padded, 2, m.data().length);
            w.writeRows(padded, 2, 3);
            w.writeRows(padded, 2 + 15, 0);
            w.writeRow(m.row(3));
            w.writeRows(m.data(), 4 * 5, 3);
            assertEquals(7, w.rowsWritten());
            assertFalse(Files.exists(p), "target must not appear before commit");
            w.commit();
        }
        assertMatrixEquals(m, Npy.readMatrix(p));
        Path ref = tmp.resolve("ref.npy");
        Npy.write(ref, m);
        assertArrayEquals(bytes(ref), bytes(p));
        assertArrayEquals(new String[] {"out.npy", "ref.npy"}, list(tmp));
    }

    @Test
    void outputLargerThanTheBufferRoundTrips() {
        int rows = 300;
        int cols = 2000; // 4.8 MB, more than the 4 MiB write buffer
        DenseMatrix m = NpyRoundTripTest.random(rows, cols, 7);
        Path p = tmp.resolve("big.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, rows, cols)) {
            for (int r = 0; r < rows; r += 37) {
                int n = Math.min(37, rows - r);
                w.writeRows(m.data(), r * cols, n);
            }
            w.commit();
        }
        assertMatrixEquals(m, Npy.readMatrix(p));
    }

    @Test
    void closeWithoutCommitLeavesNothing() {
        Path p = tmp.resolve("out.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, 4, 2)) {
            w.writeRows(new double[4], 0, 2);
        }
        assertArrayEquals(new String[0], list(tmp));
    }

    @Test
    void commitRequiresEveryRow() {
        Path p = tmp.resolve("out.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, 4, 2)) {
            w.writeRows(new double[6], 0, 3);
            assertDataError(p, w::commit, "only 3 of the declared 4 rows");
            assertDataError(p, () -> w.writeRows(new double[4], 0, 2), "exceed the declared 4 rows");
        }
        assertArrayEquals(new String[0], list(tmp));
    }

    @Test
    void misuseIsRejected() {
        Path p = tmp.resolve("out.npy");
        NpyRowWriter w = NpyRowWriter.open(p, 1, 3);
        assertThrows(IllegalArgumentException.class, () -> w.writeRows(new double[5], 3, 1));
        assertThrows(IllegalArgumentException.class, () -> w.writeRow(new double[2]));
        w.writeRow(new double[] {1, 2, 3});
        w.commit();
        assertThrows(IllegalStateException.class, () -> w.writeRow(new double[3]));
        assertThrows(IllegalStateException.class, w::commit);
        w.close(); // idempotent, keeps the committed file
        assertArrayEquals(new double[] {1, 2, 3}, Npy.read(p).toDoubleArray());
    }

    @Test
    void replacesAnExistingTargetOnlyOnCommit() {
        Path p = tmp.resolve("out.npy");
        Npy.write(p, new double[] {9});
        try (NpyRowWriter w = NpyRowWriter.open(p, 2, 1)) {
            w.writeRows(new double[] {1, 2}, 0, 2);
            assertArrayEquals(new double[] {9}, Npy.read(p).toDoubleArray());
            w.commit();
        }
        assertArrayEquals(new double[] {1, 2}, Npy.read(p).toDoubleArray());
    }

    static DenseMatrix seq(int rows, int cols) {
        DenseMatrix m = new DenseMatrix(rows, cols);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = k * 0.5 - 3;
        }
        return m;
    }
}
