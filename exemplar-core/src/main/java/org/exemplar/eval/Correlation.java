package org.exemplar.eval;


/** Pearson and Spearman correlation, computed in float64 with centred sums. */
public final class Correlation {
    private Correlation() {
    }

    /**
     * Pearson's r; NaN when either input is constant (all entries equal) or has fewer than two entries. The
     * centred values are scaled by their largest magnitude before the sums of squares, so r is the same for
     * data of any scale (no overflow or underflow of the squares); the result is clamped to [-1, 1].
     */
    public static double pearson(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length mismatch " + a.length + " vs " + b.length);
        }
        int n = a.length;
        if (n < 2 || isConstant(a) || isConstant(b)) {
            // Tested on the values themselves: the computed mean of a constant need not equal it (three times 0.1
            // averages to 0.10000000000000002), so centred sums would see a spurious, tiny variance.
            return Double.NaN;
        }
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        // Not all entries are equal, so at least one differs from the mean: both scales are > 0 (or NaN).
        double sa = 0;
        double sb = 0;
        for (int i = 0; i < n; i++) {
            sa = Math.max(sa, Math.abs(a[i] - ma));
            sb = Math.max(sb, Math.abs(b[i] - mb));
        }
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = (a[i] - ma) / sa;
            double db = (b[i] - mb) / sb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        double r = sab / Math.sqrt(saa * sbb);
        return Double.isNaN(r) ? r : Math.max(-1.0, Math.min(1.0, r));
    }

    private static boolean isConstant(double[] v) {
        for (double x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }

    /** Spearman's rho: Pearson on average ranks (ties share their mean rank). */
    public static double spearman(double[] a, double[] b) {
        return pearson(ranks(a), ranks(b));
    }

    /** Average ranks (1-based) with ties sharing the mean rank. */
    public static double[] ranks(double[] v) {
        int n = v.length;
        int[] idx = org.exemplar.linalg.Ranking.ascending(v, null);
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = rank;
            }
            i = j + 1;
        }
        return r;
    }
}
