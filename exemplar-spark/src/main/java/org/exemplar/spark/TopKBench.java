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
    @Option(names = "--mode", required = true) String mode;
    @Option(names = "--master", defaultValue = "local[2]") String master;
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
            case "spark" -> spark();
            default -> throw new InputException("--mode must be core or spark, got " + mode);
        };
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
        System.err.printf("bench: generated %d x %d in memory (%.1f s, untimed)%n", n, p, (System.nanoTime() - g0) / 1e9);
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

    private int spark() {
        SparkSession s = SparkSession.builder().appName("exemplar-bench").master(master)
                .config("spark.ui.enabled", "false").getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        long sd = seed;
        int pp = p;
        int c = classes;
        long g0 = System.nanoTime();
        Dataset<TrainRow> rows = s.range(0, n, 1, partitions).mapPartitions(
                (MapPartitionsFunction<Long, TrainRow>) it -> {
                    List<TrainRow> out = new ArrayList<>();
                    while (it.hasNext()) {
                        long i = it.next();
                        double[] x = new double[pp];
                        row(sd, i, pp, x);
                        out.add(new TrainRow(i, x, label(sd, i, c)));
                    }
                    return out.iterator();
                }, Encoders.bean(TrainRow.class)).persist(StorageLevel.MEMORY_ONLY());
        long count = rows.count();
        System.err.printf("bench: cached %d rows in %d partitions (%.1f s, untimed)%n", count, partitions,
                (System.nanoTime() - g0) / 1e9);
        DenseMatrix ft = testFeatures();
        long[] ids = new long[nt];
        for (int i = 0; i < nt; i++) {
            ids[i] = i;
        }
        TrainingSet.Collected test = new TrainingSet.Collected(ft, ids, new int[nt]);
        SparkRepresenter.Layer layer = SparkRepresenter.Layer.of(theta(), "softmax", LAMBDA);
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            TrainingSet tr = TrainingSet.of(rows.toDF(), Columns.defaults(), "training");
            SparkRepresenter.TopKResult r = SparkRepresenter.topK(s, tr, layer, test, k, nt);
            long t2 = System.nanoTime();
            System.out.printf("spark %s partitions=%d repeat %d: %.2f s (one pass: check, count, digest, score) "
                    + "checksum %s%n", master, partitions, rep, (t2 - t0) / 1e9,
                    checksum(r.topK().supportingIds(0)[0], r.topK().supportingScores(0)[0]));
        }
        s.stop();
        return 0;
    }

    private static String checksum(long id, double score) {
        return id + ":" + score;
    }
}
