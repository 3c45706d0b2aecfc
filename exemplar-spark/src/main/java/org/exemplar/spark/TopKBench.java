package org.exemplar.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.exemplar.attribution.TopKSink;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.representer.RepresenterPoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark: top-k representer points of {@code --test} test points over {@code --n} x {@code --p} generated
 * training rows, either with the core library on one machine ({@code --mode core}: RepresenterPoints alpha +
 * values streamed into TopKSink, the kernels PreparedAttributor.topK runs) or with this module
 * ({@code --mode spark}: the rows cached in Spark's memory first, untimed; then the timed job = scan + topK, Spark's
 * overhead included). The same generator (seeded per row) feeds both; each mode prints a checksum of the
 * rankings so the runs can be compared. Not run by CI.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark top-k scoring: --mode core (single machine) or --mode spark (--master local[N]).")
final class TopKBench implements Callable<Integer> {
    @Option(names = "--mode", required = true,
            description = "core, spark, or all (core block 64, core default block, then spark with every --masters "
                    + "entry: one JVM, the same generated data)")
    String mode;
    @Option(names = "--master", defaultValue = "local[2]") String master;
    @Option(names = "--masters", defaultValue = "local[1],local[2]", split = ",",
            description = "--mode all: the Spark masters to run, in order")
    List<String> masters;
    @Option(names = "--layout", defaultValue = "packed",
            description = "spark: packed (rows cached as 2048-row dense blocks, PackedRows) or rows (one cached "
                    + "row per example, decoded every pass: the previous version)")
    String layout;
    @Option(names = "--n", defaultValue = "1000000") int n;
    @Option(names = "--p", defaultValue = "512") int p;
    @Option(names = "--classes", defaultValue = "10") int classes;
    @Option(names = "--test", defaultValue = "64") int nt;
    @Option(names = "--k", defaultValue = "10") int k;
    @Option(names = "--partitions", defaultValue = "16") int partitions;
    @Option(names = "--block", defaultValue = "0",
            description = "core mode: test points per BLAS block (0: the library's default for this n)")
    int block;
    @Option(names = "--repeats", defaultValue = "3") int repeats;
    @Option(names = "--seed", defaultValue = "7") long seed;

    static final double LAMBDA = 0.003;

    static void row(long seed, long i, int p, double[] out) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        for (int j = 0; j < p; j++) {
            out[j] = r.nextGaussian();
        }
    }

    static int label(long seed, long i, int c) {
        return (int) Math.floorMod(new SplittableRandom(seed + 31 * i).nextLong(), (long) c);
    }

    DenseMatrix theta() {
        DenseMatrix t = new DenseMatrix(classes, p);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int q = 0; q < t.data().length; q++) {
            t.data()[q] = 0.05 * r.nextGaussian();
        }
        return t;
    }

    DenseMatrix testFeatures() {
        DenseMatrix t = new DenseMatrix(nt, p);
        double[] buf = new double[p];
        for (int i = 0; i < nt; i++) {
            row(seed + 2, i, p, buf);
            t.setRow(i, buf);
        }
        return t;
    }

    @Override
    public Integer call() {
        System.err.printf("bench: mode %s, n = %d, p = %d, classes = %d, test points = %d, k = %d; %s; %d cpus%n",
                mode, n, p, classes, nt, k, Blas.backend().description(), Runtime.getRuntime().availableProcessors());
        return switch (mode) {
            case "core" -> core();
            case "spark" -> spark(master);
            case "all" -> all();
            default -> throw new InputException("--mode must be core, spark or all, got " + mode);
        };
    }

    private int all() {
        int b = block;
        block = nt;
        core();
        block = 0;
        core();
        block = b;
        System.gc();
        for (String m : masters) {
            spark(m);
            System.gc();
        }
        System.out.printf("load average after the run: %.2f%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return 0;
    }

    private int core() {
        long g0 = System.nanoTime();
        DenseMatrix f = new DenseMatrix(n, p);
        int[] y = new int[n];
        double[] buf = new double[p];
        for (int i = 0; i < n; i++) {
            row(seed, i, p, buf);
            System.arraycopy(buf, 0, f.data(), i * p, p);
            y[i] = label(seed, i, classes);
        }
        System.err.printf("bench: generated %d x %d in memory (%.1f s, untimed); load average %.2f%n", n, p,
                (System.nanoTime() - g0) / 1e9,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Loss loss = Loss.named("softmax");
        DenseMatrix theta = theta();
        DenseMatrix ft = testFeatures();
        int blockRows = block > 0 ? block : (int) Math.max(1, Math.min(64, (8L << 20) / n));
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            RepresenterPoints rp = RepresenterPoints.of(f, loss.targetsFromLabels(y, classes), loss, LAMBDA, theta);
            TopKSink sink = new TopKSink(k);
            rp.values(ft, rp.predictedClasses(ft), blockRows, sink::accept);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("core block=%d repeat %d: %.2f s checksum %s%n", blockRows, rep, secs,
                    checksum(sink.result().supporting(0).get(0).trainIndex(), sink.result().supporting(0).get(0).score()));
        }
        return 0;
    }

    private int spark(String master) {
        SparkSession s = SparkSession.builder().appName("exemplar-bench").master(master)
                .config("spark.ui.enabled", "false").getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        TaskMetricsListener metrics = new TaskMetricsListener();
        s.sparkContext().addSparkListener(metrics);
        long sd = seed;
        int pp = p;
        int c = classes;
        long g0 = System.nanoTime();
        Dataset<TrainRow> generated = s.range(0, n, 1, partitions).mapPartitions(
                (MapPartitionsFunction<Long, TrainRow>) it -> {
                    List<TrainRow> out = new ArrayList<>();
                    while (it.hasNext()) {
                        long i = it.next();
                        double[] x = new double[pp];
                        row(sd, i, pp, x);
                        out.add(new TrainRow(i, x, label(sd, i, c)));
                    }
                    return out.iterator();
                }, Encoders.bean(TrainRow.class));
        PackedRows packed = null;
        Dataset<TrainRow> rows = null;
        if (layout.equals("packed")) {
            packed = PackedRows.of(TrainingSet.of(generated.toDF(), Columns.defaults(), "training"), p,
                    StorageLevel.MEMORY_ONLY());
        } else if (layout.equals("rows")) {
            rows = generated.persist(StorageLevel.MEMORY_ONLY());
            rows.count();
        } else {
            throw new InputException("--layout must be packed or rows, got " + layout);
        }
        System.err.printf("bench: %s: %d rows in %d partitions cached as %s (%.1f s, untimed: generation, %s)%n",
                master, n, partitions, layout, (System.nanoTime() - g0) / 1e9,
                layout.equals("packed") ? "check, digest, packing into blocks" : "encoding");
        long cachedBytes = 0;
        int cachedParts = 0;
        for (org.apache.spark.storage.RDDInfo info : s.sparkContext().getRDDStorageInfo()) {
            cachedBytes += info.memSize();
            cachedParts += info.numCachedPartitions();
        }
        System.out.printf("%s cache: %.1f MB in %d partitions = %.1f MB per partition (%d rows)%n", master,
                cachedBytes / 1e6, cachedParts, cachedBytes / 1e6 / Math.max(1, cachedParts),
                n / Math.max(1, cachedParts));
        DenseMatrix ft = testFeatures();
        long[] ids = new long[nt];
        for (int i = 0; i < nt; i++) {
            ids[i] = i;
        }
        TrainingSet.Collected test = new TrainingSet.Collected(ft, ids, new int[nt]);
        SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(theta(), "softmax", LAMBDA);
        for (int rep = 0; rep < repeats; rep++) {
            metrics.reset();
            long t0 = System.nanoTime();
            SparkRepresenter.TopKResult r = packed != null ? SparkRepresenter.topK(s, packed, layer, test, k, nt)
                    : SparkRepresenter.topK(s, TrainingSet.of(rows.toDF(), Columns.defaults(), "training"), layer,
                    test, k, nt);
            long t2 = System.nanoTime();
            System.out.printf("spark %s %s partitions=%d repeat %d: %.2f s checksum %s%n", master, layout,
                    partitions, rep, (t2 - t0) / 1e9,
                    checksum(r.topK().supportingIds(0)[0], r.topK().supportingScores(0)[0]));
            System.out.println("  " + metrics.report(n, partitions, heapBytes(r.topK())));
        }
        if (packed != null) {
            packed.unpersist();
        }
        s.stop();
        return 0;
    }

    /** Java-serialized size of merged heaps (what a partition ships when it holds k of each sign per test point). */
    static long heapBytes(org.exemplar.attribution.MergeableTopK h) {
        try (java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
             java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
            o.writeObject(h);
            o.flush();
            return bytes.size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Spark's task metrics of a job: run time per task of the scoring stage, shuffle and result bytes. */
    static final class TaskMetricsListener extends org.apache.spark.scheduler.SparkListener {
        private final java.util.Map<Integer, long[]> stages = new java.util.concurrent.ConcurrentHashMap<>();

        void reset() {
            stages.clear();
        }

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
            org.apache.spark.executor.TaskMetrics m = e.taskMetrics();
            if (m == null) {
                return;
            }
            long[] a = stages.computeIfAbsent(e.stageId(), x -> new long[6]);
            synchronized (a) {
                a[0]++;
                a[1] += m.executorRunTime();
                a[2] = Math.max(a[2], m.executorRunTime());
                a[3] += m.shuffleWriteMetrics().bytesWritten();
                a[4] += m.resultSize();
                a[5] += m.executorDeserializeTime();
            }
        }

        String report(long n, int partitions, long heapBytes) {
            try {
                Thread.sleep(1000); // the listener bus is asynchronous
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            StringBuilder b = new StringBuilder();
            long shuffle = 0;
            long result = 0;
            for (var e : new java.util.TreeMap<>(stages).entrySet()) {
                long[] a = e.getValue();
                b.append(String.format("stage %d: %d tasks, task time mean %.2f s max %.2f s; ", e.getKey(), a[0],
                        a[1] / 1e3 / a[0], a[2] / 1e3));
                shuffle += a[3];
                result += a[4];
            }
            long[] scoring = stages.entrySet().stream().min(java.util.Map.Entry.comparingByKey())
                    .map(java.util.Map.Entry::getValue).orElse(new long[6]);
            b.append(String.format("scoring: %.2f task-seconds for %d rows = %.2f s per 1M rows per core; shuffle "
                    + "written %d B, task results %d B; merged heaps serialized %d B", scoring[1] / 1e3, n,
                    scoring[1] / 1e3 / (n / 1e6), shuffle, result, heapBytes));
            return b.toString();
        }
    }

    private static String checksum(long id, double score) {
        return id + ":" + score;
    }
}
