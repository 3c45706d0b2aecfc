package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertMatrixEquals;
import static org.exemplar.data.Fixtures.npy;
import static org.exemplar.data.Fixtures.writeBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write-then-read round trips for every dtype and order, memory-mapped reads, row blocks and conversions. */
class NpyRoundTripTest {
    @TempDir
    Path tmp;

    static DenseMatrix random(int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(rows, cols);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextDouble(-10, 10);
        }
        return m;
    }

    private NpyArray roundTrip(NpyArray a) {
        Path p = tmp.resolve("a.npy");
        Npy.write(p, a);
        NpyArray b = Npy.read(p);
        assertEquals(a.dtype(), b.dtype());
        assertArrayEquals(a.shape(), b.shape());
        return b;
    }

    @Test
    void everyWritableDtypeRoundTrips() {
        long[] shape = {2, 3};
        double[] d = {1.5, -2, 0, Double.MAX_VALUE, Double.MIN_VALUE, -0.0};
        assertArrayEquals(d, roundTrip(NpyArray.of(shape, d)).toDoubleArray());
        float[] f = {1.5f, -2f, 0f, Float.MAX_VALUE, Float.MIN_VALUE, 3.25f};
        double[] fd = roundTrip(NpyArray.of(shape, f)).toDoubleArray();
        for (int i = 0; i < f.length; i++) {
            assertEquals(f[i], (float) fd[i]);
        }
        int[] i4 = {1, -2, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 42};
        assertArrayEquals(i4, roundTrip(NpyArray.of(shape, i4)).toIntArray());
        long[] i8 = {1, -2, 0, Long.MAX_VALUE, Long.MIN_VALUE, 42};
        assertArrayEquals(i8, roundTrip(NpyArray.of(shape, i8)).toLongArray());
        short[] i2 = {1, -2, 0, Short.MAX_VALUE, Short.MIN_VALUE, 42};
        assertArrayEquals(new int[] {1, -2, 0, Short.MAX_VALUE, Short.MIN_VALUE, 42},
                roundTrip(NpyArray.of(shape, i2)).toIntArray());
        boolean[] b = {true, false, false, true, true, false};
        assertArrayEquals(b, roundTrip(NpyArray.of(shape, b)).toBooleanArray());
        byte[] u1 = {0, 1, (byte) 127, (byte) 128, (byte) 255, 7};
        assertArrayEquals(new int[] {0, 1, 127, 128, 255, 7}, roundTrip(NpyArray.ofUint8(shape, u1)).toIntArray());
        assertArrayEquals(new int[] {0, 1, 127, -128, -1, 7}, roundTrip(NpyArray.ofInt8(shape, u1)).toIntArray());
    }

    @Test
    void unsignedAndBigEndianDtypesRead() {
        ByteBuffer u2 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 65535).putShort((short) 1);
        Path p2 = writeBytes(tmp.resolve("u2.npy"),
                npy("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", u2.array()));
        assertArrayEquals(new int[] {65535, 1}, Npy.read(p2).toIntArray());

        ByteBuffer u4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-1).putInt(5);
        Path p4 = writeBytes(tmp.resolve("u4.npy"),
                npy("{'descr': '>u4', 'fortran_order': False, 'shape': (2,), }", u4.array()));
        NpyArray a4 = Npy.read(p4);
        assertEquals(NpyDtype.UINT32, a4.dtype());
        assertArrayEquals(new long[] {4294967295L, 5}, a4.toLongArray());
        assertArrayEquals(new double[] {4294967295.0, 5}, a4.toDoubleArray());
        assertThrows(DataException.class, a4::toIntArray);

        ByteBuffer u8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(3);
        Path p8 = writeBytes(tmp.resolve("u8.npy"),
                npy("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", u8.array()));
        NpyArray a8 = Npy.read(p8);
        assertEquals(0x1p64, a8.toDoubleArray()[0]);
        Fixtures.assertDataError(p8, a8::toLongArray, "18446744073709551615", "does not fit");

        ByteBuffer f4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-3f);
        Path pf = writeBytes(tmp.resolve("f4be.npy"),
                npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f4.array()));
        assertArrayEquals(new double[] {1.5, -3}, Npy.read(pf).toDoubleArray());
    }

    @Test
    void headerParsingIsRobust() {
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(2).array();
        String[] dicts = {
            "{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}",
            "{ \"descr\" : \"<f8\" , \"fortran_order\" : False , \"shape\" : ( 2 , ) , }",
            "{'descr':'<f8','fortran_order':False,'shape':(2L,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1)}",
        };
        for (String dict : dicts) {
            Path p = writeBytes(tmp.resolve("h.npy"), npy(dict, data));
            assertArrayEquals(new double[] {1, 2}, Npy.read(p).toDoubleArray(), dict);
        }
        Path s = writeBytes(tmp.resolve("s.npy"), npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(7).array()));
        assertEquals(7.0, Npy.read(s).scalar());
    }

    @Test
    void largeFilesAreMemoryMappedAndReadCorrectly() {
        DenseMatrix m = random(700, 300, 1); // 1.68 MB > MAP_THRESHOLD
        Path p = tmp.resolve("big.npy");
        Npy.write(p, m);
        NpyArray a = Npy.read(p);
        assertMatrixEquals(m, a.toMatrix());
        assertMatrixEquals(m.rowRange(123, 456), a.toMatrix(123, 456));

        // The same data as a hand-built Fortran-order file (column-major bytes), also above the threshold.
        DenseMatrix t = m.transpose(); // rows of t are columns of m
        byte[] header = NpyHeader.encode(NpyDtype.FLOAT64, true, new long[] {700, 300});
        ByteBuffer b = ByteBuffer.allocate(header.length + 8 * m.data().length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        b.asDoubleBuffer().put(t.data());
        Path f = writeBytes(tmp.resolve("bigf.npy"), b.array());
        NpyArray fa = Npy.read(f);
        assertTrue(fa.fortranOrder());
        assertMatrixEquals(m, fa.toMatrix());
        assertMatrixEquals(m.rowRange(650, 700), fa.toMatrix(650, 700));
        assertArrayEquals(m.data(), fa.toDoubleArray());
    }

    @Test
    void rowBlocksCoverTheWholeArray() {
        double[] data = new double[5 * 2 * 3];
        for (int k = 0; k < data.length; k++) {
            data[k] = k;
        }
        Path p = tmp.resolve("nd.npy");
        Npy.write(p, new long[] {5, 2, 3}, data);
        NpyArray a = Npy.read(p);
        assertEquals(5, a.rows());
        assertEquals(6, a.cols());
        DenseMatrix block = a.toMatrix(2, 4);
        assertEquals(2, block.rows());
        assertEquals(6, block.cols());
        assertEquals(12.0, block.get(0, 0));
        assertEquals(23.0, block.get(1, 5));
        assertEquals(0, a.toMatrix(3, 3).rows());
        assertThrows(IndexOutOfBoundsException.class, () -> a.toMatrix(4, 6));
    }

    @Test
    void integralConversionsCheckValues() {
        NpyArray whole = NpyArray.of(new long[] {2, 2}, new double[] {1, -2, 3e9, 4});
        assertArrayEquals(new long[] {1, -2, 3_000_000_000L, 4}, whole.toLongArray());
        Fixtures.assertDataError(null, whole::toIntArray, "element 2", "index [1, 0]", "does not fit a 32-bit int");

        NpyArray frac = NpyArray.of(new double[] {1, 2.5});
        Fixtures.assertDataError(null, frac::toIntArray, "element 1", "2.5", "is not an integer");
        Fixtures.assertDataError(null, frac::toLongArray, "is not an integer");
        NpyArray nan = NpyArray.of(new double[] {Double.NaN});
        assertThrows(DataException.class, nan::toIntArray);

        NpyArray big = NpyArray.of(new long[] {1, 1L << 40});
        Fixtures.assertDataError(null, big::toIntArray, "1099511627776", "does not fit a 32-bit int");

        assertArrayEquals(new boolean[] {true, false}, NpyArray.of(new int[] {1, 0}).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true}, NpyArray.of(new double[] {0, 1}).toBooleanArray());
        Fixtures.assertDataError(null, NpyArray.of(new int[] {1, 2})::toBooleanArray, "element 1", "not a boolean");
    }

    @Test
    void factoriesValidateShapes() {
        assertThrows(IllegalArgumentException.class, () -> NpyArray.of(new long[] {2, 2}, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> NpyArray.of(new long[] {-1}, new double[0]));
        NpyArray a = NpyArray.of(new DenseMatrix(2, 3));
        assertEquals(NpyDtype.FLOAT64, a.dtype());
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertFalse(a.fortranOrder());
        assertEquals(null, a.source());
        assertEquals("NpyArray(float64, shape=(2, 3))", a.toString());
    }

    @Test
    void headerEncodingMatchesNumpyLayout() {
        byte[] h = NpyHeader.encode(NpyDtype.FLOAT64, false, new long[] {3, 4});
        assertEquals(128, h.length);
        assertEquals('\n', h[h.length - 1]);
        // a shape needing a huge header still aligns to 64 bytes
        long[] many = new long[64];
        java.util.Arrays.fill(many, 1);
        assertEquals(0, NpyHeader.encode(NpyDtype.UINT8, false, many).length % 64);
    }
}
