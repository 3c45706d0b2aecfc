package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertMatrixEquals;
import static org.exemplar.data.Fixtures.bytes;
import static org.exemplar.data.Fixtures.fixture;
import static org.exemplar.data.Fixtures.referenceMatrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads fixtures written by real NumPy (make_fixtures.py) and checks our writer reproduces them byte for byte. */
class NpyFixturesTest {
    @TempDir
    Path tmp;

    @Test
    void readsFloat64COrder() {
        NpyArray a = Npy.read(fixture("f8_c.npy"));
        assertEquals(NpyDtype.FLOAT64, a.dtype());
        assertArrayEquals(new long[] {3, 4}, a.shape());
        assertFalse(a.fortranOrder());
        assertMatrixEquals(referenceMatrix(), a.toMatrix());
        assertArrayEquals(referenceMatrix().data(), a.toDoubleArray());
    }

    @Test
    void fortranOrderIsTransposedIntoRowMajor() {
        NpyArray a = Npy.read(fixture("f8_fortran.npy"));
        assertTrue(a.fortranOrder());
        assertArrayEquals(new long[] {3, 4}, a.shape());
        assertMatrixEquals(referenceMatrix(), a.toMatrix());
        assertMatrixEquals(referenceMatrix().rowRange(1, 3), a.toMatrix(1, 3));
    }

    @Test
    void bigEndianReadsTheSameValues() {
        NpyArray a = Npy.read(fixture("f8_be.npy"));
        assertEquals(ByteOrder.BIG_ENDIAN, a.byteOrder());
        assertMatrixEquals(referenceMatrix(), a.toMatrix());
    }

    @Test
    void versions2And3Headers() {
        NpyHeader h2 = Npy.readHeader(fixture("f8_v2.npy"));
        assertEquals("2.0", h2.version());
        assertEquals(0, h2.dataOffset() % 64);
        assertMatrixEquals(referenceMatrix(), Npy.readMatrix(fixture("f8_v2.npy")));
        assertEquals("3.0", Npy.readHeader(fixture("f8_v3.npy")).version());
        assertMatrixEquals(referenceMatrix(), Npy.readMatrix(fixture("f8_v3.npy")));
    }

    @Test
    void float32() {
        NpyArray a = Npy.read(fixture("f4_c.npy"));
        assertEquals(NpyDtype.FLOAT32, a.dtype());
        float[] expected = {1.5f, -2.25f, 3.0f, 0.1f, 1e-7f, -4e20f};
        double[] d = a.toMatrix().data();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], d[i], 0.0);
        }
    }

    @Test
    void integerAndBoolDtypes() {
        NpyArray i4 = Npy.read(fixture("i4_1d.npy"));
        assertEquals(NpyDtype.INT32, i4.dtype());
        assertArrayEquals(new int[] {-2, 0, 7, Integer.MAX_VALUE, Integer.MIN_VALUE}, i4.toIntArray());
        assertArrayEquals(new long[] {-2, 0, 7, Integer.MAX_VALUE, Integer.MIN_VALUE}, i4.toLongArray());

        NpyArray i8 = Npy.read(fixture("i8_1d.npy"));
        assertEquals(NpyDtype.INT64, i8.dtype());
        assertArrayEquals(new long[] {-5, 0, 1L << 40, 1L << 62, -(1L << 62)}, i8.toLongArray());

        NpyArray b = Npy.read(fixture("b1_1d.npy"));
        assertEquals(NpyDtype.BOOL, b.dtype());
        assertArrayEquals(new boolean[] {true, false, true, true, false}, b.toBooleanArray());
        assertArrayEquals(new int[] {1, 0, 1, 1, 0}, b.toIntArray());
        assertMatrixEquals(new DenseMatrix(5, 1, new double[] {1, 0, 1, 1, 0}), b.toMatrix());
    }

    @Test
    void uint8ThreeDimensionalFlattensTrailingDims() {
        NpyArray a = Npy.read(fixture("u1_3d.npy"));
        assertEquals(NpyDtype.UINT8, a.dtype());
        assertArrayEquals(new long[] {2, 3, 4}, a.shape());
        assertArrayEquals(new int[] {2, 3, 4}, a.intShape());
        DenseMatrix m = a.toMatrix();
        assertEquals(2, m.rows());
        assertEquals(12, m.cols());
        int[] v = a.toIntArray();
        for (int k = 0; k < 24; k++) {
            assertEquals(k * 11 % 256, v[k]);
            assertEquals(k * 11 % 256, m.data()[k], 0.0);
        }
    }

    @Test
    void fortranOrderThreeDimensionsAndBigEndianInt16() {
        NpyArray c = Npy.read(fixture("f8_3d.npy"));
        NpyArray f = Npy.read(fixture("f8_3d_fortran.npy"));
        assertTrue(f.fortranOrder());
        assertArrayEquals(c.toDoubleArray(), f.toDoubleArray());
        assertMatrixEquals(c.toMatrix(), f.toMatrix());
        assertMatrixEquals(c.toMatrix(1, 2), f.toMatrix(1, 2));

        NpyArray s = Npy.read(fixture("i2_be_fortran.npy"));
        assertEquals(NpyDtype.INT16, s.dtype());
        assertTrue(s.fortranOrder());
        assertArrayEquals(new int[] {1, -2, 300, -400, 32767, -32768}, s.toIntArray());
    }

    @Test
    void scalarAndEmpty() {
        NpyArray s = Npy.read(fixture("f8_scalar.npy"));
        assertEquals(0, s.ndim());
        assertEquals(3.5, s.scalar());
        assertMatrixEquals(new DenseMatrix(1, 1, new double[] {3.5}), s.toMatrix());

        NpyArray e = Npy.read(fixture("f8_empty.npy"));
        assertArrayEquals(new long[] {0, 3}, e.shape());
        DenseMatrix m = e.toMatrix();
        assertEquals(0, m.rows());
        assertEquals(3, m.cols());
    }

    // ------------------------------------------------------------------------ byte-exact writes

    private void assertSameBytes(String fixtureName, Path ours) {
        assertArrayEquals(bytes(fixture(fixtureName)), bytes(ours), "bytes differ from numpy's " + fixtureName);
    }

    @Test
    void writesFloat64MatrixExactlyAsNumpy() {
        Path p = tmp.resolve("m.npy");
        Npy.write(p, referenceMatrix());
        assertSameBytes("f8_c.npy", p);
    }

    @Test
    void writesVectorsExactlyAsNumpy() {
        Path d = tmp.resolve("d.npy");
        Npy.write(d, new double[] {0.5, -1.25, 3.0, 1e10, -0.0});
        assertSameBytes("f8_1d.npy", d);

        Path i = tmp.resolve("i.npy");
        Npy.write(i, new int[] {-2, 0, 7, Integer.MAX_VALUE, Integer.MIN_VALUE});
        assertSameBytes("i4_1d.npy", i);

        Path l = tmp.resolve("l.npy");
        Npy.writeLong(l, new long[] {-5, 0, 1L << 40, 1L << 62, -(1L << 62)});
        assertSameBytes("i8_1d.npy", l);

        Path b = tmp.resolve("b.npy");
        Npy.write(b, new boolean[] {true, false, true, true, false});
        assertSameBytes("b1_1d.npy", b);
    }

    @Test
    void writesFloat32ExactlyAsNumpy() {
        Path p = tmp.resolve("f.npy");
        Npy.writeFloat32(p, Npy.readMatrix(fixture("f4_c.npy")));
        assertSameBytes("f4_c.npy", p);
    }

    @Test
    void writesNdArraysExactlyAsNumpy() {
        double[] data = new double[24];
        for (int k = 0; k < 24; k++) {
            data[k] = k / 8.0;
        }
        Path p = tmp.resolve("3d.npy");
        Npy.write(p, new long[] {2, 3, 4}, data);
        assertSameBytes("f8_3d.npy", p);

        Path u = tmp.resolve("u.npy");
        Npy.write(u, Npy.read(fixture("u1_3d.npy")));
        assertSameBytes("u1_3d.npy", u);

        Path s = tmp.resolve("s.npy");
        Npy.write(s, new long[0], new double[] {3.5});
        assertSameBytes("f8_scalar.npy", s);

        Path e = tmp.resolve("e.npy");
        Npy.write(e, new DenseMatrix(0, 3));
        assertSameBytes("f8_empty.npy", e);
    }

    @Test
    void rewritingKeepsFortranOrderAndNormalisesByteOrder() {
        Path f = tmp.resolve("f.npy");
        Npy.write(f, Npy.read(fixture("f8_fortran.npy")));
        assertSameBytes("f8_fortran.npy", f);

        Path f3 = tmp.resolve("f3.npy");
        Npy.write(f3, Npy.read(fixture("f8_3d_fortran.npy")));
        assertSameBytes("f8_3d_fortran.npy", f3);

        Path be = tmp.resolve("be.npy");
        Npy.write(be, Npy.read(fixture("f8_be.npy")));
        assertSameBytes("f8_c.npy", be);

        Path v2 = tmp.resolve("v2.npy");
        Npy.write(v2, Npy.read(fixture("f8_v2.npy")));
        assertSameBytes("f8_c.npy", v2);
    }
}
