package org.exemplar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.linalg.MappedDots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan kernel against an independent computation: every score s alpha_ic f_i^T f_t by a scalar loop in double
 * over the stored values, sorted (larger first, ties by the smaller id), top k kept. float64 rows: same ids in the
 * same order and scores to 1e-12 relative (BLAS sums in another order); float32 rows screened in float: the same
 * double ranking, and a constructed case where float screening alone would miss the true best row (its float score
 * cancels to 0) must be caught by the error bound and recomputed.
 */
class RowScanTest {
    @TempDir
    Path tmp;

    static MappedRows write(Path f, double[][] rows, boolean f32) {
        try (MappedRows.Writer w = new MappedRows.Writer(f, rows.length, rows[0].length, f32)) {
            for (double[] r : rows) {
                w.addRow(r, 0);
            }
        }
        return MappedRows.open(f);
    }

    /** The reference: all n scores by a scalar double loop over the stored values, ranked. */
    static List<RankedPoint> brute(MappedRows keys, double[] alpha, int c, double[] f, int col, double s, int k,
                                   boolean positive) {
        List<RankedPoint> all = new ArrayList<>();
        double[] row = new double[keys.cols()];
        for (int i = 0; i < keys.rows(); i++) {
            keys.row(i, row);
            double d = 0;
            for (int j = 0; j < row.length; j++) {
                d += row[j] * f[j];
            }
            double v = s * alpha[i * c + col] * d;
            if (positive ? v > 0 : v < 0) {
                all.add(new RankedPoint(i, v));
            }
        }
        all.sort(positive
                ? Comparator.comparingDouble((RankedPoint p) -> -p.score()).thenComparingInt(RankedPoint::trainIndex)
                : Comparator.comparingDouble(RankedPoint::score).thenComparingInt(RankedPoint::trainIndex));
        return all.subList(0, Math.min(k, all.size()));
    }

    static double bruteSum(MappedRows keys, double[] alpha, int c, double[] f, int col, double s) {
        double sum = 0;
        double[] row = new double[keys.cols()];
        for (int i = 0; i < keys.rows(); i++) {
            keys.row(i, row);
            double d = 0;
            for (int j = 0; j < row.length; j++) {
                d += row[j] * f[j];
            }
            sum += s * alpha[i * c + col] * d;
        }
        return sum;
    }

    static void assertSame(List<RankedPoint> want, List<RankedPoint> got, double tol) {
        assertEquals(want.stream().map(RankedPoint::trainIndex).toList(),
                got.stream().map(RankedPoint::trainIndex).toList());
        for (int r = 0; r < want.size(); r++) {
            assertEquals(want.get(r).score(), got.get(r).score(), tol * Math.abs(want.get(r).score()), "rank " + r);
        }
    }

    static double[][] gaussian(int n, int d, SplittableRandom g) {
        double[][] x = new double[n][d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                r[j] = g.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void blockedParallelScanEqualsScalarLoop() {
        SplittableRandom g = new SplittableRandom(11);
        int n = 3001;          // not a multiple of either block size
        int d = 37;
        int c = 3;
        double[][] rows = gaussian(n, d, g);
        double[] alpha = new double[n * c];
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] = Math.exp(g.nextGaussian()) * (g.nextBoolean() ? 1 : -1);
        }
        double[][] qs = gaussian(5, d, g);
        int[] col = {0, 2, 1, 1, 0};
        double[] scale = {1, 1, -1, 1, -1};
        int k = 9;
        for (boolean f32 : new boolean[] {false, true}) {
            MappedRows keys = write(tmp.resolve("k" + f32 + ".npy"), rows, f32);
            for (int threads : new int[] {1, 3}) {
              for (boolean inPlace : kernels()) {
                RowScan scan = new RowScan(keys, alpha, c, 500, inPlace);      // 3 ranges when threads = 3
                for (boolean screen : new boolean[] {false, true}) {
                    RowScan.Result r = scan.topK(qs, col, scale, k, threads, screen);      // a batch: gemm
                    for (int q = 0; q < qs.length; q++) {
                        RowScan.Result one = scan.topK(new double[][] {qs[q]}, new int[] {col[q]},   // one: gemv
                                new double[] {scale[q]}, k, threads, screen);
                        String what = "f32 " + f32 + ", threads " + threads + ", screen " + screen + ", query " + q
                                + ", " + scan.kernel(1);
                        List<RankedPoint> sup = brute(keys, alpha, c, qs[q], col[q], scale[q], k, true);
                        List<RankedPoint> opp = brute(keys, alpha, c, qs[q], col[q], scale[q], k, false);
                        assertSame(sup, r.supporting().get(q), 1e-12);
                        assertSame(opp, r.opposing().get(q), 1e-12);
                        assertSame(sup, one.supporting().get(0), 1e-12);
                        assertSame(opp, one.opposing().get(0), 1e-12);
                        double want = bruteSum(keys, alpha, c, qs[q], col[q], scale[q]);
                        // float screening sums float dots: relative error ~ p u ||f|| ||q|| / |sum|, well below 1e-4 here
                        double tol = (f32 && screen ? 1e-4 : 1e-11) * Math.max(1, Math.abs(want));
                        assertEquals(want, r.sums()[q], tol, what);
                        assertEquals(want, one.sums()[0], tol, what);
                        assertEquals(0, one.fallbacks(), "generic data: the error bound certifies every list");
                    }
                    assertEquals(0, r.fallbacks(), "generic data: the error bound certifies every list");
                }
              }
            }
        }
    }

    /** Both kernels where the JVM has the Vector API (in-place SIMD and copied blocks + BLAS), else BLAS only. */
    static boolean[] kernels() {
        return MappedDots.available() ? new boolean[] {true, false} : new boolean[] {false};
    }

    @Test
    void theBuildsTestsRunTheInPlaceKernel() {
        // The default test execution starts the JVM with --add-modules jdk.incubator.vector and says so with
        // -Dexemplar.test.vectorApi=required: a pom or launcher change that drops the module must fail here rather
        // than silently testing (and serving with) the BLAS fallback only. The pure-Java-BLAS execution runs without.
        boolean required = "required".equals(System.getProperty("exemplar.test.vectorApi"));
        boolean resolved = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (required) {
            assertTrue(resolved, "jdk.incubator.vector is not resolved: " + MappedDots.notice());
        }
        assertEquals(resolved, MappedDots.available(), MappedDots.notice());
        MappedRows keys = write(tmp.resolve("one.npy"), new double[][] {{1, 2}}, true);
        RowScan scan = new RowScan(keys, new double[] {1}, 1);
        assertEquals(resolved ? "in-place SIMD (Vector API)" : "BLAS on copied blocks", scan.kernel(1));
        assertEquals("BLAS on copied blocks", scan.kernel(MappedDots.MAX_QUERIES + 1));
    }

    @Test
    void floatScreeningThatWouldMissTheBestRowFallsBackToDouble() {
        // q = (1 + 2^-30, -1) rounds to (1, -1) in float. Row 0 = (2^20, 2^20): double score 2^-10, float score
        // exactly 0, so float screening never offers it. Rows 1..19 = (i 2^-16, 0): small positive scores that fill
        // the 18 candidates of k = 1. Only the error bound (delta ~ 0.5 >> the gaps) tells that row 0 may beat them.
        // Rows 20..39 = (-10 i, 0) give the other list gaps of 10 >> delta, which the bound does certify, so only
        // the list that needs the bound is recomputed.
        int n = 40;
        double[][] rows = new double[n][2];
        rows[0] = new double[] {0x1p20, 0x1p20};
        for (int i = 1; i < 20; i++) {
            rows[i] = new double[] {i * 0x1p-16, 0};
        }
        for (int i = 20; i < n; i++) {
            rows[i] = new double[] {-10.0 * (i - 19), 0};
        }
        double[] alpha = new double[n];
        java.util.Arrays.fill(alpha, 1.0);
        MappedRows keys = write(tmp.resolve("adv.npy"), rows, true);
        for (boolean inPlace : kernels()) {
        RowScan scan = new RowScan(keys, alpha, 1, RowScan.MIN_ROWS_PER_TASK, inPlace);
        double[] q = {1 + 0x1p-30, -1};
        double[] mq = {-q[0], -q[1]};
        RowScan.Result r = scan.topK(new double[][] {q, mq}, new int[] {0, 0}, new double[] {1, 1}, 1, 1, true);
        assertEquals(0, r.supporting().get(0).get(0).trainIndex(), "the row the float screen scores 0 is the best");
        assertEquals(0x1p-10, r.supporting().get(0).get(0).score(), 0x1p-60);
        assertEquals(0, r.opposing().get(1).get(0).trainIndex());
        assertSame(brute(keys, alpha, 1, q, 0, 1, 1, true), r.supporting().get(0), 1e-12);
        assertSame(brute(keys, alpha, 1, mq, 0, 1, 1, false), r.opposing().get(1), 1e-12);
        assertSame(brute(keys, alpha, 1, q, 0, 1, 1, false), r.opposing().get(0), 1e-12);
        assertEquals(2, r.fallbacks(), "both queries recomputed in double");
        // the bound itself: with one list per query uncertifiable, asking only for the certifiable side needs no
        // fallback when the gaps are wide (row 39 = -200 against the 18th candidate -30, delta ~ 0.5)
        assertEquals(39, r.opposing().get(0).get(0).trainIndex());
        }
    }

    @Test
    void exactTiesAtTheBoundaryAreRecomputedAndBrokenBySmallerId() {
        // 200 identical rows and equal alpha: every score ties, so no gap can be certified; the answer is the
        // double pass's, ids 0..k-1
        double[][] rows = new double[200][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new double[] {0.5, -0.25, 1.0};
        }
        double[] alpha = new double[200];
        java.util.Arrays.fill(alpha, 0.3);
        MappedRows keys = write(tmp.resolve("ties.npy"), rows, true);
        for (boolean inPlace : kernels()) {
            RowScan.Result r = new RowScan(keys, alpha, 1, RowScan.MIN_ROWS_PER_TASK, inPlace)
                    .topK(new double[][] {{1, 1, 1}}, new int[] {0}, new double[] {1}, 5, 1, true);
            assertEquals(List.of(0, 1, 2, 3, 4), r.supporting().get(0).stream().map(RankedPoint::trainIndex).toList());
            assertEquals(1, r.fallbacks());
            assertTrue(r.opposing().get(0).isEmpty());
        }
    }
}
