package org.exemplar.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.index.Direction;
import org.exemplar.index.Explanation;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.RowScan;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.server.ExplanationServer;
import org.exemplar.server.LuceneAnn;
import org.exemplar.server.ServerSettings;

/**
 * Load and accuracy benchmark of the explanation server (issue 13), on loopback, bounded in time. Phases (each
 * skippable): measured read bandwidth; a synthetic n x d rps-l2 index (float64 and float32, ranking agreement);
 * exact in-process latency vs the memory-bandwidth bound; HTTP load (p50/p99, throughput, status counts) at several
 * concurrencies including past saturation (503s); an HNSW graph on a synthetic subset (recall@10, latency); the
 * real MNIST index (exact and ANN: recall@10, latency, HTTP load); a soak with heap samples after GC.
 *
 * <p>Arguments (key=value): work=target/server-bench n=1000000 d=512 seconds=20 annN=100000 mnist=DIR (an index from
 * 'exemplar index build --demo --ann') soak=300 phases=bw,synthetic,ann,mnist,soak; ANN phase: annData=uniform|clustered
 * annM annBeam annThreads annInt8 annEf=40,100 annReuse=true (query a graph built by an earlier run; with seconds > 0 also
 * HTTP load through the ANN path at the first ef).
 */
public final class ServerBench {
    private ServerBench() {
    }

    static final Map<String, String> ARGS = new LinkedHashMap<>();

    static String arg(String k, String def) {
        return ARGS.getOrDefault(k, def);
    }

    static void log(String fmt, Object... a) {
        System.out.printf(Locale.ROOT, fmt + "%n", a);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            int e = a.indexOf('=');
            if (e < 1) {
                throw new IllegalArgumentException("arguments are key=value, got " + a);
            }
            ARGS.put(a.substring(0, e), a.substring(e + 1));
        }
        Path work = Path.of(arg("work", "target/server-bench"));
        Files.createDirectories(work);
        Set<String> phases = new HashSet<>(Arrays.asList(arg("phases", "bw,synthetic,ann,mnist,soak").split(",")));
        int n = Integer.parseInt(arg("n", "1000000"));
        int d = Integer.parseInt(arg("d", "512"));
        int seconds = Integer.parseInt(arg("seconds", "20"));
        log("# ServerBench %s, %d cores, max heap %d MB, java %s", ARGS, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
        double bw = Double.NaN;
        if (phases.contains("bw") || phases.contains("synthetic")) {
            double s1 = bandwidth(1, false);
            double s2 = bandwidth(2, false);
            double v1 = bandwidth(1, true);
            double v2 = bandwidth(2, true);
            bw = Math.max(Math.max(s1, s2), Math.max(v1, v2));
            log("read bandwidth (heap 512 MB, best of 5): scalar long[] sum 1 thread %.2f GB/s, 2 threads %.2f GB/s; "
                    + "Vector API float[] sum 1 thread %.2f GB/s, 2 threads %.2f GB/s; the bound below uses the best, "
                    + "%.2f GB/s", s1 / 1e9, s2 / 1e9, v1 / 1e9, v2 / 1e9, bw / 1e9);
            log("%s; %s", org.exemplar.linalg.MappedDots.notice(), org.exemplar.linalg.Blas.backendNotice());
        }
        if (phases.contains("synthetic")) {
            synthetic(work, n, d, seconds, bw);
        }
        if (phases.contains("ann")) {
            annSynthetic(work, Integer.parseInt(arg("annN", "100000")), d, seconds);
        }
        String mnist = arg("mnist", null);
        if (phases.contains("mnist") || phases.contains("soak")) {
            if (mnist == null || !Files.isDirectory(Path.of(mnist))) {
                log("mnist: skipped (give mnist=DIR, an index from './exemplar index build --demo --out DIR --ann')");
            } else {
                ExplanationIndex idx = ExplanationIndex.open(Path.of(mnist));
                if (phases.contains("mnist")) {
                    mnistPhase(idx, seconds);
                }
                if (phases.contains("soak")) {
                    soak(idx, Integer.parseInt(arg("soak", "300")));
                }
            }
        }
    }

    // ------------------------------------------------------------------ bandwidth

    /** Best of 5 reads of 512 MB of heap split over the threads: a scalar long sum, or a Vector API float sum. */
    static double bandwidth(int threads, boolean vector) throws Exception {
        long bytes = 512L << 20;
        long[][] a = vector ? null : new long[threads][(int) (bytes / 8 / threads)];
        float[][] f = vector ? new float[threads][(int) (bytes / 4 / threads)] : null;
        for (int t = 0; t < threads; t++) {
            if (vector) {
                Arrays.fill(f[t], 3f);
            } else {
                Arrays.fill(a[t], 3L);
            }
        }
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[threads];
            double[] sums = new double[threads];
            for (int t = 0; t < threads; t++) {
                final int tt = t;
                ts[t] = new Thread(() -> sums[tt] = vector ? vectorSum(f[tt]) : sum(a[tt]));
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, bytes / s);
            if (sums[0] == 42) {
                log("unlikely");
            }
        }
        return best;
    }

    /**
     * Best of 5 reads of the last {@code bytes} of an index file (its data), mapped in 1 GiB pieces and summed as floats
     * with the Vector API, split over 1 thread and over all cores: what reading that mapping can reach on this machine,
     * with no arithmetic besides the sum.
     */
    static double mappedReadBandwidth(Path file, long bytes) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long start = ch.size() - bytes;
            List<java.nio.ByteBuffer> pieces = new ArrayList<>();
            for (long off = 0; off < bytes; off += 1L << 30) {
                pieces.add(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, start + off,
                        Math.min(1L << 30, bytes - off)).order(java.nio.ByteOrder.LITTLE_ENDIAN));
            }
            double best = 0;
            for (int threads : new int[] {1, RowScan.defaultThreads()}) {
                for (int rep = 0; rep < 5; rep++) {
                    long t0 = System.nanoTime();
                    List<Thread> ts = new ArrayList<>();
                    double[] sums = new double[threads * pieces.size()];
                    for (int t = 0; t < threads; t++) {
                        final int tt = t;
                        final int nt = threads;
                        Thread th = new Thread(() -> {
                            for (int p = 0; p < pieces.size(); p++) {
                                java.nio.ByteBuffer b = pieces.get(p);
                                int per = (b.limit() / nt) & ~255;
                                int from = tt * per;
                                int to = tt == nt - 1 ? b.limit() : from + per;
                                sums[tt * pieces.size() + p] = vectorSum(b, from, to);
                            }
                        });
                        th.start();
                        ts.add(th);
                    }
                    for (Thread th : ts) {
                        th.join();
                    }
                    best = Math.max(best, bytes / ((System.nanoTime() - t0) / 1e9));
                    if (sums[0] == 42) {
                        log("unlikely");
                    }
                }
            }
            return best;
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static double vectorSum(java.nio.ByteBuffer b, int from, int to) {
        jdk.incubator.vector.VectorSpecies<Float> sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        jdk.incubator.vector.FloatVector s0 = jdk.incubator.vector.FloatVector.zero(sp);
        jdk.incubator.vector.FloatVector s1 = jdk.incubator.vector.FloatVector.zero(sp);
        int w = sp.vectorByteSize();
        int i = from;
        for (; i + 2 * w <= to; i += 2 * w) {
            s0 = s0.add(jdk.incubator.vector.FloatVector.fromByteBuffer(sp, b, i, java.nio.ByteOrder.LITTLE_ENDIAN));
            s1 = s1.add(jdk.incubator.vector.FloatVector.fromByteBuffer(sp, b, i + w, java.nio.ByteOrder.LITTLE_ENDIAN));
        }
        return s0.add(s1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    static double vectorSum(float[] x) {
        jdk.incubator.vector.VectorSpecies<Float> sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        jdk.incubator.vector.FloatVector s0 = jdk.incubator.vector.FloatVector.zero(sp);
        jdk.incubator.vector.FloatVector s1 = jdk.incubator.vector.FloatVector.zero(sp);
        int l = sp.length();
        int i = 0;
        for (; i + 2 * l <= x.length; i += 2 * l) {
            s0 = s0.add(jdk.incubator.vector.FloatVector.fromArray(sp, x, i));
            s1 = s1.add(jdk.incubator.vector.FloatVector.fromArray(sp, x, i + l));
        }
        return s0.add(s1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    static long sum(long[] x) {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        for (int i = 0; i + 3 < x.length; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        return s0 + s1 + s2 + s3;
    }

    // ------------------------------------------------------------------ synthetic

    static void row(long seed, int i, double[] r) {
        SplittableRandom g = new SplittableRandom(seed * 1_000_003L + i);
        for (int j = 0; j < r.length; j++) {
            r[j] = g.nextDouble() * 2 - 1;
        }
    }

    static Path syntheticIndex(Path work, int n, int d, boolean f32, int outputs) {
        Path out = work.resolve("synthetic-" + n + "x" + d + (f32 ? "-f32" : "-f64") + "-c" + outputs);
        if (Files.exists(out.resolve("index.json"))) {
            return out;
        }
        SplittableRandom g = new SplittableRandom(7);
        int[] y = new int[n];
        DenseMatrix alpha = new DenseMatrix(n, outputs);
        for (int i = 0; i < n; i++) {
            y[i] = g.nextInt(outputs == 1 ? 2 : outputs);
            for (int j = 0; j < outputs; j++) {
                // the sign pattern of a fitted softmax / sigmoid layer: positive for the own class, heavy tail
                double m = Math.exp(2 * g.nextGaussian()) * 1e-4;
                alpha.set(i, j, outputs == 1 ? (y[i] == 1 ? m : -m) : (j == y[i] ? m : -m / (outputs - 1)));
            }
        }
        DenseMatrix theta = new DenseMatrix(outputs, d);
        for (int k = 0; k < theta.data().length; k++) {
            theta.data()[k] = g.nextGaussian();
        }
        long t0 = System.nanoTime();
        ExplanationIndex.buildRepresenter(out, n, d, (i, r) -> row(1, i, r), alpha, theta,
                Loss.named(outputs == 1 ? "sigmoid" : "softmax"), y, Map.of("source",
                        "synthetic: uniform(-1, 1) features (seed 1 per row), log-normal alpha with the sign pattern of "
                                + "a fitted layer (seed 7), gaussian Theta; benchmark only"), "synthetic-seed-1-7",
                f32);
        log("built %s in %.1f s", out.getFileName(), (System.nanoTime() - t0) / 1e9);
        return out;
    }

    static double[][] queries(int count, int d, long seed) {
        double[][] q = new double[count][d];
        for (int i = 0; i < count; i++) {
            row(seed, i, q[i]);
        }
        return q;
    }

    static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static void synthetic(Path work, int n, int d, int seconds, double bw) throws Exception {
        Path p64 = syntheticIndex(work, n, d, false, 1);
        Path p32 = syntheticIndex(work, n, d, true, 1);
        ExplanationIndex i64 = ExplanationIndex.open(p64);
        ExplanationIndex i32 = ExplanationIndex.open(p32);
        double[][] q = queries(20, d, 99);
        // ranking agreement: top-10 lists of float32 storage against float64
        int same = 0;
        int lists = 0;
        double worstRel = 0;
        for (double[] f : q) {
            for (int cls = 0; cls < 2; cls++) {
                Explanation a = i64.explain(f, cls, 10, Direction.BOTH);
                Explanation b = i32.explain(f, cls, 10, Direction.BOTH);
                same += ids(a.supporting()).equals(ids(b.supporting())) ? 1 : 0;
                same += ids(a.opposing()).equals(ids(b.opposing())) ? 1 : 0;
                lists += 2;
                for (int r = 0; r < a.supporting().size(); r++) {
                    worstRel = Math.max(worstRel, Math.abs(a.supporting().get(r).score() - b.supporting().get(r).score())
                            / Math.abs(a.supporting().get(r).score()));
                }
            }
        }
        log("float32 vs float64 storage, %d x %d: identical top-10 id lists %d / %d, worst relative score difference "
                + "at equal rank %.2e", n, d, same, lists, worstRel);
        for (ExplanationIndex idx : List.of(i32, i64)) {
            scanLatency(idx, q, bw);
        }
        if (seconds <= 0) {
            return;
        }
        // HTTP load on the float32 index: exact, then past saturation
        try (ExplanationServer s = new ExplanationServer(i32, null, ServerSettings.defaults().withPort(0)
                .withPool(2, 6)).start()) {
            for (int conc : new int[] {1, 2}) {
                load("synthetic-f32 exact", s.port(), featureBodies(q, 10), conc, seconds);
            }
            load("synthetic-f32 exact, past saturation (2 workers + 6 queued)", s.port(), featureBodies(q, 10), 32,
                    seconds);
        }
    }

    static List<Integer> ids(List<RankedPoint> l) {
        return l.stream().map(RankedPoint::trainIndex).toList();
    }

    static void scanLatency(ExplanationIndex idx, double[][] q, double bw) {
        for (double[] f : q) {            // warm the page cache and the JIT (and the screening bound, once)
            idx.explain(f, null, 10, Direction.BOTH);
        }
        double mapped = mappedReadBandwidth(idx.keys().file(), idx.keyBytes());
        if (mapped > bw) {
            log("  read bandwidth of the index file itself (mapped, Vector API sum, best of 1 / %d threads): %.2f GB/s, "
                    + "above the heap probes: the bound below uses it", RowScan.defaultThreads(), mapped / 1e9);
        } else {
            log("  read bandwidth of the index file itself (mapped, Vector API sum): %.2f GB/s", mapped / 1e9);
        }
        bw = Math.max(bw, mapped);
        double bound = idx.keyBytes() / bw * 1e3;
        String prec = idx.metadata().path("precision").asText();
        double[] t = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            long t0 = System.nanoTime();
            idx.explain(q[i], null, 10, Direction.BOTH);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        log("exact scan in process (explain, default: %d threads, %s%s), %s %d x %d (%d MB): p50 %.1f ms, p99 %.1f ms; "
                + "bandwidth bound %.1f ms (best measured read); ratio p50 / bound %.2f", RowScan.defaultThreads(),
                idx.rowScan().kernel(1),
                idx.keys().float32() ? ", float screening + certified double re-scoring" : "", prec, idx.size(),
                idx.dim(), idx.keyBytes() >> 20, pct(t, 0.5), pct(t, 0.99), bound, pct(t, 0.5) / bound);
        // the variants, same run: threads 1 / all, screening on / off (off = the double pass, rows widened)
        RowScan scan = idx.rowScan();
        int[] col = {0};
        for (boolean screen : idx.keys().float32() ? new boolean[] {true, false} : new boolean[] {false}) {
            for (int threads : new int[] {1, RowScan.defaultThreads()}) {
                int fallbacks = 0;
                double[] v = new double[Math.min(10, q.length)];
                for (int i = 0; i < v.length; i++) {
                    long t0 = System.nanoTime();
                    fallbacks += scan.topK(new double[][] {q[i]}, col, new double[] {1}, 10, threads, screen).fallbacks();
                    v[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(v);
                log("  RowScan %s, %d thread(s), %d queries: best %.1f ms (ratio %.2f), p50 %.1f ms (ratio %.2f), max %.1f "
                        + "ms; fallbacks to double %d", screen ? "float screening" : "double pass", threads, v.length,
                        v[0], v[0] / bound, pct(v, 0.5), pct(v, 0.5) / bound, v[v.length - 1], fallbacks);
            }
        }
        if (idx.keys().float32()) {         // agreement of the screened answer with the double pass, list by list
            int same = 0;
            int lists = 0;
            int fb = 0;
            for (double[] f : q) {
                for (double sg : new double[] {1, -1}) {
                    RowScan.Result a = scan.topK(new double[][] {f}, col, new double[] {sg}, 10, RowScan.defaultThreads(), true);
                    RowScan.Result b = scan.topK(new double[][] {f}, col, new double[] {sg}, 10, RowScan.defaultThreads(), false);
                    same += ids(a.supporting().get(0)).equals(ids(b.supporting().get(0))) ? 1 : 0;
                    same += ids(a.opposing().get(0)).equals(ids(b.opposing().get(0))) ? 1 : 0;
                    lists += 2;
                    fb += a.fallbacks();
                }
            }
            log("  float screening vs the double pass, %d queries x 2 classes: identical top-10 id lists %d / %d "
                    + "(fallbacks %d)", q.length, same, lists, fb);
        }
        // batches share one scan: per-query cost by batch size, and the kernel each size runs on (in place up to
        // MappedDots.MAX_QUERIES; run again with -Dexemplar.vector=false for BLAS gemm at every size)
        for (int nb : new int[] {2, 4, 8, 16}) {
            double[][] b = Arrays.copyOf(q, Math.min(nb, q.length));
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                idx.explainBatch(b, null, 10, Direction.BOTH);
                best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
            log("  batch of %d in one scan (%s), best of 3: %.1f ms (%.1f ms per query)", b.length,
                    idx.rowScan().kernel(b.length), best, best / b.length);
        }
    }

    static List<String> featureBodies(double[][] q, int k) {
        List<String> out = new ArrayList<>();
        for (double[] f : q) {
            StringBuilder sb = new StringBuilder("{\"k\":").append(k).append(",\"features\":[");
            for (int j = 0; j < f.length; j++) {
                sb.append(j == 0 ? "" : ",").append(f[j]);
            }
            out.add(sb.append("]}").toString());
        }
        return out;
    }

    /** Closed-loop load: conc threads send bodies round robin for the given seconds; latency of 200s. */
    static void load(String name, int port, List<String> bodies, int conc, int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/explain");
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Map<Integer, LongAdder> status = new ConcurrentHashMap<>();
        List<double[]> lat = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        Thread[] ts = new Thread[conc];
        long t0 = System.nanoTime();
        for (int t = 0; t < conc; t++) {
            double[] mine = new double[1 << 20];
            lat.add(mine);
            ts[t] = new Thread(() -> {
                int c = 0;
                while (System.nanoTime() < end) {
                    String body = bodies.get(Math.floorMod(next.getAndIncrement(), bodies.size()));
                    long s = System.nanoTime();
                    int code;
                    try {
                        code = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        code = -1;
                    }
                    status.computeIfAbsent(code, x -> new LongAdder()).increment();
                    if (code == 200 && c < mine.length - 1) {
                        mine[++c] = (System.nanoTime() - s) / 1e6;
                    }
                    mine[0] = c;
                    if (code == 503) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        List<Double> all = new ArrayList<>();
        for (double[] m : lat) {
            for (int i = 1; i <= (int) m[0]; i++) {
                all.add(m[i]);
            }
        }
        double[] s = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<Integer, Long> st = new java.util.TreeMap<>();
        status.forEach((k, v) -> st.put(k, v.sum()));
        log("HTTP %s, concurrency %d, %.0f s: %d ok, %.1f ok/s, p50 %.2f ms, p99 %.2f ms; statuses %s", name, conc, wall,
                s.length, s.length / wall, s.length == 0 ? Double.NaN : pct(s, 0.5),
                s.length == 0 ? Double.NaN : pct(s, 0.99), st);
    }

    // ------------------------------------------------------------------ ANN

    static double recall(List<RankedPoint> exact, List<RankedPoint> approx) {
        if (exact.isEmpty()) {
            return 1.0;
        }
        Set<Integer> e = new HashSet<>(ids(exact));
        return approx.stream().filter(p -> e.contains(p.trainIndex())).count() / (double) exact.size();
    }

    static void annCompare(String name, ExplanationIndex idx, double[][] q, int[] efs) {
        List<Explanation> exact = new ArrayList<>();
        for (double[] f : q) {
            exact.add(idx.explain(f, null, 10, Direction.BOTH));
        }
        for (int ef : efs) {
            try (LuceneAnn ann = LuceneAnn.open(idx, ef)) {
                for (int i = 0; i < Math.min(20, q.length); i++) {
                    ann.explain(q[i], null, 10, Direction.BOTH);
                }
                double rs = 0;
                double ro = 0;
                double[] t = new double[q.length];
                for (int i = 0; i < q.length; i++) {
                    long t0 = System.nanoTime();
                    Explanation a = ann.explain(q[i], null, 10, Direction.BOTH);
                    t[i] = (System.nanoTime() - t0) / 1e6;
                    rs += recall(exact.get(i).supporting(), a.supporting());
                    ro += recall(exact.get(i).opposing(), a.opposing());
                }
                Arrays.sort(t);
                log("ANN %s, ef %d, %d queries: recall@10 supporting %.4f, opposing %.4f; latency (both lists) p50 %.2f "
                        + "ms, p99 %.2f ms", name, ef, q.length, rs / q.length, ro / q.length, pct(t, 0.5), pct(t, 0.99));
            }
        }
        double[] t = new double[Math.min(q.length, 200)];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            idx.explain(q[i], null, 10, Direction.BOTH);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        log("exact %s in process: p50 %.2f ms, p99 %.2f ms", name, pct(t, 0.5), pct(t, 0.99));
    }

    /**
     * Embedding-like rows: a mixture of 100 clusters with centres N(0, I) / 2, each point its centre plus a
     * 32-dimensional latent N(0, I) through one fixed random 512 x 32 basis (scale 1 / sqrt 32), plus isotropic noise
     * N(0, 0.1^2 I): low intrinsic dimension and cluster structure, as penultimate-layer features have. Pure
     * uniform noise in 512 dimensions (row) is the worst case for a graph index.
     */
    static void clusteredRow(long seed, int i, double[] r) {
        int d = r.length;
        int latent = 32;
        SplittableRandom g = new SplittableRandom(seed * 1_000_003L + i);
        int cluster = g.nextInt(100);
        SplittableRandom cg = new SplittableRandom(4242L + cluster);
        for (int j = 0; j < d; j++) {
            r[j] = 0.5 * cg.nextGaussian() + 0.1 * g.nextGaussian();
        }
        double[] z = new double[latent];
        for (int a = 0; a < latent; a++) {
            z[a] = g.nextGaussian();
        }
        double[] basis = CLUSTER_BASIS.computeIfAbsent(d, dd -> {
            SplittableRandom b = new SplittableRandom(777);
            double[] m = new double[dd * latent];
            for (int k = 0; k < m.length; k++) {
                m[k] = b.nextGaussian() / Math.sqrt(latent);
            }
            return m;
        });
        for (int j = 0; j < d; j++) {
            double v = 0;
            for (int a = 0; a < latent; a++) {
                v += basis[j * latent + a] * z[a];
            }
            r[j] += v;
        }
    }

    static final Map<Integer, double[]> CLUSTER_BASIS = new ConcurrentHashMap<>();

    static Path clusteredIndex(Path work, int n, int d) {
        Path out = work.resolve("clustered-" + n + "x" + d + "-f32-c1");
        if (Files.exists(out.resolve("index.json"))) {
            return out;
        }
        SplittableRandom g = new SplittableRandom(7);
        int[] y = new int[n];
        DenseMatrix alpha = new DenseMatrix(n, 1);
        for (int i = 0; i < n; i++) {
            y[i] = g.nextInt(2);
            double m = Math.exp(2 * g.nextGaussian()) * 1e-4;
            alpha.set(i, 0, y[i] == 1 ? m : -m);
        }
        DenseMatrix theta = new DenseMatrix(1, d);
        for (int k = 0; k < d; k++) {
            theta.data()[k] = g.nextGaussian();
        }
        ExplanationIndex.buildRepresenter(out, n, d, (i, r) -> clusteredRow(1, i, r), alpha, theta,
                Loss.named("sigmoid"), y, Map.of("source", "synthetic clustered embedding-like rows (100 clusters, "
                        + "32-d latent, seed 1 per row), log-normal alpha (seed 7); benchmark only"),
                "synthetic-clustered-seed-1-7", true);
        return out;
    }

    static void annSynthetic(Path work, int n, int d, int seconds) throws Exception {
        boolean clustered = arg("annData", "uniform").equals("clustered");
        int m = Integer.parseInt(arg("annM", "32"));
        int beam = Integer.parseInt(arg("annBeam", "200"));
        int threads = Integer.parseInt(arg("annThreads", "1"));
        boolean int8 = Boolean.parseBoolean(arg("annInt8", "false"));
        int[] efs = Arrays.stream(arg("annEf", "100,400").split(",")).mapToInt(Integer::parseInt).toArray();
        Path p = clustered ? clusteredIndex(work, n, d) : syntheticIndex(work, n, d, true, 1);
        ExplanationIndex idx = ExplanationIndex.open(p);
        boolean reuse = Boolean.parseBoolean(arg("annReuse", "false"));
        if (!idx.metadata().path("ann").isNull()) {
            if (!reuse) {
                throw new IllegalStateException(p + " already has a graph: remove " + p
                        + " to rebuild with new settings, or give annReuse=true to query it as built");
            }
            log("reusing the graph in %s: %s", p, idx.metadata().path("ann"));
        } else {
            long t0 = System.nanoTime();
            LuceneAnn.build(idx, m, beam, threads, int8);
            log("HNSW graph (M %d, beam %d, %d build threads, %s) over %s %d x %d built in %.1f s", m, beam, threads,
                    int8 ? "int8" : "float32", clustered ? "clustered" : "uniform", n, d,
                    (System.nanoTime() - t0) / 1e9);
        }
        idx = ExplanationIndex.open(p);
        double[][] q = new double[200][d];
        for (int i = 0; i < q.length; i++) {
            if (clustered) {
                clusteredRow(77, i, q[i]);
            } else {
                row(77, i, q[i]);
            }
        }
        annCompare((clustered ? "clustered " : "uniform ") + n + " x " + d, idx, q, efs);
        if (seconds > 0) {     // HTTP load through the server's ANN path (the default when a graph is open), first ef
            try (LuceneAnn ann = LuceneAnn.open(idx, efs[0]);
                 ExplanationServer s = new ExplanationServer(idx, ann, ServerSettings.defaults().withPort(0)
                         .withPool(2, 6)).start()) {
                for (int conc : new int[] {1, 2}) {
                    load("ANN (ef " + efs[0] + ") " + n + " x " + d, s.port(), featureBodies(q, 10), conc, seconds);
                }
            }
        }
    }

    static void mnistPhase(ExplanationIndex idx, int seconds) throws Exception {
        int nt = idx.testSize();
        double[][] q = new double[nt][];
        for (int t = 0; t < nt; t++) {
            q[t] = idx.testFeatures(t);
        }
        annCompare("MNIST " + idx.size() + " x " + idx.dim(), idx, q, new int[] {40, 100, 200});
        try (ExplanationServer s = new ExplanationServer(idx, null, ServerSettings.defaults().withPort(0)
                .withPool(2, 6)).start()) {
            List<String> bodies = new ArrayList<>();
            for (int t = 0; t < nt; t++) {
                bodies.add("{\"k\":10,\"testId\":" + t + "}");
            }
            load("MNIST exact", s.port(), bodies, 2, seconds);
            load("MNIST exact, past saturation (2 workers + 6 queued)", s.port(), bodies, 32, seconds);
        }
        try (LuceneAnn ann = LuceneAnn.open(idx);
             ExplanationServer s = new ExplanationServer(idx, ann, ServerSettings.defaults().withPort(0)
                     .withPool(2, 6)).start()) {
            List<String> bodies = new ArrayList<>();
            for (int t = 0; t < nt; t++) {
                bodies.add("{\"k\":10,\"testId\":" + t + "}");
            }
            load("MNIST ANN (ef 100)", s.port(), bodies, 2, seconds);
        }
    }

    static void soak(ExplanationIndex idx, int seconds) throws Exception {
        try (ExplanationServer s = new ExplanationServer(idx, null, ServerSettings.defaults().withPort(0)
                .withPool(2, 6)).start()) {
            List<String> bodies = new ArrayList<>();
            for (int t = 0; t < idx.testSize(); t++) {
                bodies.add("{\"k\":10,\"testId\":" + t + "}");
            }
            int step = Math.max(10, seconds / 6);
            for (int done = 0; done < seconds; done += step) {
                load("soak MNIST exact " + done + "-" + (done + step) + " s", s.port(), bodies, 2, step);
                System.gc();
                Thread.sleep(200);
                log("  heap used after GC: %.1f MB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
                        / 1048576.0);
            }
        }
    }

}
