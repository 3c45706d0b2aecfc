package org.exemplar.data;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;

/**
 * An n-dimensional NumPy array: dtype, shape, memory order and its elements, read from a {@code .npy} file,
 * an {@code .npz} member or an IDX file, or wrapped around Java data for writing.
 *
 * <p>Arrays read from files keep their data in the file's layout (a memory-mapped view for large files) and
 * decode on demand: each accessor converts straight into a new Java array, one copy, honouring byte order
 * and Fortran order. All accessors return elements in C (row-major) order, so a Fortran-order
 * {@code (3, 4)} array yields the same matrix as its C-order equivalent.
 *
 * <p>The instance itself is immutable and safe to read from several threads at once (accessors use absolute
 * buffer reads only). Memory-mapped data stays mapped until the array is garbage-collected; on Windows the
 * file cannot be deleted or replaced meanwhile. The factories {@link #of(DenseMatrix)} etc. wrap the given
 * Java array without copying, so do not modify it while the {@code NpyArray} is in use.
 *
 * <p>As a matrix, axis 0 indexes rows and all trailing axes are flattened into columns: {@code (n,)} is
 * {@code n x 1}, {@code (n, 28, 28)} is {@code n x 784}, a 0-d array is {@code 1 x 1}.
 */
public final class NpyArray {
    /** The largest Java array length that is safe on all JVMs. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int SCRATCH = 8192;

    private final NpyDtype dtype;
    private final ByteOrder byteOrder;
    private final boolean fortranOrder;
    private final long[] shape;
    private final long size;
    private final Elements elements;
    private final Path source;
    private final String member;

    NpyArray(NpyDtype dtype, ByteOrder byteOrder, boolean fortranOrder, long[] shape, Elements elements,
             Path source, String member) {
        this.dtype = dtype;
        this.byteOrder = byteOrder;
        this.fortranOrder = fortranOrder;
        this.shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + NpyHeader.shapeString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        this.size = n;
        if (elements.count() < n || elements.dtype() != dtype) {
            throw new IllegalArgumentException("data holds " + elements.count() + " " + elements.dtype()
                    + " elements, shape " + NpyHeader.shapeString(shape) + " needs " + n + " " + dtype);
        }
        this.elements = elements;
        this.source = source;
        this.member = member;
    }

    // -------------------------------------------------------------------------------------- factories

    /** A 2-D float64 C-order array wrapping {@code m}'s data (no copy). */
    public static NpyArray of(DenseMatrix m) {
        return of(new long[] {m.rows(), m.cols()}, m.data());
    }

    /** A 1-D float64 array wrapping {@code v} (no copy). */
    public static NpyArray of(double[] v) {
        return of(new long[] {v.length}, v);
    }

    /** A 1-D int32 array wrapping {@code v} (no copy). */
    public static NpyArray of(int[] v) {
        return of(new long[] {v.length}, v);
    }

    /** A 1-D int64 array wrapping {@code v} (no copy). */
    public static NpyArray of(long[] v) {
        return of(new long[] {v.length}, v);
    }

    /** A 1-D float32 array wrapping {@code v} (no copy). */
    public static NpyArray of(float[] v) {
        return of(new long[] {v.length}, v);
    }

    /** A 1-D bool array holding {@code v}. */
    public static NpyArray of(boolean[] v) {
        return of(new long[] {v.length}, v);
    }

    /** A float64 C-order array of the given shape wrapping {@code data} (no copy). */
    public static NpyArray of(long[] shape, double[] data) {
        return create(NpyDtype.FLOAT64, shape, data.length, Elements.wrap(data));
    }

    /** A float32 C-order array of the given shape wrapping {@code data} (no copy). */
    public static NpyArray of(long[] shape, float[] data) {
        return create(NpyDtype.FLOAT32, shape, data.length, Elements.wrap(data));
    }

    /** An int32 C-order array of the given shape wrapping {@code data} (no copy). */
    public static NpyArray of(long[] shape, int[] data) {
        return create(NpyDtype.INT32, shape, data.length, Elements.wrap(data));
    }

    /** An int64 C-order array of the given shape wrapping {@code data} (no copy). */
    public static NpyArray of(long[] shape, long[] data) {
        return create(NpyDtype.INT64, shape, data.length, Elements.wrap(data));
    }

    /** An int16 C-order array of the given shape wrapping {@code data} (no copy). */
    public static NpyArray of(long[] shape, short[] data) {
        return create(NpyDtype.INT16, shape, data.length, Elements.wrap(data));
    }

    /** A bool C-order array of the given shape holding {@code data} (copied into bytes). */
    public static NpyArray of(long[] shape, boolean[] data) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = data[i] ? (byte) 1 : 0;
        }
        return create(NpyDtype.BOOL, shape, b.length, Elements.wrap(NpyDtype.BOOL, b));
    }

    /** A uint8 C-order array (bytes read as 0..255) of the given shape wrapping {@code data} (no copy). */
    public static NpyArray ofUint8(long[] shape, byte[] data) {
        return create(NpyDtype.UINT8, shape, data.length, Elements.wrap(NpyDtype.UINT8, data));
    }

    /** An int8 C-order array of the given shape wrapping {@code data} (no copy). */
    public static NpyArray ofInt8(long[] shape, byte[] data) {
        return create(NpyDtype.INT8, shape, data.length, Elements.wrap(NpyDtype.INT8, data));
    }

    /** A 2-D float32 copy of {@code m} (values rounded to float). */
    public static NpyArray ofFloat32(DenseMatrix m) {
        double[] d = m.data();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return of(new long[] {m.rows(), m.cols()}, f);
    }

    private static NpyArray create(NpyDtype dtype, long[] shape, int length, Elements e) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + NpyHeader.shapeString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != length) {
            throw new IllegalArgumentException("shape " + NpyHeader.shapeString(shape) + " has " + n
                    + " elements but the data has " + length);
        }
        return new NpyArray(dtype, ByteOrder.LITTLE_ENDIAN, false, shape, e, null, null);
    }

    // ------------------------------------------------------------------------------------- properties

    /** The shape (a copy); empty for a 0-d array. */
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as ints (a copy); throws if a dimension exceeds {@code Integer.MAX_VALUE}. */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw error("dimension " + i + " of shape " + shapeString() + " does not fit an int");
            }
            s[i] = (int) shape[i];
        }
        return s;
    }

    /** Number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Element type. */
    public NpyDtype dtype() {
        return dtype;
    }

    /** Byte order of the underlying storage (informational; accessors decode either). */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** True when the data is stored column-major; accessors still return row-major results. */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    /** The file this array was read from, or {@code null} for in-memory arrays. */
    public Path source() {
        return source;
    }

    /** Rows as a matrix: {@code shape[0]}, or 1 for a 0-d array. */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Columns as a matrix: the product of the trailing dimensions (1 for 0-d and 1-d arrays). */
    public long cols() {
        long c = 1;
        for (int i = 1; i < shape.length; i++) {
            c *= shape[i];
        }
        return c;
    }

    /** Python-style shape, e.g. {@code (3, 4)}. */
    public String shapeString() {
        return NpyHeader.shapeString(shape);
    }

    Elements elements() {
        return elements;
    }

    String member() {
        return member;
    }

    @Override
    public String toString() {
        return "NpyArray(" + dtype + ", shape=" + shapeString() + (fortranOrder ? ", Fortran order" : "")
                + (source == null ? "" : ", " + source + (member == null ? "" : "[" + member + "]")) + ")";
    }

    // -------------------------------------------------------------------------------------- accessors

    /** The whole array as a row-major matrix (see the class comment for how shapes map to matrices). */
    public DenseMatrix toMatrix() {
        return toMatrix(0, rows());
    }

    /**
     * Rows {@code [rowFrom, rowTo)} (along axis 0) as a row-major matrix; use this to process arrays larger
     * than one Java array in row blocks.
     */
    public DenseMatrix toMatrix(long rowFrom, long rowTo) {
        checkRowRange(rowFrom, rowTo);
        long cols = cols();
        if (cols > MAX_ARRAY) {
            throw error("shape " + shapeString() + " has " + cols + " columns per row, more than one Java array "
                    + "holds (" + MAX_ARRAY + ")");
        }
        if (rowTo - rowFrom > MAX_ARRAY) {
            throw error("shape " + shapeString() + " has more rows than one Java array holds; read it in row "
                    + "blocks with toMatrix(rowFrom, rowTo)");
        }
        int len = blockLength(rowFrom, rowTo);
        double[] out = new double[len];
        forEachRun(rowFrom, rowTo, (s, off, stride, n) -> elements.readDoubles(s, out, off, stride, n));
        return new DenseMatrix((int) (rowTo - rowFrom), (int) cols, out);
    }

    /** All elements in C order as doubles (int64 values beyond 2^53 round). */
    public double[] toDoubleArray() {
        int len = blockLength(0, rows());
        double[] out = new double[len];
        forEachRun(0, rows(), (s, off, stride, n) -> elements.readDoubles(s, out, off, stride, n));
        return out;
    }

    /**
     * All elements in C order as ints. Fails, naming the first offending element, when a value does not
     * fit an int or (for float arrays) is not integral.
     */
    public int[] toIntArray() {
        int len = blockLength(0, rows());
        int[] out = new int[len];
        if (dtype.fitsInt()) {
            forEachRun(0, rows(), (s, off, stride, n) -> elements.readInts(s, out, off, stride, n));
        } else if (dtype.isFloating()) {
            double[] scratch = new double[Math.min(SCRATCH, Math.max(1, len))];
            forEachRun(0, rows(), (s, off, stride, n) -> {
                for (int done = 0; done < n; done += scratch.length) {
                    int m = Math.min(scratch.length, n - done);
                    elements.readDoubles(s + done, scratch, 0, 1, m);
                    for (int k = 0; k < m; k++) {
                        double v = scratch[k];
                        int at = off + (done + k) * stride;
                        if (v != Math.rint(v) || Double.isInfinite(v)) {
                            throw badValue(at, Double.toString(v), "is not an integer");
                        }
                        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                            throw badValue(at, Double.toString(v), "does not fit a 32-bit int");
                        }
                        out[at] = (int) v;
                    }
                }
            });
        } else {
            long[] scratch = new long[Math.min(SCRATCH, Math.max(1, len))];
            boolean unsigned64 = dtype == NpyDtype.UINT64;
            forEachRun(0, rows(), (s, off, stride, n) -> {
                for (int done = 0; done < n; done += scratch.length) {
                    int m = Math.min(scratch.length, n - done);
                    elements.readLongs(s + done, scratch, 0, 1, m);
                    for (int k = 0; k < m; k++) {
                        long v = scratch[k];
                        int at = off + (done + k) * stride;
                        if (v != (int) v || (unsigned64 && v < 0)) {
                            throw badValue(at, unsigned64 ? Long.toUnsignedString(v) : Long.toString(v),
                                    "does not fit a 32-bit int");
                        }
                        out[at] = (int) v;
                    }
                }
            });
        }
        return out;
    }

    /**
     * All elements in C order as longs. Fails, naming the first offending element, for non-integral float
     * values or uint64 values above {@code Long.MAX_VALUE}.
     */
    public long[] toLongArray() {
        int len = blockLength(0, rows());
        long[] out = new long[len];
        if (!dtype.isFloating()) {
            forEachRun(0, rows(), (s, off, stride, n) -> elements.readLongs(s, out, off, stride, n));
            if (dtype == NpyDtype.UINT64) {
                for (int i = 0; i < out.length; i++) {
                    if (out[i] < 0) {
                        throw badValue(i, Long.toUnsignedString(out[i]), "does not fit a signed 64-bit long");
                    }
                }
            }
        } else {
            double[] scratch = new double[Math.min(SCRATCH, Math.max(1, len))];
            forEachRun(0, rows(), (s, off, stride, n) -> {
                for (int done = 0; done < n; done += scratch.length) {
                    int m = Math.min(scratch.length, n - done);
                    elements.readDoubles(s + done, scratch, 0, 1, m);
                    for (int k = 0; k < m; k++) {
                        double v = scratch[k];
                        int at = off + (done + k) * stride;
                        if (v != Math.rint(v) || Double.isInfinite(v)) {
                            throw badValue(at, Double.toString(v), "is not an integer");
                        }
                        if (v < -0x1p63 || v >= 0x1p63) {
                            throw badValue(at, Double.toString(v), "does not fit a 64-bit long");
                        }
                        out[at] = (long) v;
                    }
                }
            });
        }
        return out;
    }

    /**
     * All elements in C order as booleans. Bool arrays convert directly (any non-zero byte is true); numeric
     * arrays must contain only 0 and 1, otherwise this fails naming the first other value.
     */
    public boolean[] toBooleanArray() {
        int len = blockLength(0, rows());
        boolean[] out = new boolean[len];
        boolean strict = dtype != NpyDtype.BOOL;
        if (dtype.isFloating()) {
            double[] scratch = new double[Math.min(SCRATCH, Math.max(1, len))];
            forEachRun(0, rows(), (s, off, stride, n) -> {
                for (int done = 0; done < n; done += scratch.length) {
                    int m = Math.min(scratch.length, n - done);
                    elements.readDoubles(s + done, scratch, 0, 1, m);
                    for (int k = 0; k < m; k++) {
                        int at = off + (done + k) * stride;
                        double v = scratch[k];
                        if (v != 0.0 && v != 1.0) {
                            throw badValue(at, Double.toString(v), "is not a boolean (0 or 1)");
                        }
                        out[at] = v == 1.0;
                    }
                }
            });
        } else {
            long[] scratch = new long[Math.min(SCRATCH, Math.max(1, len))];
            forEachRun(0, rows(), (s, off, stride, n) -> {
                for (int done = 0; done < n; done += scratch.length) {
                    int m = Math.min(scratch.length, n - done);
                    elements.readLongs(s + done, scratch, 0, 1, m);
                    for (int k = 0; k < m; k++) {
                        int at = off + (done + k) * stride;
                        long v = scratch[k];
                        if (strict && v != 0 && v != 1) {
                            throw badValue(at, Long.toString(v), "is not a boolean (0 or 1)");
                        }
                        out[at] = v != 0;
                    }
                }
            });
        }
        return out;
    }

    /** The single value of a 0-d (or one-element) array as a double. */
    public double scalar() {
        if (size != 1) {
            throw error("expected a single value, found shape " + shapeString());
        }
        double[] v = new double[1];
        elements.readDoubles(0, v, 0, 1, 1);
        return v[0];
    }

    /** This array in C order with the same dtype: {@code this} if already C order, else a converted copy. */
    NpyArray toCOrder() {
        if (!fortranOrder || shape.length < 2) {
            return this;
        }
        Elements e;
        switch (dtype) {
            case FLOAT64:
                e = Elements.wrap(toDoubleArray());
                break;
            case FLOAT32: {
                double[] d = toDoubleArray();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                e = Elements.wrap(f);
                break;
            }
            case INT32:
                e = Elements.wrap(toIntArray());
                break;
            case INT16: {
                int[] v = toIntArray();
                short[] s = new short[v.length];
                for (int i = 0; i < v.length; i++) {
                    s[i] = (short) v[i];
                }
                e = Elements.wrap(s);
                break;
            }
            case BOOL:
            case INT8:
            case UINT8: {
                int[] v = toIntArray();
                byte[] b = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = (byte) v[i];
                }
                e = Elements.wrap(dtype, b);
                break;
            }
            default: {
                // int64, uint16/32/64: go through long bits
                long[] v = new long[blockLength(0, rows())];
                forEachRun(0, rows(), (s, off, stride, n) -> elements.readLongs(s, v, off, stride, n));
                if (dtype == NpyDtype.INT64) {
                    e = Elements.wrap(v);
                } else {
                    // narrow back to the stored width (values are exact)
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(v.length * dtype.itemSize())
                            .order(ByteOrder.LITTLE_ENDIAN);
                    for (long x : v) {
                        if (dtype.itemSize() == 2) {
                            bb.putShort((short) x);
                        } else if (dtype.itemSize() == 4) {
                            bb.putInt((int) x);
                        } else {
                            bb.putLong(x);
                        }
                    }
                    bb.flip();
                    e = Elements.ofBytes(dtype, ByteOrder.LITTLE_ENDIAN, bb);
                }
                break;
            }
        }
        return new NpyArray(dtype, ByteOrder.LITTLE_ENDIAN, false, shape, e, source, member);
    }

    // -------------------------------------------------------------------------------------- internals

    DataException error(String message) {
        return new DataException(source, (member == null ? "" : "member '" + member + "': ") + message);
    }

    private DataException badValue(int cIndex, String value, String problem) {
        return error("element " + cIndex + " (index " + multiIndex(cIndex) + ") = " + value + " " + problem
                + " (" + dtype + " array of shape " + shapeString() + ")");
    }

    private String multiIndex(long cIndex) {
        if (shape.length == 0) {
            return "()";
        }
        long[] idx = new long[shape.length];
        long rest = cIndex;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return Arrays.toString(idx);
    }

    private void checkRowRange(long rowFrom, long rowTo) {
        if (rowFrom < 0 || rowTo < rowFrom || rowTo > rows()) {
            throw new IndexOutOfBoundsException("row range [" + rowFrom + ", " + rowTo + ") outside [0, "
                    + rows() + ") for shape " + shapeString());
        }
    }

    /** Elements in rows [rowFrom, rowTo); fails when that exceeds one Java array. */
    private int blockLength(long rowFrom, long rowTo) {
        long cols = cols();
        long rows = rowTo - rowFrom;
        if (cols != 0 && rows > MAX_ARRAY / cols) {
            long maxRows = Math.max(1, MAX_ARRAY / cols);
            String what = rowFrom == 0 && rowTo == rows() ? "array of shape " + shapeString()
                    : "rows [" + rowFrom + ", " + rowTo + ") of array of shape " + shapeString();
            throw error(what + " (" + dtype + "): " + rows * cols
                    + " elements, too large for one Java array (max " + MAX_ARRAY + "); read it in row blocks "
                    + "with toMatrix(rowFrom, rowTo) of at most " + maxRows + " rows");
        }
        long n = rows * cols;
        MemoryBudget.requireHeap(source, 8 * n, (member == null ? "" : "member '" + member + "': ")
                + "converting " + n + " elements of the array of shape " + shapeString() + " needs up to");
        return (int) n;
    }

    /** Receives a run of elements contiguous in storage, scattered into the destination with a stride. */
    @FunctionalInterface
    private interface Run {
        void accept(long storageStart, int dstOff, int dstStride, int len);
    }

    /**
     * Enumerates the storage runs covering rows [rowFrom, rowTo) (along axis 0), mapping them to positions
     * in a C-order destination block. C order: one contiguous run. Fortran order: axis 0 is contiguous in
     * storage, so each run covers the selected rows of one column, written with a stride of {@link #cols()}.
     */
    private void forEachRun(long rowFrom, long rowTo, Run run) {
        long cols = cols();
        long nrows = rowTo - rowFrom;
        if (nrows == 0 || cols == 0) {
            return;
        }
        if (!fortranOrder || shape.length < 2) {
            run.accept(rowFrom * cols, 0, 1, (int) (nrows * cols));
            return;
        }
        int nd = shape.length;
        long[] fstride = new long[nd];
        long[] cstride = new long[nd];
        fstride[0] = 1;
        for (int d = 1; d < nd; d++) {
            fstride[d] = fstride[d - 1] * shape[d - 1];
        }
        cstride[nd - 1] = 1;
        for (int d = nd - 2; d >= 0; d--) {
            cstride[d] = cstride[d + 1] * shape[d + 1];
        }
        long[] idx = new long[nd];
        long s = rowFrom;
        long dst = 0;
        for (long r = 0; r < cols; r++) {
            run.accept(s, (int) dst, (int) cols, (int) nrows);
            for (int d = 1; d < nd; d++) {
                idx[d]++;
                s += fstride[d];
                dst += cstride[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                s -= fstride[d] * shape[d];
                dst -= cstride[d] * shape[d];
                idx[d] = 0;
            }
        }
    }
}
