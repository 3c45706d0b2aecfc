package org.exemplar.data;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.exemplar.linalg.CsrMatrix;

/**
 * svmlight / LIBSVM text format: one example per line, {@code label [qid:Q] index:value ...  [# comment]}, indices
 * 1-based and strictly increasing. Read into CSR (column j-1 for index j); written back in the same convention.
 * Every malformed line is reported with its line number.
 */
public final class SvmLight {
    private SvmLight() {
    }

    /** Reads a file; the number of columns is the largest index seen. */
    public static SparseData read(Path file) {
        return read(file, -1);
    }

    /**
     * Reads a file with a fixed number of columns ({@code -1}: the largest index seen), e.g. to give a test set the
     * training set's width.
     */
    public static SparseData read(Path file, int columns) {
        IntList ptr = new IntList();
        ptr.add(0);
        IntList idx = new IntList();
        DoubleList val = new DoubleList();
        DoubleList labels = new DoubleList();
        LongList qids = new LongList();
        boolean anyQid = false;
        int maxIndex = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                int hash = line.indexOf('#');
                String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (body.isEmpty()) {
                    continue;
                }
                String[] tok = body.split("\\s+");
                labels.add(parseDouble(tok[0], file, lineNo, "label"));
                int start = 1;
                long qid = -1;
                if (tok.length > 1 && tok[1].startsWith("qid:")) {
                    qid = parseLong(tok[1].substring(4), file, lineNo);
                    anyQid = true;
                    start = 2;
                }
                qids.add(qid);
                int prev = 0;
                for (int t = start; t < tok.length; t++) {
                    int colon = tok[t].indexOf(':');
                    if (colon <= 0) {
                        throw new DataException(file, "line " + lineNo + ": expected index:value, got '" + tok[t] + "'");
                    }
                    int index;
                    try {
                        index = Integer.parseInt(tok[t].substring(0, colon));
                    } catch (NumberFormatException e) {
                        throw new DataException(file, "line " + lineNo + ": bad feature index '"
                                + tok[t].substring(0, colon) + "'");
                    }
                    if (index < 1) {
                        throw new DataException(file, "line " + lineNo + ": feature index " + index
                                + " is not >= 1 (svmlight indices are 1-based)");
                    }
                    if (index <= prev) {
                        throw new DataException(file, "line " + lineNo + ": feature indices must increase, " + index
                                + " follows " + prev);
                    }
                    if (columns >= 0 && index > columns) {
                        throw new DataException(file, "line " + lineNo + ": feature index " + index + " exceeds the "
                                + columns + " columns expected");
                    }
                    if (index > maxIndex && columns < 0) {
                        MemoryBudget.requireDimension(file, index, "line " + lineNo + ": feature index " + index,
                                "columns");
                    }
                    double v = parseDouble(tok[t].substring(colon + 1), file, lineNo, "value of feature " + index);
                    if (!Double.isFinite(v)) {
                        throw new DataException(file, "line " + lineNo + ": value of feature " + index + " is " + v);
                    }
                    prev = index;
                    maxIndex = Math.max(maxIndex, index);
                    if (v != 0) {
                        idx.add(index - 1);
                        val.add(v);
                    }
                }
                ptr.add(idx.size);
            }
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
        int cols = columns >= 0 ? columns : maxIndex;
        CsrMatrix x = new CsrMatrix(ptr.size - 1, cols, ptr.toArray(), idx.toArray(), val.toArray());
        return new SparseData(x, labels.toArray(), anyQid ? qids.toArray() : null);
    }

    /** Writes a data set atomically (shortest round-trip representation of every double). */
    public static void write(Path file, SparseData data) {
        CsrMatrix x = data.features();
        AtomicFiles.write(file, out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            for (int i = 0; i < x.rows(); i++) {
                w.write(format(data.labels()[i]));
                if (data.queryIds() != null) {
                    w.write(" qid:" + data.queryIds()[i]);
                }
                for (int k = x.indptr()[i]; k < x.indptr()[i + 1]; k++) {
                    w.write(' ');
                    w.write(Integer.toString(x.indices()[k] + 1));
                    w.write(':');
                    w.write(format(x.values()[k]));
                }
                w.write('\n');
            }
            w.flush();
        });
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v).toLowerCase(Locale.ROOT);
    }

    private static double parseDouble(String s, Path file, int line, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new DataException(file, "line " + line + ": " + what + " '" + s + "' is not a number");
        }
    }

    private static long parseLong(String s, Path file, int line) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new DataException(file, "line " + line + ": qid '" + s + "' is not an integer");
        }
    }

    static final class IntList {
        int[] a = new int[1024];
        int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    static final class DoubleList {
        double[] a = new double[1024];
        int size;

        void add(double v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    static final class LongList {
        long[] a = new long[1024];
        int size;

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
