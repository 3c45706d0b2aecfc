package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.exemplar.data.Fixtures.fixture;
import static org.exemplar.data.Fixtures.npy;
import static org.exemplar.data.Fixtures.writeBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.exemplar.data.DataFiles.Format;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format dispatch on hand-built files (and the NumPy-written fixtures); no reader is used to make its input. */
class DataFilesTest {
    @TempDir
    Path tmp;

    /** A float64 little-endian C-order .npy of the given 2-D shape. */
    private static byte[] npyF8(int rows, int cols, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        return npy("{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }", b.array());
    }

    private static byte[] npyI4(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return npy("{'descr': '<i4', 'fortran_order': False, 'shape': (" + v.length + ",), }", b.array());
    }

    /** An unsigned-byte IDX file: 00 00 08 ndim, big-endian dims, the bytes. */
    private static byte[] idxUbyte(int[] dims, int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + values.length).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private Path text(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static void assertMatrix(int rows, int cols, double[] expected, DenseMatrix m) {
        assertEquals(rows, m.rows());
        assertEquals(cols, m.cols());
        assertArrayEquals(expected, m.data());
    }

    @Test
    void extensionsDecideFirst() {
        // the extension alone decides; the files need not exist yet
        assertEquals(Format.NPY, DataFiles.formatOf(tmp.resolve("x.npy")));
        assertEquals(Format.NPY, DataFiles.formatOf(tmp.resolve("X.NPY")));
        assertEquals(Format.CSV, DataFiles.formatOf(tmp.resolve("x.csv")));
        assertEquals(Format.CSV, DataFiles.formatOf(tmp.resolve("x.Csv")));
        assertEquals(Format.CSV, DataFiles.formatOf(tmp.resolve("x.txt")));
    }

    @Test
    void npyIsReadByExtensionOrMagic() {
        double[] v = {1.5, -2, 3e-300, 4, 5, Math.PI};
        Path named = writeBytes(tmp.resolve("m.npy"), npyF8(2, 3, v));
        assertMatrix(2, 3, v, DataFiles.readMatrix(named));
        Path renamed = writeBytes(tmp.resolve("m.bin"), npyF8(2, 3, v));
        assertEquals(Format.NPY, DataFiles.formatOf(renamed));
        assertMatrix(2, 3, v, DataFiles.readMatrix(renamed));
        // the NumPy-written fixture (3 x 4 reference matrix)
        assertMatrix(3, 4, Fixtures.referenceMatrix().data(), DataFiles.readMatrix(fixture("f8_c.npy")));
    }

    @Test
    void csvIsReadByExtension() throws IOException {
        Path p = text("m.csv", "a,b,c\n1,2,3\n-4.5,5e1,6\n");
        assertMatrix(2, 3, new double[] {1, 2, 3, -4.5, 50, 6}, DataFiles.readMatrix(p));
        Path t = text("m.txt", "7,8\n9,10\n");
        assertMatrix(2, 2, new double[] {7, 8, 9, 10}, DataFiles.readMatrix(t));
    }

    @Test
    void idxIsRecognisedByMagicPlainAndGzip() {
        // two 2 x 3 images -> 2 rows of 6 pixels
        int[] pixels = {0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 128};
        double[] expected = new double[pixels.length];
        for (int k = 0; k < pixels.length; k++) {
            expected[k] = pixels[k];
        }
        byte[] raw = idxUbyte(new int[] {2, 2, 3}, pixels);
        Path plain = writeBytes(tmp.resolve("train-images-idx3-ubyte"), raw);
        assertEquals(Format.IDX, DataFiles.formatOf(plain));
        assertMatrix(2, 6, expected, DataFiles.readMatrix(plain));
        Path gz = writeBytes(tmp.resolve("train-images-idx3-ubyte.gz"), gzip(raw));
        assertEquals(Format.IDX, DataFiles.formatOf(gz));
        assertMatrix(2, 6, expected, DataFiles.readMatrix(gz));
        // the NumPy-written fixtures: 3 images of 4 x 5, pixel k = 7 k mod 256
        DenseMatrix images = DataFiles.readMatrix(fixture("images.idx3-ubyte.gz"));
        assertEquals(3, images.rows());
        assertEquals(20, images.cols());
        for (int k = 0; k < 60; k++) {
            assertEquals(k * 7 % 256, images.data()[k], 0.0); // small integers: exact
        }
        assertArrayEquals(new int[] {7, 0, 9}, DataFiles.readLabels(fixture("labels.idx1-ubyte")));
    }

    @Test
    void labelsFromEveryFormat() throws IOException {
        assertArrayEquals(new int[] {3, 0, 9, 1},
                DataFiles.readLabels(writeBytes(tmp.resolve("y.npy"), npyI4(3, 0, 9, 1))));
        assertArrayEquals(new int[] {3, 0, 9, 1},
                DataFiles.readLabels(writeBytes(tmp.resolve("y-idx1-ubyte"), idxUbyte(new int[] {4}, 3, 0, 9, 1))));
        assertArrayEquals(new int[] {3, 0, 9, 1},
                DataFiles.readLabels(writeBytes(tmp.resolve("y.gz"), gzip(idxUbyte(new int[] {4}, 3, 0, 9, 1)))));
        assertArrayEquals(new int[] {3, 0, -9, 1}, DataFiles.readLabels(text("y.csv", "label\n3\n0\n-9\n1.0\n")));
        assertArrayEquals(new int[] {2, 5}, DataFiles.readLabels(text("y2.csv", "2\n5\n")));
    }

    @Test
    void csvLabelsMustBeOneColumnOfIntegers() throws IOException {
        Path frac = text("frac.csv", "label\n1\n2.5\n3\n");
        assertDataError(frac, () -> DataFiles.readLabels(frac), "2.5", "row 2", "not an integer");
        Path nan = text("nan.csv", "4\nnan\n");
        assertDataError(nan, () -> DataFiles.readLabels(nan), "NaN", "row 2");
        Path wide = text("wide.csv", "1,2\n3,4\n");
        assertDataError(wide, () -> DataFiles.readLabels(wide), "one column", "2");
        // integral but not an int: must not wrap or saturate silently
        Path inf = text("inf.csv", "1\ninf\n");
        assertDataError(inf, () -> DataFiles.readLabels(inf), "Infinity", "row 2");
        Path big = text("big.csv", "1\n2\n3e10\n");
        assertDataError(big, () -> DataFiles.readLabels(big), "row 3");
        Path low = text("low.csv", "-2147483649\n");
        assertDataError(low, () -> DataFiles.readLabels(low), "row 1");
        // the int range itself is fine
        Path edge = text("edge.csv", "2147483647\n-2147483648\n");
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE}, DataFiles.readLabels(edge));
    }

    @Test
    void npzAndUnknownFormatsAreErrors() throws IOException {
        Path npz = tmp.resolve("arrays.npz");
        assertDataError(npz, () -> DataFiles.formatOf(npz), ".npz", ".npy");
        assertDataError(npz, () -> DataFiles.readMatrix(npz), ".npz");
        Path prose = text("notes.dat", "hello world\n");
        assertDataError(prose, () -> DataFiles.readMatrix(prose), "unknown format");
        Path empty = writeBytes(tmp.resolve("empty.bin"), new byte[0]);
        assertDataError(empty, () -> DataFiles.formatOf(empty), "unknown format");
        Path absent = tmp.resolve("absent.bin");
        assertDataError(absent, () -> DataFiles.readLabels(absent), "no such file");
        Path dir = Files.createDirectory(tmp.resolve("folder"));
        assertDataError(dir, () -> DataFiles.formatOf(dir), "no such file");
        // gzip that does not hold IDX: dispatched as IDX by its magic, then rejected by the IDX reader
        Path gzText = writeBytes(tmp.resolve("table.csv.gz"), gzip("1,2\n".getBytes(StandardCharsets.UTF_8)));
        assertDataError(gzText, () -> DataFiles.readMatrix(gzText), "not an IDX file");
    }
}
