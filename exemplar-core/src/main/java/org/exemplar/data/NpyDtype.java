package org.exemplar.data;

/**
 * The NumPy element types Exemplar reads and writes. Byte order is not part of the dtype here: an array
 * read from a big-endian ({@code '>f8'}) file has dtype {@link #FLOAT64} and is decoded correctly; written
 * files are always little-endian ({@code '<'}), or {@code '|'} for one-byte types, as NumPy writes them on
 * little-endian machines.
 */
public enum NpyDtype {
    /** {@code |b1}, NumPy {@code bool}; one byte, 0 or 1. */
    BOOL('b', 1, "bool"),
    /** {@code |i1}, NumPy {@code int8}. */
    INT8('i', 1, "int8"),
    /** {@code |u1}, NumPy {@code uint8} (MNIST pixels). */
    UINT8('u', 1, "uint8"),
    /** {@code <i2}, NumPy {@code int16}. */
    INT16('i', 2, "int16"),
    /** {@code <u2}, NumPy {@code uint16}. */
    UINT16('u', 2, "uint16"),
    /** {@code <i4}, NumPy {@code int32}. */
    INT32('i', 4, "int32"),
    /** {@code <u4}, NumPy {@code uint32}. */
    UINT32('u', 4, "uint32"),
    /** {@code <i8}, NumPy {@code int64}. */
    INT64('i', 8, "int64"),
    /** {@code <u8}, NumPy {@code uint64}. */
    UINT64('u', 8, "uint64"),
    /** {@code <f4}, NumPy {@code float32}. */
    FLOAT32('f', 4, "float32"),
    /** {@code <f8}, NumPy {@code float64}. */
    FLOAT64('f', 8, "float64");

    private final char kind;
    private final int itemSize;
    private final String numpyName;

    NpyDtype(char kind, int itemSize, String numpyName) {
        this.kind = kind;
        this.itemSize = itemSize;
        this.numpyName = numpyName;
    }

    /** The NumPy kind character: {@code b} (bool), {@code i} (signed), {@code u} (unsigned), {@code f} (float). */
    public char kind() {
        return kind;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The NumPy name, e.g. {@code float64}. */
    public String numpyName() {
        return numpyName;
    }

    /** The descr string written to headers: little-endian ({@code <f8}) or {@code |} for one-byte types. */
    public String descr() {
        return (itemSize == 1 ? "|" : "<") + kind + itemSize;
    }

    /** True for {@link #FLOAT32} and {@link #FLOAT64}. */
    public boolean isFloating() {
        return kind == 'f';
    }

    /** True when every value is exactly representable as a Java {@code int}. */
    public boolean fitsInt() {
        return !isFloating() && (itemSize < 4 || this == INT32);
    }

    /** The dtype with this kind and size, or {@code null}. */
    public static NpyDtype of(char kind, int itemSize) {
        for (NpyDtype d : values()) {
            if (d.kind == kind && d.itemSize == itemSize) {
                return d;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return numpyName;
    }
}
