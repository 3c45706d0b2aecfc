package org.exemplar.data;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.exemplar.linalg.DenseMatrix;

/**
 * Numeric CSV input and general CSV output.
 *
 * <p>Reading: comma-separated numbers, one row per line ({@code \n} or {@code \r\n}), UTF-8 with an optional
 * BOM. Fields may be surrounded by spaces or double quotes. {@code nan}, {@code inf}, {@code -inf} (any case)
 * and {@code NaN}/{@code Infinity} are accepted. Lines starting with {@code #} are comments; blank lines are
 * allowed only at the end. An optional header line holds column names. Ragged rows, empty fields and
 * unparsable numbers fail with the 1-based line and column.
 *
 * <p>Writing: RFC 4180 quoting (fields containing a comma, quote, CR or LF are quoted, quotes doubled),
 * {@code \n} line endings, atomic.
 */
public final class Csv {
    private Csv() {
    }

    // -------------------------------------------------------------------------------------------- reading

    /** Reads a numeric CSV; {@code header} says whether the first line holds column names. */
    public static DenseMatrix readMatrix(Path file, boolean header) {
        return read(file, header).data();
    }

    /** Reads a numeric CSV, treating the first line as a header if any of its fields is not a number. */
    public static DenseMatrix readMatrix(Path file) {
        return read(file).data();
    }

    /** Reads a numeric CSV with header autodetection (see {@link #readMatrix(Path)}). */
    public static CsvTable read(Path file) {
        return read(file, null);
    }

    /** Reads a numeric CSV; {@code header} says whether the first line holds column names. */
    public static CsvTable read(Path file, boolean header) {
        return read(file, Boolean.valueOf(header));
    }

    private static CsvTable read(Path file, Boolean header) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
            return parse(in, file, header);
        } catch (CharacterCodingException e) {
            throw new DataException(file, "not valid UTF-8 text", e);
        } catch (IOException e) {
            throw Npy.ioError(file, "cannot read", e);
        }
    }

    private static CsvTable parse(BufferedReader in, Path file, Boolean header) throws IOException {
        List<String> names = List.of();
        boolean first = true;
        int cols = -1;
        int firstDataLine = -1;
        int blankLine = -1;
        double[] data = new double[1024];
        long n = 0;
        int lineNo = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                if (blankLine < 0) {
                    blankLine = lineNo;
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            if (blankLine >= 0) {
                throw new DataException(file, "line " + blankLine + ": blank line inside the data (more rows follow "
                        + "on line " + lineNo + ")");
            }
            List<String> fields = split(line, lineNo, file);
            if (first) {
                first = false;
                boolean isHeader = header != null ? header : !allNumeric(fields);
                if (isHeader) {
                    List<String> h = new ArrayList<>();
                    for (String f : fields) {
                        h.add(f.strip());
                    }
                    names = h;
                    cols = fields.size();
                    continue;
                }
            }
            if (cols < 0) {
                cols = fields.size();
            }
            if (fields.size() != cols) {
                throw new DataException(file, "line " + lineNo + ": ragged row with " + fields.size()
                        + " fields, expected " + cols + (names.isEmpty() ? " (as on line " + firstDataLine + ")"
                        : " (as in the header)"));
            }
            if (firstDataLine < 0) {
                firstDataLine = lineNo;
            }
            if (n + cols > NpyArray.MAX_ARRAY) {
                throw new DataException(file, "line " + lineNo + ": more values than one Java array holds ("
                        + NpyArray.MAX_ARRAY + "); convert the data to .npy and read it in row blocks");
            }
            if (n + cols > data.length) {
                data = Arrays.copyOf(data, (int) Math.min(NpyArray.MAX_ARRAY, Math.max(n + cols, 2L * data.length)));
            }
            for (int j = 0; j < cols; j++) {
                data[(int) n + j] = parseNumber(fields.get(j), file, lineNo, j + 1);
            }
            n += cols;
        }
        int c = Math.max(cols, 0);
        int rows = c == 0 ? 0 : (int) (n / c);
        return new CsvTable(names, new DenseMatrix(rows, c, Arrays.copyOf(data, (int) n)));
    }

    private static boolean allNumeric(List<String> fields) {
        for (String f : fields) {
            if (tryParse(f) == null) {
                return false;
            }
        }
        return true;
    }

    /** Splits one line on commas, honouring double-quoted fields with doubled quotes inside. */
    static List<String> split(String line, int lineNo, Path file) {
        List<String> out = new ArrayList<>();
        if (line.indexOf('"') < 0) {
            int start = 0;
            while (true) {
                int comma = line.indexOf(',', start);
                if (comma < 0) {
                    out.add(line.substring(start));
                    return out;
                }
                out.add(line.substring(start, comma));
                start = comma + 1;
            }
        }
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int len = line.length();
        while (true) {
            while (i < len && line.charAt(i) == ' ') {
                i++;
            }
            if (i < len && line.charAt(i) == '"') {
                int open = i;
                i++;
                while (true) {
                    if (i >= len) {
                        throw new DataException(file, "line " + lineNo + ", column " + (out.size() + 1)
                                + ": unterminated quoted field starting at character " + (open + 1));
                    }
                    char ch = line.charAt(i++);
                    if (ch == '"') {
                        if (i < len && line.charAt(i) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cur.append(ch);
                    }
                }
                while (i < len && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < len && line.charAt(i) != ',') {
                    throw new DataException(file, "line " + lineNo + ", column " + (out.size() + 1)
                            + ": unexpected text after the closing quote at character " + (i + 1));
                }
            } else {
                while (i < len && line.charAt(i) != ',') {
                    cur.append(line.charAt(i++));
                }
            }
            out.add(cur.toString());
            cur.setLength(0);
            if (i >= len) {
                return out;
            }
            i++; // the comma
        }
    }

    private static double parseNumber(String field, Path file, int lineNo, int column) {
        Double v = tryParse(field);
        if (v == null) {
            String f = field.strip();
            throw new DataException(file, "line " + lineNo + ", column " + column + ": "
                    + (f.isEmpty() ? "empty field, expected a number"
                            : "cannot parse '" + shorten(f) + "' as a number"));
        }
        return v;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** The number in {@code field}, or null. Accepts decimal/scientific notation, nan and (+/-)inf(inity). */
    static Double tryParse(String field) {
        String f = field.strip();
        if (f.isEmpty()) {
            return null;
        }
        char c0 = f.charAt(0);
        if (!(Character.isDigit(c0) || c0 == '.' || c0 == '-' || c0 == '+')) {
            switch (f.toLowerCase(java.util.Locale.ROOT)) {
                case "nan":
                    return Double.NaN;
                case "inf":
                case "infinity":
                    return Double.POSITIVE_INFINITY;
                default:
                    return null;
            }
        }
        String low = f.toLowerCase(java.util.Locale.ROOT);
        switch (low) {
            case "+inf":
            case "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf":
            case "-infinity":
                return Double.NEGATIVE_INFINITY;
            case "+nan":
            case "-nan":
                return Double.NaN;
            default:
                break;
        }
        boolean digit = false;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
                return null;
            }
        }
        if (!digit) {
            return null;
        }
        try {
            return Double.parseDouble(f);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // -------------------------------------------------------------------------------------------- writing

    /**
     * Writes a CSV atomically. {@code header} may be {@code null}; otherwise every row must have as many
     * values. Values: {@code null} is written empty, numbers with {@code toString()} (round-trippable),
     * everything else with {@code toString()} and quoted when needed.
     */
    public static void write(Path file, String[] header, List<Object[]> rows) {
        if (header != null) {
            for (int r = 0; r < rows.size(); r++) {
                if (rows.get(r).length != header.length) {
                    throw new IllegalArgumentException("row " + r + " has " + rows.get(r).length
                            + " values but the header has " + header.length + " columns");
                }
            }
        }
        AtomicFiles.write(file, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            if (header != null) {
                writeLine(w, header);
            }
            for (Object[] row : rows) {
                writeLine(w, row);
            }
            w.flush();
        });
    }

    /** Writes a matrix as CSV (header may be {@code null}), atomically. */
    public static void writeMatrix(Path file, String[] header, DenseMatrix m) {
        if (header != null && header.length != m.cols()) {
            throw new IllegalArgumentException("header has " + header.length + " columns, matrix " + m.shapeString());
        }
        AtomicFiles.write(file, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            if (header != null) {
                writeLine(w, header);
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < m.rows(); i++) {
                sb.setLength(0);
                for (int j = 0; j < m.cols(); j++) {
                    if (j > 0) {
                        sb.append(',');
                    }
                    sb.append(m.get(i, j));
                }
                sb.append('\n');
                w.append(sb);
            }
            w.flush();
        });
    }

    private static void writeLine(Writer w, Object[] values) throws IOException {
        for (int j = 0; j < values.length; j++) {
            if (j > 0) {
                w.write(',');
            }
            w.write(format(values[j]));
        }
        w.write('\n');
    }

    /** One field as written: empty for null, quoted if it contains a comma, quote, CR or LF. */
    static String format(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        boolean quote = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                quote = true;
                break;
            }
        }
        if (!quote) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
