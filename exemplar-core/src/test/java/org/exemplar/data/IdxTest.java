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

import java.nio.file.Path;
import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path tmp;

    private static byte[] imagePixels() {
        byte[] b = new byte[60];
        for (int k = 0; k < 60; k++) {
            b[k] = (byte) (k * 7 % 256);
        }
        return b;
    }

    private static void checkImages(NpyArray a) {
        assertEquals(NpyDtype.UINT8, a.dtype());
        assertArrayEquals(new long[] {3, 4, 5}, a.shape());
        DenseMatrix m = a.toMatrix();
        assertEquals(3, m.rows());
        assertEquals(20, m.cols());
        for (int k = 0; k < 60; k++) {
            assertEquals(k * 7 % 256, m.data()[k], 0.0);
        }
    }

    @Test
    void readsPlainAndGzipImages() {
        checkImages(Idx.read(fixture("images.idx3-ubyte")));
        checkImages(Idx.read(fixture("images.idx3-ubyte.gz")));
        assertEquals(3, Idx.readMatrix(fixture("images.idx3-ubyte.gz")).rows());
    }

    @Test
    void gzipIsDetectedByMagicNotName() {
        Path renamed = writeBytes(tmp.resolve("images.bin"), bytes(fixture("images.idx3-ubyte.gz")));
        checkImages(Idx.read(renamed));
        Path plainNamedGz = writeBytes(tmp.resolve("plain.gz"), bytes(fixture("images.idx3-ubyte")));
        checkImages(Idx.read(plainNamedGz));
    }

    @Test
    void readsLabelsAndDoubles() {
        assertArrayEquals(new int[] {7, 0, 9}, Idx.readLabels(fixture("labels.idx1-ubyte")));
        NpyArray d = Idx.read(fixture("floats.idx2-double"));
        assertEquals(NpyDtype.FLOAT64, d.dtype());
        assertMatrixEquals(referenceMatrix(), d.toMatrix());
    }

    @Test
    void writesExactlyTheReferenceBytes() {
        Path images = tmp.resolve("images.idx3-ubyte");
        Idx.writeImages(images, 3, 4, 5, imagePixels());
        assertArrayEquals(bytes(fixture("images.idx3-ubyte")), bytes(images));

        Path labels = tmp.resolve("labels.idx1-ubyte");
        Idx.writeLabels(labels, new int[] {7, 0, 9});
        assertArrayEquals(bytes(fixture("labels.idx1-ubyte")), bytes(labels));

        Path doubles = tmp.resolve("floats.idx2-double");
        Idx.write(doubles, NpyArray.of(referenceMatrix()));
        assertArrayEquals(bytes(fixture("floats.idx2-double")), bytes(doubles));

        // a Fortran-order source is written in C order
        Path fromFortran = tmp.resolve("fortran.idx");
        Idx.write(fromFortran, Npy.read(fixture("f8_fortran.npy")));
        assertArrayEquals(bytes(fixture("floats.idx2-double")), bytes(fromFortran));
    }

    @Test
    void gzipWhenNameEndsInGz() {
        Path gz = tmp.resolve("images.idx3-ubyte.gz");
        Idx.writeImages(gz, 3, 4, 5, imagePixels());
        byte[] b = bytes(gz);
        assertEquals(0x1f, b[0] & 0xFF);
        assertEquals(0x8b, b[1] & 0xFF);
        checkImages(Idx.read(gz));

        for (NpyArray a : new NpyArray[] {
            NpyArray.of(new long[] {2, 2}, new int[] {1, -2, 3, Integer.MIN_VALUE}),
            NpyArray.of(new long[] {3}, new short[] {1, -2, 300}),
            NpyArray.of(new long[] {1, 2}, new float[] {1.5f, -2f}),
            NpyArray.ofInt8(new long[] {2}, new byte[] {-1, 5}),
        }) {
            Path p = tmp.resolve("x.idx.gz");
            Idx.write(p, a);
            NpyArray r = Idx.read(p);
            assertEquals(a.dtype(), r.dtype());
            assertArrayEquals(a.shape(), r.shape());
            assertArrayEquals(a.toDoubleArray(), r.toDoubleArray());
        }
    }

    @Test
    void rejectsUnwritableInput() {
        Path p = tmp.resolve("x.idx");
        assertThrows(IllegalArgumentException.class, () -> Idx.write(p, NpyArray.of(new long[] {1L})));
        assertThrows(IllegalArgumentException.class, () -> Idx.writeLabels(p, new int[] {256}));
        assertArrayEquals(new String[0], list(tmp));
    }

    @Test
    void badMagic() {
        byte[] b = bytes(fixture("images.idx3-ubyte"));
        b[2] = 0x42;
        Path p = writeBytes(tmp.resolve("bad.idx"), b);
        assertDataError(p, () -> Idx.read(p), "not an IDX file", "bad magic 00 00 42 03");
        Path npy = fixture("f8_c.npy");
        assertDataError(npy, () -> Idx.read(npy), "not an IDX file", "bad magic 93 4e 55 4d");
        Path tiny = writeBytes(tmp.resolve("tiny.idx"), new byte[] {0, 0});
        assertDataError(tiny, () -> Idx.read(tiny), "only 2 bytes");
    }

    @Test
    void truncatedAndDimsMismatch() {
        byte[] b = bytes(fixture("images.idx3-ubyte"));
        Path cut = writeBytes(tmp.resolve("cut.idx"), Arrays.copyOf(b, b.length - 5));
        assertDataError(cut, () -> Idx.read(cut), "truncated IDX data", "(3, 4, 5)", "need 60 data bytes",
                "has 55");
        Path head = writeBytes(tmp.resolve("head.idx"), Arrays.copyOf(b, 10));
        assertDataError(head, () -> Idx.read(head), "truncated IDX header", "3 dimensions");
        Path longer = writeBytes(tmp.resolve("long.idx"), Arrays.copyOf(b, b.length + 3));
        assertDataError(longer, () -> Idx.read(longer), "dims mismatch", "60 data bytes", "63");

        byte[] gz = bytes(fixture("images.idx3-ubyte.gz"));
        Path cutGz = writeBytes(tmp.resolve("cut.idx.gz"), Arrays.copyOf(gz, gz.length - 12));
        assertDataError(cutGz, () -> Idx.read(cutGz), "truncated");
    }
}
