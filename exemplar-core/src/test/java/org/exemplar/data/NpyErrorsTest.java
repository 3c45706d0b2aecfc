package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.exemplar.data.Fixtures.bytes;
import static org.exemplar.data.Fixtures.fixture;
import static org.exemplar.data.Fixtures.npy;
import static org.exemplar.data.Fixtures.writeBytes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gives a DataException that names the file and the problem. */
class NpyErrorsTest {
    @TempDir
    Path tmp;

    private Path modified(String name, java.util.function.UnaryOperator<byte[]> change) {
        return writeBytes(tmp.resolve(name), change.apply(bytes(fixture("f8_c.npy"))));
    }

    @Test
    void missingFile() {
        Path p = tmp.resolve("nope.npy");
        assertDataError(p, () -> Npy.read(p), "file not found");
    }

    @Test
    void badMagic() {
        Path p = modified("magic.npy", b -> {
            b[1] = 'X';
            return b;
        });
        assertDataError(p, () -> Npy.read(p), "not a .npy file", "bad magic", "93 58 55 4d 50 59");
        Path text = writeBytes(tmp.resolve("text.npy"), "hello, world".getBytes(StandardCharsets.US_ASCII));
        assertDataError(text, () -> Npy.read(text), "not a .npy file");
        Path empty = writeBytes(tmp.resolve("empty.npy"), new byte[0]);
        assertDataError(empty, () -> Npy.read(empty), "not a .npy file", "empty file");
        Path npz = fixture("savez.npz");
        assertDataError(npz, () -> Npy.read(npz), "zip archive", "Npz.read");
    }

    @Test
    void unsupportedVersion() {
        Path p = modified("v4.npy", b -> {
            b[6] = 4;
            return b;
        });
        assertDataError(p, () -> Npy.read(p), "unsupported .npy format version 4.0");
    }

    @Test
    void truncatedData() {
        Path p = modified("trunc.npy", b -> Arrays.copyOf(b, b.length - 10));
        assertDataError(p, () -> Npy.read(p), "truncated data", "(3, 4)", "float64", "needs 96 data bytes",
                "only 86");
    }

    @Test
    void truncatedHeader() {
        Path p = modified("trunch.npy", b -> Arrays.copyOf(b, 40));
        assertDataError(p, () -> Npy.read(p), "truncated header", "118");
        Path q = modified("pre.npy", b -> Arrays.copyOf(b, 4));
        assertDataError(q, () -> Npy.read(q), "too short");
    }

    @Test
    void malformedHeaders() {
        byte[] data = new byte[16];
        Path a = writeBytes(tmp.resolve("a.npy"), npy("{'descr': '<f8', 'fortran_order': False}", data));
        assertDataError(a, () -> Npy.read(a), "malformed header", "missing key", "shape");
        Path b = writeBytes(tmp.resolve("b.npy"), npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", data));
        assertDataError(b, () -> Npy.read(b), "malformed header");
        Path c = writeBytes(tmp.resolve("c.npy"), npy("not a dict", data));
        assertDataError(c, () -> Npy.read(c), "malformed header", "not a dict");
        Path d = writeBytes(tmp.resolve("d.npy"),
                npy("{'descr': '<f8', 'fortran_order': 'no', 'shape': (2,)}", data));
        assertDataError(d, () -> Npy.read(d), "malformed header", "'fortran_order'");
        Path e = writeBytes(tmp.resolve("e.npy"),
                npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", data));
        assertDataError(e, () -> Npy.read(e), "unexpected key", "extra");
        Path f = writeBytes(tmp.resolve("f.npy"),
                npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", data));
        assertDataError(f, () -> Npy.read(f), "negative dimension");
    }

    @Test
    void unsupportedDtypes() {
        Path c16 = fixture("c16.npy");
        assertDataError(c16, () -> Npy.read(c16), "unsupported dtype '<c16'", "complex128", "supported:");
        Path obj = fixture("object.npy");
        assertDataError(obj, () -> Npy.read(obj), "unsupported dtype '|O'", "object");
        byte[] data = new byte[16];
        Path f2 = writeBytes(tmp.resolve("f2.npy"), npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", data));
        assertDataError(f2, () -> Npy.read(f2), "'<f2'", "float16");
        Path s = writeBytes(tmp.resolve("s.npy"),
                npy("{'descr': [('x', '<f8'), ('y', '<i4')], 'fortran_order': False, 'shape': (2,)}", data));
        assertDataError(s, () -> Npy.read(s), "structured", "('x', '<f8')");
        Path u = writeBytes(tmp.resolve("u.npy"), npy("{'descr': '<U5', 'fortran_order': False, 'shape': (2,)}", data));
        assertDataError(u, () -> Npy.read(u), "'<U5'", "unicode string");
    }

    @Test
    void shapeProductOverflow() {
        Path p = writeBytes(tmp.resolve("huge.npy"),
                npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", new byte[0]));
        assertDataError(p, () -> Npy.read(p), "(4611686018427387904, 4)", "too large", "overflows");
    }

    @Test
    void arrayTooLargeForOneJavaArraySuggestsRowBlocks() {
        // A header-only view: declared count without backing data (the check fires before any read).
        long rows = 100_000;
        long cols = 50_000;
        Elements e = Elements.ofBytes(NpyDtype.FLOAT64, ByteOrder.LITTLE_ENDIAN, rows * cols,
                new ByteBuffer[] {ByteBuffer.allocate(8)}, 1);
        Path file = tmp.resolve("big.npy");
        NpyArray a = new NpyArray(NpyDtype.FLOAT64, ByteOrder.LITTLE_ENDIAN, false, new long[] {rows, cols}, e,
                file, null);
        assertDataError(file, a::toMatrix, "(100000, 50000)", "5000000000 elements", "too large for one Java array",
                "row blocks", "42949 rows");
        assertDataError(file, a::toDoubleArray, "too large for one Java array");
    }

    @Test
    void nonFiniteFeaturesAreReportedWithRowAndColumn() {
        Path p = fixture("f8_nan.npy");
        DenseMatrix m = Npy.readMatrix(p);
        assertDataError(p, () -> Validation.requireFinite(m, p, "features"), "features (3, 2)", "NaN",
                "row 1, column 1", "2 non-finite values");
        double[] v = {1, 2, Double.NEGATIVE_INFINITY};
        assertDataError(p, () -> Validation.requireFinite(v, p, "labels"), "labels", "-Infinity", "index 2",
                "1 non-finite value in total");
        Validation.requireFinite(Npy.readMatrix(fixture("f8_c.npy")), p, "features");
        assertDataError(p, () -> Validation.requireRows(m, 4, p, "labels"), "labels has 3 rows", "expected 4");
    }

    @Test
    void exceptionExposesFileAndDetail() {
        Path p = Path.of("some", "file.npy");
        DataException e = new DataException(p, "broken");
        org.junit.jupiter.api.Assertions.assertEquals(p, e.file());
        org.junit.jupiter.api.Assertions.assertEquals("broken", e.detail());
        org.junit.jupiter.api.Assertions.assertEquals(p + ": broken", e.getMessage());
        org.junit.jupiter.api.Assertions.assertEquals("<memory>: x", new DataException(null, "x").getMessage());
    }
}
