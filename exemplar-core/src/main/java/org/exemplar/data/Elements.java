package org.exemplar.data;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * The flat element storage behind an {@link NpyArray}: a sequence of typed NIO buffers (views of a
 * memory-mapped file, of a heap buffer, or wrapping a Java array), addressed by a {@code long} storage
 * index. Chunks let one array exceed the 2 GiB a single buffer can address. Every read decodes straight
 * into the caller's destination array, honouring the stored byte order.
 */
final class Elements {
    /** Bytes per mapped chunk; a multiple of every item size. */
    static final long CHUNK_BYTES = 1L << 30;

    private final NpyDtype dtype;
    private final long count;
    private final long chunkElems;
    private final Buffer[] views;

    private Elements(NpyDtype dtype, long count, long chunkElems, Buffer[] views) {
        this.dtype = dtype;
        this.count = count;
        this.chunkElems = chunkElems;
        this.views = views;
    }

    /**
     * Elements stored in byte buffers (each positioned at 0, holding {@code chunkElems} elements except
     * possibly the last) with the given byte order.
     */
    static Elements ofBytes(NpyDtype dtype, ByteOrder order, long count, ByteBuffer[] chunks, long chunkElems) {
        Buffer[] views = new Buffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer b = chunks[i].slice().order(order);
            switch (dtype.itemSize()) {
                case 1:
                    views[i] = b;
                    break;
                case 2:
                    views[i] = b.asShortBuffer();
                    break;
                case 4:
                    views[i] = dtype.isFloating() ? b.asFloatBuffer() : b.asIntBuffer();
                    break;
                default:
                    views[i] = dtype.isFloating() ? b.asDoubleBuffer() : b.asLongBuffer();
                    break;
            }
        }
        return new Elements(dtype, count, Math.max(1, chunkElems), views);
    }

    static Elements ofBytes(NpyDtype dtype, ByteOrder order, ByteBuffer single) {
        long n = single.remaining() / dtype.itemSize();
        return ofBytes(dtype, order, n, new ByteBuffer[] {single}, n);
    }

    static Elements wrap(double[] a) {
        return single(NpyDtype.FLOAT64, a.length, DoubleBuffer.wrap(a));
    }

    static Elements wrap(float[] a) {
        return single(NpyDtype.FLOAT32, a.length, FloatBuffer.wrap(a));
    }

    static Elements wrap(int[] a) {
        return single(NpyDtype.INT32, a.length, IntBuffer.wrap(a));
    }

    static Elements wrap(long[] a) {
        return single(NpyDtype.INT64, a.length, LongBuffer.wrap(a));
    }

    static Elements wrap(short[] a) {
        return single(NpyDtype.INT16, a.length, ShortBuffer.wrap(a));
    }

    /** One-byte dtypes (bool, int8, uint8) over a byte array. */
    static Elements wrap(NpyDtype dtype, byte[] a) {
        if (dtype.itemSize() != 1) {
            throw new IllegalArgumentException(dtype + " is not a one-byte dtype");
        }
        return single(dtype, a.length, ByteBuffer.wrap(a));
    }

    private static Elements single(NpyDtype dtype, long n, Buffer view) {
        return new Elements(dtype, n, Math.max(1, n), new Buffer[] {view});
    }

    NpyDtype dtype() {
        return dtype;
    }

    long count() {
        return count;
    }

    private int chunk(long index) {
        return (int) (index / chunkElems);
    }

    // ------------------------------------------------------------------------------------------ doubles

    /** dst[off + k*stride] = element(start + k) as double, k in [0, len). Any dtype. */
    void readDoubles(long start, double[] dst, int off, int stride, int len) {
        long d = off;
        while (len > 0) {
            int ci = chunk(start);
            int co = (int) (start - ci * chunkElems);
            Buffer v = views[ci];
            int n = Math.min(len, v.limit() - co);
            doublesFrom(v, co, dst, (int) d, stride, n);
            start += n;
            d += (long) n * stride;
            len -= n;
        }
    }

    private void doublesFrom(Buffer v, int co, double[] dst, int off, int stride, int n) {
        switch (dtype) {
            case FLOAT64: {
                DoubleBuffer b = (DoubleBuffer) v;
                if (stride == 1) {
                    b.get(co, dst, off, n);
                } else {
                    for (int k = 0; k < n; k++) {
                        dst[off + k * stride] = b.get(co + k);
                    }
                }
                break;
            }
            case FLOAT32: {
                FloatBuffer b = (FloatBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case INT64: {
                LongBuffer b = (LongBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT64: {
                LongBuffer b = (LongBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = unsignedToDouble(b.get(co + k));
                }
                break;
            }
            case INT32: {
                IntBuffer b = (IntBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT32: {
                IntBuffer b = (IntBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFFFFFFFFL;
                }
                break;
            }
            case INT16: {
                ShortBuffer b = (ShortBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT16: {
                ShortBuffer b = (ShortBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFFFF;
                }
                break;
            }
            case INT8: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT8: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFF;
                }
                break;
            }
            case BOOL: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) != 0 ? 1.0 : 0.0;
                }
                break;
            }
            default:
                throw new AssertionError(dtype);
        }
    }

    static double unsignedToDouble(long v) {
        if (v >= 0) {
            return v;
        }
        return ((v >>> 1) | (v & 1)) * 2.0;
    }

    // -------------------------------------------------------------------------------------------- longs

    /** Like {@link #readDoubles} for integer and bool dtypes (uint64 values above 2^63-1 come out negative). */
    void readLongs(long start, long[] dst, int off, int stride, int len) {
        if (dtype.isFloating()) {
            throw new IllegalStateException("readLongs on " + dtype);
        }
        long d = off;
        while (len > 0) {
            int ci = chunk(start);
            int co = (int) (start - ci * chunkElems);
            Buffer v = views[ci];
            int n = Math.min(len, v.limit() - co);
            longsFrom(v, co, dst, (int) d, stride, n);
            start += n;
            d += (long) n * stride;
            len -= n;
        }
    }

    private void longsFrom(Buffer v, int co, long[] dst, int off, int stride, int n) {
        switch (dtype) {
            case INT64:
            case UINT64: {
                LongBuffer b = (LongBuffer) v;
                if (stride == 1) {
                    b.get(co, dst, off, n);
                } else {
                    for (int k = 0; k < n; k++) {
                        dst[off + k * stride] = b.get(co + k);
                    }
                }
                break;
            }
            case INT32: {
                IntBuffer b = (IntBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT32: {
                IntBuffer b = (IntBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFFFFFFFFL;
                }
                break;
            }
            case INT16: {
                ShortBuffer b = (ShortBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT16: {
                ShortBuffer b = (ShortBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFFFF;
                }
                break;
            }
            case INT8: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT8: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFF;
                }
                break;
            }
            case BOOL: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) != 0 ? 1 : 0;
                }
                break;
            }
            default:
                throw new AssertionError(dtype);
        }
    }

    // --------------------------------------------------------------------------------------------- ints

    /** Like {@link #readDoubles} for dtypes whose values all fit an int ({@link NpyDtype#fitsInt()}). */
    void readInts(long start, int[] dst, int off, int stride, int len) {
        if (!dtype.fitsInt()) {
            throw new IllegalStateException("readInts on " + dtype);
        }
        long d = off;
        while (len > 0) {
            int ci = chunk(start);
            int co = (int) (start - ci * chunkElems);
            Buffer v = views[ci];
            int n = Math.min(len, v.limit() - co);
            intsFrom(v, co, dst, (int) d, stride, n);
            start += n;
            d += (long) n * stride;
            len -= n;
        }
    }

    private void intsFrom(Buffer v, int co, int[] dst, int off, int stride, int n) {
        switch (dtype) {
            case INT32: {
                IntBuffer b = (IntBuffer) v;
                if (stride == 1) {
                    b.get(co, dst, off, n);
                } else {
                    for (int k = 0; k < n; k++) {
                        dst[off + k * stride] = b.get(co + k);
                    }
                }
                break;
            }
            case INT16: {
                ShortBuffer b = (ShortBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT16: {
                ShortBuffer b = (ShortBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFFFF;
                }
                break;
            }
            case INT8: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k);
                }
                break;
            }
            case UINT8: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) & 0xFF;
                }
                break;
            }
            case BOOL: {
                ByteBuffer b = (ByteBuffer) v;
                for (int k = 0; k < n; k++) {
                    dst[off + k * stride] = b.get(co + k) != 0 ? 1 : 0;
                }
                break;
            }
            default:
                throw new AssertionError(dtype);
        }
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * Copies elements [start, start+len) in storage order into {@code out} in {@code out}'s byte order
     * (which must have room for {@code len * itemSize} bytes), advancing its position.
     */
    void encode(long start, int len, ByteBuffer out) {
        int size = dtype.itemSize();
        while (len > 0) {
            int ci = chunk(start);
            int co = (int) (start - ci * chunkElems);
            Buffer v = views[ci];
            int n = Math.min(len, v.limit() - co);
            int pos = out.position();
            switch (size) {
                case 1:
                    out.put(((ByteBuffer) v).slice(co, n));
                    break;
                case 2:
                    out.asShortBuffer().put(((ShortBuffer) v).slice(co, n));
                    break;
                case 4:
                    if (dtype.isFloating()) {
                        out.asFloatBuffer().put(((FloatBuffer) v).slice(co, n));
                    } else {
                        out.asIntBuffer().put(((IntBuffer) v).slice(co, n));
                    }
                    break;
                default:
                    if (dtype.isFloating()) {
                        out.asDoubleBuffer().put(((DoubleBuffer) v).slice(co, n));
                    } else {
                        out.asLongBuffer().put(((LongBuffer) v).slice(co, n));
                    }
                    break;
            }
            out.position(pos + n * size);
            start += n;
            len -= n;
        }
    }
}
