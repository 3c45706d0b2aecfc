package org.exemplar.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.MappedDots;

/**
 * The exact top-k scan of an rps-l2 index: score_i = s alpha_{i c} f_i^T f_t for every stored row (Yeh et al. 2018,
 * Thm 3.1; s = -1 for class 0 of a one-output model), the rows split over the cores in contiguous ranges, each range
 * read in cache-sized blocks bulk-copied from the mapping and multiplied with all queries of a batch by one BLAS call
 * (gemv for one query, gemm for a batch), so one pass over the memory serves the batch.
 *
 * <p>float64 rows: dgemv/dgemm on the stored values, the scores are final. float32 rows: the stored floats are
 * multiplied with the query rounded to float by sgemv/sgemm (float accumulation: half the bytes and twice the lanes
 * of the double path, which keeps the pass memory-bound), keeping {@code 2k + 16} candidates per list; the candidates
 * are then re-scored in double from the mapped rows and the top k of them returned only when a rounding-error bound
 * proves no other row can enter: every row left out has an approximate score at most T (the worst candidate's, or 0
 * when the list is not full), and |approximate - double| &lt;= delta = (gamma_p (1 + u) + u + 2 gamma64_p) |alpha_ic|
 * ||f_i|| ||f_t|| (u = 2^-24, gamma_p = p u / (1 - p u): Higham, Accuracy and Stability, Sec. 3.1, for any summation
 * order; the query's rounding adds u; the double re-scoring 2 gamma64_p), bounded per class by
 * max_i |alpha_ic| ||f_i|| (computed once, on the first screened query). So the k-th re-scored candidate must beat
 * T + delta (supporting; T - delta for opposing). A list that cannot be certified (near ties at the boundary, fewer
 * than k nonzero scores) is recomputed by the double pass (float32 rows widened to double), so the answer is always
 * the double-arithmetic ranking; {@link Result#fallbacks()} counts how often that happened.
 *
 * <p>Kernel: when the JVM has the Vector API ({@link MappedDots#available()}) and a batch has at most
 * {@link MappedDots#MAX_QUERIES} queries, the rows are multiplied in place, straight from the mapping, by
 * {@link MappedDots} (float accumulation for float32 rows, double for float64 rows): one read of each row and no
 * copy (ServerBench, 1,000,000 x 512, 2 threads: 1.2-1.35x the time of reading the bytes at the best measured
 * bandwidth, against 2.2-2.5x for the copied blocks; docs/benchmarks.md). Otherwise (larger batches, where gemm's
 * register blocking pays for the copy, or no Vector API) blocks are copied to the heap and multiplied by BLAS as
 * above. Both kernels obey the same rounding-error bound, so the certificate is the same.
 */
public final class RowScan {
    /** Rows per block for float32 rows (256 x 512 floats = 512 KB, half of a 1 MB L2). */
    static final int FLOAT_BLOCK = 256;
    /** Rows per block for float64 rows. */
    static final int DOUBLE_BLOCK = 128;
    /** Fewest rows worth a task of their own. */
    static final int MIN_ROWS_PER_TASK = 32_768;
    private static final double U32 = Math.ulp(1.0f) / 2;
    private static final double U64 = Math.ulp(1.0) / 2;

    private static volatile ExecutorService pool;

    private final MappedRows keys;
    private final double[] alpha;
    private final int outputs;
    private final int minRowsPerTask;
    private final boolean inPlace;
    private volatile double[] maxKeyNorm;   // per column: max_i |alpha_ic| ||f_i|| (float32 screening)

    /**
     * @param keys    the stored rows F (n x p)
     * @param alpha   n x c, row-major
     * @param outputs c
     */
    public RowScan(MappedRows keys, double[] alpha, int outputs) {
        this(keys, alpha, outputs, MIN_ROWS_PER_TASK, MappedDots.available());
    }

    /**
     * As above, with the fewest rows per parallel task (small in tests, to exercise the split) and the kernel
     * (inPlace: {@link MappedDots} for small batches, which needs the Vector API; false: copied blocks and BLAS).
     */
    RowScan(MappedRows keys, double[] alpha, int outputs, int minRowsPerTask, boolean inPlace) {
        if (inPlace && !MappedDots.available()) {
            throw new IllegalStateException(MappedDots.notice());
        }
        if ((long) keys.rows() * outputs != alpha.length) {
            throw new IllegalArgumentException(alpha.length + " alpha values for " + keys.rows() + " rows x " + outputs);
        }
        this.keys = keys;
        this.alpha = alpha;
        this.outputs = outputs;
        this.minRowsPerTask = minRowsPerTask;
        this.inPlace = inPlace;
    }

    /** The kernel a batch of nq queries runs on: "in-place SIMD" or "BLAS on copied blocks". */
    public String kernel(int nq) {
        return inPlace(nq) ? "in-place SIMD (Vector API)" : "BLAS on copied blocks";
    }

    private boolean inPlace(int nq) {
        return inPlace && nq <= MappedDots.MAX_QUERIES;
    }

    /**
     * The ranked lists of a batch.
     *
     * @param supporting per query, the k largest positive scores (ties by the smaller id)
     * @param opposing   per query, the k most negative
     * @param sums       per query, the sum of all n scores (approximate in float when screened)
     * @param fallbacks  queries whose float32 screening could not be certified and were recomputed in double
     */
    public record Result(List<List<RankedPoint>> supporting, List<List<RankedPoint>> opposing, double[] sums,
                         int fallbacks) {
    }

    /** Cores used by default (all). */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Exact top-k of a batch: queries qs (each of length p), explained column col[q], sign scale[q] (+1 or -1).
     *
     * @param threads at most this many ranges scanned at once (1 = on the caller's thread only)
     * @param screen  float32 rows: screen in float and certify (see the class comment); false = the double pass
     */
    public Result topK(double[][] qs, int[] col, double[] scale, int k, int threads, boolean screen) {
        int nq = qs.length;
        if (!keys.float32() || !screen || nq == 0 || k == 0) {
            Pass p = pass(qs, col, scale, k, false, threads);
            return new Result(p.supporting(), p.opposing(), p.sums, 0);
        }
        double[] m = maxKeyNorm(threads);
        int cap = 2 * k + 16;
        Pass p = pass(qs, col, scale, cap, true, threads);
        int p1 = keys.cols();
        double gamma32 = p1 * U32 / (1 - p1 * U32);
        double gamma64 = p1 * U64 / (1 - p1 * U64);
        double g = (gamma32 * (1 + U32) + U32 + 2 * gamma64) * 1.01;
        List<List<RankedPoint>> sup = new ArrayList<>();
        List<List<RankedPoint>> opp = new ArrayList<>();
        List<Integer> redo = new ArrayList<>();
        double[] row = new double[keys.cols()];
        for (int q = 0; q < nq; q++) {
            double qn = 0;
            for (double v : qs[q]) {
                qn += v * v;
            }
            double delta = g * m[col[q]] * Math.sqrt(qn) * (1 + 1e-12);
            List<RankedPoint> s = certify(p.heaps[q].supporting(), cap, k, qs[q], col[q], scale[q], delta, true, row);
            List<RankedPoint> o = certify(p.heaps[q].opposing(), cap, k, qs[q], col[q], scale[q], delta, false, row);
            sup.add(s);
            opp.add(o);
            if (s == null || o == null) {
                redo.add(q);
            }
        }
        if (!redo.isEmpty()) {
            double[][] rq = new double[redo.size()][];
            int[] rc = new int[rq.length];
            double[] rs = new double[rq.length];
            for (int r = 0; r < rq.length; r++) {
                rq[r] = qs[redo.get(r)];
                rc[r] = col[redo.get(r)];
                rs[r] = scale[redo.get(r)];
            }
            Pass e = pass(rq, rc, rs, k, false, threads);
            for (int r = 0; r < rq.length; r++) {
                sup.set(redo.get(r), e.heaps[r].supporting());
                opp.set(redo.get(r), e.heaps[r].opposing());
            }
        }
        return new Result(sup, opp, p.sums, redo.size());
    }

    /** The re-scored top k of the candidates, or null when the error bound cannot rule out the rows left out. */
    private List<RankedPoint> certify(List<RankedPoint> cand, int cap, int k, double[] f, int c, double s, double delta,
                                      boolean positive, double[] row) {
        double t = cand.size() == cap ? cand.get(cap - 1).score() : 0.0;
        List<RankedPoint> exact = new ArrayList<>(cand.size());
        for (RankedPoint p : cand) {
            double v = exactScore(p.trainIndex(), f, c, s, row);
            if (positive ? v > 0 : v < 0) {
                exact.add(new RankedPoint(p.trainIndex(), v));
            }
        }
        if (exact.size() < k) {
            return null;
        }
        Comparator<RankedPoint> order = positive
                ? Comparator.comparingDouble((RankedPoint p) -> -p.score()).thenComparingInt(RankedPoint::trainIndex)
                : Comparator.comparingDouble(RankedPoint::score).thenComparingInt(RankedPoint::trainIndex);
        exact.sort(order);
        double kth = exact.get(k - 1).score();
        boolean ok = positive ? kth > t + delta : kth < t - delta;
        return ok ? List.copyOf(exact.subList(0, k)) : null;
    }

    /** s alpha_ic f_i^T f in double arithmetic on the stored values (sequential sum). */
    double exactScore(int i, double[] f, int c, double s, double[] row) {
        keys.row(i, row);
        double d = 0;
        for (int j = 0; j < row.length; j++) {
            d += row[j] * f[j];
        }
        return s * alpha[i * outputs + c] * d;
    }

    /** max_i |alpha_ic| ||f_i|| per column c, from one pass over the rows (computed once). */
    double[] maxKeyNorm(int threads) {
        double[] m = maxKeyNorm;
        if (m != null) {
            return m;
        }
        int n = keys.rows();
        int p = keys.cols();
        List<double[]> parts = parallel(n, threads, minRowsPerTask, (from, to) -> {
            double[] out = new double[outputs];
            float[] blk = new float[FLOAT_BLOCK * p];
            for (int i0 = from; i0 < to; ) {
                int b = Math.min(Math.min(FLOAT_BLOCK, to - i0), keys.rowsLeftInChunk(i0));
                keys.copyFloats(i0, blk, b);
                for (int r = 0; r < b; r++) {
                    double nn = 0;
                    for (int j = r * p; j < (r + 1) * p; j++) {
                        nn += (double) blk[j] * blk[j];
                    }
                    double norm = Math.sqrt(nn);
                    for (int c = 0; c < outputs; c++) {
                        out[c] = Math.max(out[c], Math.abs(alpha[(i0 + r) * outputs + c]) * norm);
                    }
                }
                i0 += b;
            }
            return out;
        });
        m = new double[outputs];
        for (double[] x : parts) {
            for (int c = 0; c < outputs; c++) {
                m[c] = Math.max(m[c], x[c]);
            }
        }
        maxKeyNorm = m;
        return m;
    }

    // ------------------------------------------------------------------ the pass

    private static final class Pass {
        final StreamingTopK[] heaps;
        final double[] sums;

        Pass(int nq, int cap) {
            heaps = new StreamingTopK[nq];
            sums = new double[nq];
            for (int q = 0; q < nq; q++) {
                heaps[q] = new StreamingTopK(cap);
            }
        }

        List<List<RankedPoint>> supporting() {
            List<List<RankedPoint>> out = new ArrayList<>();
            for (StreamingTopK h : heaps) {
                out.add(h.supporting());
            }
            return out;
        }

        List<List<RankedPoint>> opposing() {
            List<List<RankedPoint>> out = new ArrayList<>();
            for (StreamingTopK h : heaps) {
                out.add(h.opposing());
            }
            return out;
        }
    }

    /** One pass over all rows into heaps of capacity cap: float (sgemv/sgemm, float32 rows) or double arithmetic. */
    private Pass pass(double[][] qs, int[] col, double[] scale, int cap, boolean inFloat, int threads) {
        int nq = qs.length;
        List<Pass> parts = parallel(keys.rows(), threads, minRowsPerTask, (from, to) -> {
            Pass part = new Pass(nq, cap);
            if (inFloat) {
                scanFloat(qs, col, scale, from, to, part);
            } else {
                scanDouble(qs, col, scale, from, to, part);
            }
            return part;
        });
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Pass all = new Pass(nq, cap);
        for (Pass part : parts) {                  // the heaps' order does not depend on the order of offers
            for (int q = 0; q < nq; q++) {
                for (RankedPoint r : part.heaps[q].supporting()) {
                    all.heaps[q].offer(r.trainIndex(), r.score());
                }
                for (RankedPoint r : part.heaps[q].opposing()) {
                    all.heaps[q].offer(r.trainIndex(), r.score());
                }
                all.sums[q] += part.sums[q];
            }
        }
        return all;
    }

    private void scanFloat(double[][] qs, int[] col, double[] scale, int from, int to, Pass part) {
        int nq = qs.length;
        int p = keys.cols();
        float[] qf = new float[nq * p];
        for (int q = 0; q < nq; q++) {
            for (int j = 0; j < p; j++) {
                qf[q * p + j] = (float) qs[q][j];
            }
        }
        boolean direct = inPlace(nq);
        float[] blk = direct ? null : new float[FLOAT_BLOCK * p];
        float[] res = new float[nq * FLOAT_BLOCK];
        double[] dres = new double[nq * FLOAT_BLOCK];
        for (int i0 = from; i0 < to; ) {
            int m = Math.min(Math.min(FLOAT_BLOCK, to - i0), keys.rowsLeftInChunk(i0));
            if (direct) {             // res (nq x m, query-major) read in place from the mapping
                MappedDots.f32(keys.chunk(i0), keys.byteOffset(i0), m, p, qf, nq, res, m);
            } else {
                keys.copyFloats(i0, blk, m);
                int sub = subRows(nq, p);
                for (int r0 = 0; r0 < m; r0 += sub) {
                    int mm = Math.min(sub, m - r0);
                    if (nq == 1) {    // column-major view: the rows are a p x mm matrix; res = rows^T q
                        Blas.blas().sgemv("T", p, mm, 1f, blk, r0 * p, p, qf, 0, 1, 0f, res, r0, 1);
                    } else {          // res (m x nq, column-major) = rows^T Q^T
                        Blas.blas().sgemm("T", "N", mm, nq, p, 1f, blk, r0 * p, p, qf, 0, p, 0f, res, r0, m);
                    }
                }
            }
            for (int x = 0; x < nq * m; x++) {
                dres[x] = res[x];
            }
            offer(col, scale, i0, m, dres, part);
            i0 += m;
        }
    }

    private void scanDouble(double[][] qs, int[] col, double[] scale, int from, int to, Pass part) {
        int nq = qs.length;
        int p = keys.cols();
        double[] qd = new double[nq * p];
        for (int q = 0; q < nq; q++) {
            System.arraycopy(qs[q], 0, qd, q * p, p);
        }
        boolean direct = !keys.float32() && inPlace(nq);
        double[] blk = direct ? null : new double[DOUBLE_BLOCK * p];
        float[] blkF = keys.float32() ? new float[DOUBLE_BLOCK * p] : null;
        double[] res = new double[nq * DOUBLE_BLOCK];
        for (int i0 = from; i0 < to; ) {
            int m = Math.min(Math.min(DOUBLE_BLOCK, to - i0), keys.rowsLeftInChunk(i0));
            if (direct) {
                MappedDots.f64(keys.chunk(i0), keys.byteOffset(i0), m, p, qd, nq, res, m);
            } else {
                if (blkF != null) {
                    keys.copyFloats(i0, blkF, m);
                    for (int j = 0; j < m * p; j++) {
                        blk[j] = blkF[j];
                    }
                } else {
                    keys.copyDoubles(i0, blk, m);
                }
                int sub = subRows(nq, p);
                for (int r0 = 0; r0 < m; r0 += sub) {
                    int mm = Math.min(sub, m - r0);
                    if (nq == 1) {
                        Blas.blas().dgemv("T", p, mm, 1.0, blk, r0 * p, p, qd, 0, 1, 0.0, res, r0, 1);
                    } else {
                        Blas.blas().dgemm("T", "N", mm, nq, p, 1.0, blk, r0 * p, p, qd, 0, p, 0.0, res, r0, m);
                    }
                }
            }
            offer(col, scale, i0, m, res, part);
            i0 += m;
        }
    }

    /**
     * Rows per BLAS call: few enough that OpenBLAS (0.3.x) runs the call on the calling thread (its gemv goes
     * multi-threaded from m n >= 9216, its gemm from m n k > 262144), so that the scan's own threads, one per core, do
     * not contend for OpenBLAS's thread pool; the copied block stays cache-resident across the calls.
     */
    static int subRows(int nq, int p) {
        long limit = nq == 1 ? 9215 : 262143;
        return (int) Math.max(1, Math.min(FLOAT_BLOCK, limit / ((long) nq * p)));
    }

    /** Scores s alpha_ic dot of rows [i0, i0 + m) (dots column-major m x nq) into the part's heaps and sums. */
    private void offer(int[] col, double[] scale, int i0, int m, double[] dots, Pass part) {
        int c = outputs;
        for (int q = 0; q < col.length; q++) {
            StreamingTopK h = part.heaps[q];
            int j = col[q];
            double sg = scale[q];
            double s = 0;
            int base = q * m;
            for (int r = 0; r < m; r++) {
                double v = sg * alpha[(i0 + r) * c + j] * dots[base + r];
                s += v;
                h.offer(i0 + r, v);
            }
            part.sums[q] += s;
        }
    }

    // ------------------------------------------------------------------ threads

    @FunctionalInterface
    private interface RangeTask<T> {
        T run(int from, int to);
    }

    /** Splits [0, n) into at most {@code threads} contiguous ranges; the caller runs the first, a shared pool the rest. */
    private static <T> List<T> parallel(int n, int threads, int minRows, RangeTask<T> task) {
        int t = Math.max(1, Math.min(threads, n / minRows));
        if (t == 1) {
            return List.of(task.run(0, n));
        }
        int per = (n + t - 1) / t;
        List<Future<T>> futures = new ArrayList<>();
        for (int r = 1; r < t; r++) {
            int from = r * per;
            int to = Math.min(n, from + per);
            futures.add(pool().submit(() -> task.run(from, to)));
        }
        List<T> out = new ArrayList<>();
        out.add(task.run(0, Math.min(n, per)));
        try {
            for (Future<T> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("scan interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (RowScan.class) {
                p = pool;
                if (p == null) {
                    java.util.concurrent.atomic.AtomicInteger id = new java.util.concurrent.atomic.AtomicInteger();
                    p = Executors.newFixedThreadPool(defaultThreads(), r -> {
                        Thread th = new Thread(r, "exemplar-scan-" + id.incrementAndGet());
                        th.setDaemon(true);
                        return th;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }
}
