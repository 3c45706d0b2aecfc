package org.exemplar.eval;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Training-point selections for leave-one-out ground truth: a range "A:B" (B exclusive) or a list "i,j,k". */
public final class IndexSelection {
    private IndexSelection() {
    }

    /**
     * The indices {@code s} names among {@code n} points, in the order given: "A:B" is A, A+1, ..., B-1 (A
     * defaults to 0 and B to n when blank); "i,j,k" is that list.
     *
     * @param option the option name used in error messages, e.g. "--loo-indices"
     * @throws IllegalArgumentException for a malformed, empty or out-of-range selection
     */
    public static int[] parse(String s, int n, String option) {
        int[] idx;
        try {
            if (s.contains(":")) {
                String[] p = s.split(":", -1);
                if (p.length != 2) {
                    throw new IllegalArgumentException("bad " + option + " range '" + s + "' (expected A:B)");
                }
                int a = p[0].isBlank() ? 0 : Integer.parseInt(p[0].trim());
                int b = p[1].isBlank() ? n : Integer.parseInt(p[1].trim());
                if (a < 0 || b > n || a >= b) {
                    throw new IllegalArgumentException(option + " range " + s + " is empty or outside [0, " + n + ")");
                }
                idx = IntStream.range(a, b).toArray();
            } else {
                idx = Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + option + " '" + s + "': " + e.getMessage());
        }
        for (int i : idx) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(option + " entry " + i + " outside [0, " + n + ")");
            }
        }
        return idx;
    }
}
