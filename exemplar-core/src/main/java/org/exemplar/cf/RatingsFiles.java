package org.exemplar.cf;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.exemplar.data.DataException;
import org.exemplar.data.MemoryBudget;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.linalg.DenseMatrix;

/**
 * Readers for rating data. Ids in MovieLens files are 1-based and become 0-based indices (id - 1); ids in
 * {@code .npy} files are 0-based. Every error names the file, the line (or row) and what is wrong.
 */
public final class RatingsFiles {
    private RatingsFiles() {
    }

    /** MovieLens {@code u.data} for names ending in {@code .data}, {@code .base}, {@code .test}, else {@code .npy}. */
    public static Ratings read(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".npy")) {
            return readNpy(file);
        }
        return readMovieLens(file);
    }

    /**
     * MovieLens {@code u.data}: one rating per line, {@code user item rating [timestamp]} separated by tabs (or
     * any whitespace), 1-based integer ids. Blank lines are skipped. The matrix size is (max user id) x
     * (max item id). A repeated (user, item) pair is an error.
     */
    public static Ratings readMovieLens(Path file) {
        IntList us = new IntList();
        IntList is = new IntList();
        DoubleList vs = new DoubleList();
        Set<Long> seen = new HashSet<>();
        int maxU = 0;
        int maxI = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty()) {
                    continue;
                }
                String[] f = s.split("\\s+");
                if (f.length < 3 || f.length > 4) {
                    throw new DataException(file, "line " + lineNo + ": expected 'user item rating [timestamp]', got "
                            + f.length + " fields: '" + abbreviate(line) + "'");
                }
                int u = parseId(file, lineNo, "user id", f[0]);
                int it = parseId(file, lineNo, "item id", f[1]);
                double v;
                try {
                    v = Double.parseDouble(f[2]);
                } catch (NumberFormatException e) {
                    throw new DataException(file, "line " + lineNo + ": rating '" + f[2] + "' is not a number");
                }
                if (!Double.isFinite(v)) {
                    throw new DataException(file, "line " + lineNo + ": rating '" + f[2] + "' is not finite");
                }
                if (f.length == 4) {
                    try {
                        Long.parseLong(f[3]);
                    } catch (NumberFormatException e) {
                        throw new DataException(file, "line " + lineNo + ": timestamp '" + f[3] + "' is not an integer");
                    }
                }
                if (!seen.add(((long) u << 32) | it)) {
                    throw new DataException(file, "line " + lineNo + ": user " + u + " rated item " + it
                            + " a second time");
                }
                if (u > maxU) {
                    MemoryBudget.requireDimension(file, u, "line " + lineNo + ": user id " + u, "users");
                }
                if (it > maxI) {
                    MemoryBudget.requireDimension(file, it, "line " + lineNo + ": item id " + it, "items");
                }
                us.add(u - 1);
                is.add(it - 1);
                vs.add(v);
                maxU = Math.max(maxU, u);
                maxI = Math.max(maxI, it);
            }
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
        if (vs.size == 0) {
            throw new DataException(file, "holds no ratings");
        }
        return new Ratings(maxU, maxI, us.toArray(), is.toArray(), vs.toArray());
    }

    private static int parseId(Path file, int lineNo, String what, String s) {
        int id;
        try {
            id = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new DataException(file, "line " + lineNo + ": " + what + " '" + s + "' is not an integer");
        }
        if (id < 1) {
            throw new DataException(file, "line " + lineNo + ": " + what + " " + id + " is not a 1-based id (>= 1)");
        }
        return id;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /**
     * Triplets from a {@code .npy} of shape (n, 3): columns user, item (0-based integers, stored as any numeric
     * dtype holding whole numbers) and value. Matrix size = (max user + 1) x (max item + 1) unless larger sizes
     * are given (pass 0 to infer).
     */
    public static Ratings readNpy(Path file, int numUsers, int numItems) {
        NpyArray a = Npy.read(file);
        if (a.ndim() != 2 || a.cols() != 3) {
            throw new DataException(file, "expected shape (n, 3) = (user, item, value) triplets, got " + a.shapeString());
        }
        DenseMatrix m = a.toMatrix();
        int n = m.rows();
        int[] u = new int[n];
        int[] it = new int[n];
        double[] v = new double[n];
        int maxU = -1;
        int maxI = -1;
        Set<Long> seen = new HashSet<>();
        for (int t = 0; t < n; t++) {
            u[t] = wholeIndex(file, t, "user", m.get(t, 0));
            it[t] = wholeIndex(file, t, "item", m.get(t, 1));
            v[t] = m.get(t, 2);
            if (!Double.isFinite(v[t])) {
                throw new DataException(file, "row " + t + ": value " + v[t] + " is not finite");
            }
            if (!seen.add(((long) u[t] << 32) | it[t])) {
                throw new DataException(file, "row " + t + ": (user " + u[t] + ", item " + it[t] + ") appears twice");
            }
            if (u[t] > maxU) {
                MemoryBudget.requireDimension(file, u[t] + 1L, "row " + t + ": user index " + u[t], "users");
            }
            if (it[t] > maxI) {
                MemoryBudget.requireDimension(file, it[t] + 1L, "row " + t + ": item index " + it[t], "items");
            }
            maxU = Math.max(maxU, u[t]);
            maxI = Math.max(maxI, it[t]);
        }
        if (n == 0) {
            throw new DataException(file, "holds no ratings");
        }
        if (numUsers > 0 && maxU >= numUsers || numItems > 0 && maxI >= numItems) {
            throw new DataException(file, "indices up to (" + maxU + ", " + maxI + ") do not fit the " + numUsers
                    + " x " + numItems + " matrix");
        }
        return new Ratings(Math.max(numUsers, maxU + 1), Math.max(numItems, maxI + 1), u, it, v);
    }

    public static Ratings readNpy(Path file) {
        return readNpy(file, 0, 0);
    }

    /**
     * (user, item) pairs from a {@code .npy} of shape (n, 2), 0-based, or (user, item, rating) triples of shape (n, 3)
     * (the shape of a ratings file; the rating is checked to be finite and otherwise not used): returns {users, items}.
     */
    public static int[][] readPairs(Path file) {
        NpyArray a = Npy.read(file);
        if (a.ndim() != 2 || (a.cols() != 2 && a.cols() != 3)) {
            throw new DataException(file, "expected shape (n, 2) = (user, item) pairs or (n, 3) = (user, item, rating) "
                    + "triples, got " + a.shapeString());
        }
        DenseMatrix m = a.toMatrix();
        int[] u = new int[m.rows()];
        int[] it = new int[m.rows()];
        for (int t = 0; t < m.rows(); t++) {
            u[t] = wholeIndex(file, t, "user", m.get(t, 0));
            it[t] = wholeIndex(file, t, "item", m.get(t, 1));
            if (m.cols() == 3 && !Double.isFinite(m.get(t, 2))) {
                throw new DataException(file, "row " + t + ": rating " + m.get(t, 2) + " is not a finite number");
            }
        }
        return new int[][] {u, it};
    }

    /** Writes triplets as an (n, 3) float64 {@code .npy} (0-based ids). */
    public static void writeNpy(Path file, Ratings r) {
        DenseMatrix m = new DenseMatrix(r.size(), 3);
        for (int t = 0; t < r.size(); t++) {
            m.set(t, 0, r.user(t));
            m.set(t, 1, r.item(t));
            m.set(t, 2, r.value(t));
        }
        Npy.write(file, m);
    }

    private static int wholeIndex(Path file, int row, String what, double x) {
        if (!(x >= 0) || x != Math.rint(x) || x > Integer.MAX_VALUE - 1) {
            throw new DataException(file, "row " + row + ": " + what + " index " + x
                    + " is not a non-negative whole number (0-based)");
        }
        return (int) x;
    }

    static final class IntList {
        int[] a = new int[1024];
        int size;

        void add(int x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, 2 * size);
            }
            a[size++] = x;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    static final class DoubleList {
        double[] a = new double[1024];
        int size;

        void add(double x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, 2 * size);
            }
            a[size++] = x;
        }

        double[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
