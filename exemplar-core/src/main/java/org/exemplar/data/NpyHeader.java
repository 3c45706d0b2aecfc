package org.exemplar.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parsed header of a {@code .npy} file (NumPy NEP 1, format versions 1.0, 2.0 and 3.0): dtype, byte
 * order, memory order, shape and where the data starts. {@link Npy#readHeader(java.nio.file.Path)} reads one
 * without touching the data.
 *
 * <p>The header is a Python dict literal such as
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}; the parser accepts the keys in any
 * order, single or double quotes, arbitrary spaces, trailing commas, {@code ()} and {@code (5,)} shapes and
 * Python 2 long suffixes ({@code (5L,)}).
 */
public final class NpyHeader {
    /** The six magic bytes every {@code .npy} file starts with: {@code \x93NUMPY}. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Data starts at a multiple of this many bytes, as NumPy writes it. */
    static final int ALIGN = 64;
    /** NumPy pads the header so the first axis can grow to this many digits in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    static final int MAX_HEADER_BYTES = 1 << 24;

    private final int majorVersion;
    private final int minorVersion;
    private final NpyDtype dtype;
    private final ByteOrder byteOrder;
    private final boolean fortranOrder;
    private final long[] shape;
    private final long size;
    private final long dataOffset;

    NpyHeader(int majorVersion, int minorVersion, NpyDtype dtype, ByteOrder byteOrder, boolean fortranOrder,
              long[] shape, long size, long dataOffset) {
        this.majorVersion = majorVersion;
        this.minorVersion = minorVersion;
        this.dtype = dtype;
        this.byteOrder = byteOrder;
        this.fortranOrder = fortranOrder;
        this.shape = shape.clone();
        this.size = size;
        this.dataOffset = dataOffset;
    }

    /** Format version, e.g. {@code "1.0"}. */
    public String version() {
        return majorVersion + "." + minorVersion;
    }

    /** Major format version (1, 2 or 3). */
    public int majorVersion() {
        return majorVersion;
    }

    /** Element type. */
    public NpyDtype dtype() {
        return dtype;
    }

    /** Byte order of the stored data. */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** True when the data is stored in column-major (Fortran) order. */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    /** The shape (a copy); empty for a 0-d array. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /** Number of elements (product of the shape; 1 for a 0-d array). */
    public long size() {
        return size;
    }

    /** Offset of the first data byte from the start of the file (or npz member). */
    public long dataOffset() {
        return dataOffset;
    }

    /** Number of data bytes: {@code size() * dtype().itemSize()}. */
    public long dataBytes() {
        return size * dtype.itemSize();
    }

    @Override
    public String toString() {
        return "NpyHeader(v" + version() + ", " + (byteOrder == ByteOrder.BIG_ENDIAN ? ">" : "<") + dtype
                + ", shape=" + shapeString(shape) + (fortranOrder ? ", Fortran order" : "") + ")";
    }

    /** Python-style shape string: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    static String shapeString(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** Product of the shape; throws when it overflows a long. */
    static long checkedSize(long[] shape, int itemSize, Path file, String where) {
        long n = 1;
        try {
            for (long d : shape) {
                if (d < 0) {
                    throw new DataException(file, where + "negative dimension in shape " + shapeString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            Math.multiplyExact(n, (long) itemSize);
        } catch (ArithmeticException e) {
            throw new DataException(file, where + "shape " + shapeString(shape)
                    + " is too large: the number of elements (or bytes) overflows a 64-bit integer");
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------ encoding

    /**
     * The complete header (magic, version, length, dict, padding, newline) exactly as
     * {@code numpy.lib.format.write_array} writes it: version 1.0 unless the header needs more than
     * 65535 bytes, sorted keys, spare spaces for growing the first (C) or last (Fortran) axis, and padding
     * so the data starts at a multiple of 64 bytes.
     */
    static byte[] encode(NpyDtype dtype, boolean fortranOrder, long[] shape) {
        StringBuilder dict = new StringBuilder();
        dict.append("{'descr': '").append(dtype.descr()).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': ").append(shapeString(shape))
                .append(", }");
        if (shape.length > 0) {
            long growth = shape[fortranOrder ? shape.length - 1 : 0];
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(growth).length())));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = text.length + 1; // + '\n'
        int lenBytes = 2;
        int major = 1;
        int padlen = ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ALIGN);
        if (hlen + padlen > 0xFFFF) {
            major = 2;
            lenBytes = 4;
            padlen = ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ALIGN);
        }
        int headerLen = hlen + padlen;
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + lenBytes + headerLen).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (lenBytes == 2) {
            out.putShort((short) headerLen);
        } else {
            out.putInt(headerLen);
        }
        out.put(text);
        for (int i = 0; i < padlen; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    // ------------------------------------------------------------------------------------------- parsing

    /** Reads up to {@code len} bytes at {@code pos}; fewer only at end of input. */
    @FunctionalInterface
    interface ByteReader {
        byte[] read(long pos, int len) throws IOException;
    }

    /**
     * Parses the header of an npy stream of {@code total} bytes.
     *
     * @param where prefix for error messages (e.g. {@code "member 'x.npy': "}), may be empty
     */
    static NpyHeader read(ByteReader in, long total, Path file, String where) throws IOException {
        byte[] start = in.read(0, 12);
        int n = start.length;
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= n || start[i] != MAGIC[i]) {
                if (i >= n && n > 0 && i > 0) {
                    throw new DataException(file, where + "not a .npy file: only " + total
                            + " bytes, too short for the 10-byte .npy preamble");
                }
                String hint = n >= 4 && start[0] == 'P' && start[1] == 'K' && start[2] == 3 && start[3] == 4
                        ? " (this is a zip archive; an .npz file is read with Npz.read)" : "";
                throw new DataException(file, where + "not a .npy file: bad magic " + hex(start, 6)
                        + ", expected 93 4e 55 4d 50 59 (\\x93NUMPY)" + hint);
            }
        }
        if (n < 8) {
            throw new DataException(file, where + "truncated .npy preamble: file has only " + total + " bytes");
        }
        int major = start[6] & 0xFF;
        int minor = start[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new DataException(file, where + "unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        if (n < 8 + lenBytes) {
            throw new DataException(file, where + "truncated .npy preamble: file has only " + total + " bytes");
        }
        long headerLen;
        if (lenBytes == 2) {
            headerLen = (start[8] & 0xFF) | ((start[9] & 0xFF) << 8);
        } else {
            headerLen = ByteBuffer.wrap(start, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new DataException(file, where + "malformed header: declared header length " + headerLen
                    + " bytes is implausibly large");
        }
        long dataOffset = 8 + lenBytes + headerLen;
        byte[] header = in.read(8 + lenBytes, (int) headerLen);
        if (header.length < headerLen) {
            throw new DataException(file, where + "truncated header: declares " + headerLen + " bytes but only "
                    + header.length + " follow the preamble");
        }
        String text = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict;
        try {
            dict = new DictParser(text).parse();
        } catch (IllegalArgumentException e) {
            throw new DataException(file, where + "malformed header: " + e.getMessage() + " in " + quote(text));
        }
        Set<String> missing = new TreeSet<>(List.of("descr", "fortran_order", "shape"));
        missing.removeAll(dict.keySet());
        if (!missing.isEmpty()) {
            throw new DataException(file, where + "malformed header: missing key(s) " + missing + " in "
                    + quote(text));
        }
        Set<String> extra = new TreeSet<>(dict.keySet());
        extra.removeAll(List.of("descr", "fortran_order", "shape"));
        if (!extra.isEmpty()) {
            throw new DataException(file, where + "malformed header: unexpected key(s) " + extra + " in "
                    + quote(text));
        }
        Object descr = dict.get("descr");
        if (descr instanceof RawList) {
            throw new DataException(file, where + "unsupported dtype: structured/record dtype "
                    + ((RawList) descr).text + "; only plain numeric arrays can be read");
        }
        if (!(descr instanceof String)) {
            throw new DataException(file, where + "malformed header: 'descr' is " + descr + ", not a string");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new DataException(file, where + "malformed header: 'fortran_order' is " + fortran
                    + ", not True/False");
        }
        Object shapeObj = dict.get("shape");
        if (!(shapeObj instanceof long[])) {
            throw new DataException(file, where + "malformed header: 'shape' is " + shapeObj
                    + ", not a tuple of integers");
        }
        long[] shape = (long[]) shapeObj;
        String d = (String) descr;
        ByteOrder order = parseOrder(d);
        NpyDtype dtype = parseDescr(d, file, where);
        long size = checkedSize(shape, dtype.itemSize(), file, where);
        return new NpyHeader(major, minor, dtype, order, (Boolean) fortran, shape, size, dataOffset);
    }

    private static ByteOrder parseOrder(String descr) {
        if (descr.startsWith(">")) {
            return ByteOrder.BIG_ENDIAN;
        }
        if (descr.startsWith("<")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        return ByteOrder.nativeOrder(); // '=', '|' or no prefix
    }

    private static final String SUPPORTED = "|b1, |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8 "
            + "(and their big-endian '>' forms)";

    static NpyDtype parseDescr(String descr, Path file, String where) {
        String s = descr;
        char order = 0;
        if (!s.isEmpty() && "<>|=".indexOf(s.charAt(0)) >= 0) {
            order = s.charAt(0);
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            throw new DataException(file, where + "malformed header: empty dtype descr '" + descr + "'");
        }
        char kind = s.charAt(0);
        String digits = s.substring(1);
        if (kind == 'O') {
            throw new DataException(file, where + "unsupported dtype '" + descr + "': object arrays hold pickled "
                    + "Python objects and cannot be read; save a numeric array (e.g. arr.astype(np.float64))");
        }
        int size = -1;
        if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit) && digits.length() < 6) {
            size = Integer.parseInt(digits);
        }
        NpyDtype dtype = size < 0 ? null : NpyDtype.of(kind == '?' ? 'b' : kind, size);
        if (dtype == null) {
            throw new DataException(file, where + "unsupported dtype '" + descr + "'" + describeKind(kind, size)
                    + "; supported: " + SUPPORTED);
        }
        if (order == '|' && dtype.itemSize() > 1) {
            throw new DataException(file, where + "malformed header: dtype '" + descr
                    + "' has '|' (no byte order) but " + dtype.itemSize() + "-byte elements");
        }
        return dtype;
    }

    private static String describeKind(char kind, int size) {
        switch (kind) {
            case 'c':
                return size > 0 ? " (complex" + size * 8 + ")" : " (complex)";
            case 'f':
                return size == 2 ? " (float16)" : size == 16 ? " (float128 / long double)" : " (float)";
            case 'U':
                return " (unicode string)";
            case 'S':
            case 'a':
                return " (byte string)";
            case 'M':
                return " (datetime64)";
            case 'm':
                return " (timedelta64)";
            case 'V':
                return " (void / raw bytes)";
            default:
                return "";
        }
    }

    private static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.length() == 0 ? "(empty file)" : sb.toString();
    }

    private static String quote(String text) {
        String t = text.strip();
        if (t.length() > 200) {
            t = t.substring(0, 200) + "...";
        }
        return "\"" + t + "\"";
    }

    /** Marker for a list value (a structured dtype descr), kept as text for the error message. */
    static final class RawList {
        final String text;

        RawList(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A tiny parser for the Python literals NumPy headers contain: a dict of string keys to strings,
     * True/False/None, integers and tuples of integers. Lists are captured as text.
     */
    static final class DictParser {
        private final String s;
        private int pos;

        DictParser(String s) {
            this.s = s;
        }

        Map<String, Object> parse() {
            Map<String, Object> out = new LinkedHashMap<>();
            skipWs();
            expect('{');
            while (true) {
                skipWs();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                Object key = value();
                if (!(key instanceof String)) {
                    throw new IllegalArgumentException("dict key " + key + " at offset " + pos + " is not a string");
                }
                skipWs();
                expect(':');
                Object v = value();
                if (out.put((String) key, v) != null) {
                    throw new IllegalArgumentException("duplicate key '" + key + "'");
                }
                skipWs();
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at offset " + pos);
                }
            }
            skipWs();
            if (pos != s.length()) {
                throw new IllegalArgumentException("unexpected text after the closing '}' at offset " + pos);
            }
            return out;
        }

        private Object value() {
            skipWs();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '[') {
                return list();
            }
            if (c == '-' || c == '+' || Character.isDigit(c)) {
                return integer();
            }
            if (Character.isLetter(c)) {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                    pos++;
                }
                String word = s.substring(start, pos);
                switch (word) {
                    case "True":
                        return Boolean.TRUE;
                    case "False":
                        return Boolean.FALSE;
                    case "None":
                        return "None";
                    default:
                        throw new IllegalArgumentException("unexpected word '" + word + "' at offset " + start);
                }
            }
            throw new IllegalArgumentException(c == 0 ? "unexpected end of header"
                    : "unexpected character '" + c + "' at offset " + pos);
        }

        private String string(char quote) {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == quote) {
                    return sb.toString();
                }
                if (c == '\\' && pos < s.length()) {
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private long[] tuple() {
            pos++;
            List<Long> items = new ArrayList<>();
            while (true) {
                skipWs();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                Object v = value();
                if (!(v instanceof Long)) {
                    throw new IllegalArgumentException("shape entry " + v + " is not an integer");
                }
                items.add((Long) v);
                skipWs();
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c != ')') {
                    throw new IllegalArgumentException("expected ',' or ')' at offset " + pos);
                }
            }
            long[] out = new long[items.size()];
            Arrays.setAll(out, items::get);
            return out;
        }

        private RawList list() {
            int start = pos;
            int depth = 0;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '[' || c == '(') {
                    depth++;
                } else if (c == ']' || c == ')') {
                    if (--depth == 0) {
                        return new RawList(s.substring(start, pos));
                    }
                } else if (c == '\'' || c == '"') {
                    pos--;
                    string(c);
                }
            }
            throw new IllegalArgumentException("unterminated list");
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-' || peek() == '+') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            String digits = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++; // Python 2 long literal
            }
            try {
                return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("integer '" + digits + "' out of range");
            }
        }

        private void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at offset " + pos);
            }
            pos++;
        }
    }
}
