package org.exemplar.linalg;

/**
 * Orderings of primitive score arrays without boxing: a stable merge sort of an index permutation (O(n log n),
 * no {@code Integer[]}, no comparator objects), for the rankings every attribution method ends in.
 */
public final class Ranking {
    private Ranking() {
    }

    /**
     * Positions 0..n-1 ordered by {@code score} descending; equal scores ordered by {@code tie} ascending (or by
     * position when {@code tie} is null). NaN scores sort last.
     */
    public static int[] descending(double[] score, int[] tie) {
        int n = score.length;
        if (tie != null && tie.length != n) {
            throw new IllegalArgumentException(tie.length + " tie-breakers for " + n + " scores");
        }
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] b = new int[n];
        // bottom-up merge sort; runs of 1 are trivially sorted
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    b[k++] = before(score, tie, a[j], a[i]) ? a[j++] : a[i++];
                }
                while (i < mid) {
                    b[k++] = a[i++];
                }
                while (j < hi) {
                    b[k++] = a[j++];
                }
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    /** Positions ordered by {@code score} ascending; ties by {@code tie} ascending (or position); NaN last. */
    public static int[] ascending(double[] score, int[] tie) {
        double[] negated = new double[score.length];
        for (int i = 0; i < score.length; i++) {
            negated[i] = -score[i];
        }
        return descending(negated, tie);
    }

    /** The first {@code k} positions of {@link #descending(double[], int[])} (all of them when k exceeds n). */
    public static int[] topDescending(double[] score, int k) {
        int[] order = descending(score, null);
        return order.length <= k ? order : java.util.Arrays.copyOf(order, k);
    }

    /** Whether position p must come strictly before position q. */
    private static boolean before(double[] score, int[] tie, int p, int q) {
        double sp = score[p];
        double sq = score[q];
        boolean np = sp != sp;
        boolean nq = sq != sq;
        if (np != nq) {
            return nq;          // NaN last
        }
        if (!np) {
            if (sp > sq) {
                return true;
            }
            if (sp < sq) {
                return false;
            }
        }
        return tie != null ? tie[p] < tie[q] : p < q;
    }
}
