package org.exemplar.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.exemplar.attribution.Artifact;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.linalg.DenseMatrix;

/**
 * The linear datamodeling score (Park et al. 2023, Def. 2.3; dattri's LDS): draw M random subsets S_1..S_M of the
 * training set, each of size round(alpha n); train a model on each and measure the explained output f(z; S_m) of
 * every test point z; the attribution predicts g(z, S_m) = sum_{i in S_m} tau(z)_i. The score of z is Spearman's
 * rho between (g(z, S_m))_m and (f(z; S_m))_m; LDS is its mean over the test points, with a percentile bootstrap
 * confidence interval over test points.
 *
 * <p>Subset models are trained in parallel and cached on disk, one file per subset, keyed by the SHA-256 of the
 * training and test data, the trainer's settings, alpha, the seed and the subset index, so a second run (any method,
 * any M up to the cached one) retrains nothing.
 */
public final class Lds {
    private Lds() {
    }

    /**
     * @param subsets   M, the number of random subsets (dattri: 100)
     * @param alpha     the subset fraction in (0, 1) (default 0.5)
     * @param seed      seed of the subsets and of each subset's model (subset m: seed + m)
     * @param bootstrap bootstrap resamples of the test points for the confidence interval (0 = none)
     * @param threads   subset models trained at once
     * @param cache     directory of cached subset outputs, or null for none
     */
    public record Options(int subsets, double alpha, long seed, int bootstrap, int threads, Path cache) {
        public Options {
            if (subsets < 2) {
                throw new IllegalArgumentException("LDS needs at least 2 subsets, got " + subsets);
            }
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must lie in (0, 1), got " + alpha);
            }
            if (bootstrap < 0) {
                throw new IllegalArgumentException("bootstrap resamples must be >= 0, got " + bootstrap);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
        }

        /** 100 subsets, alpha 0.5, seed 0, 1000 bootstrap resamples, one thread per core, no cache. */
        public static Options defaults() {
            return new Options(100, 0.5, 0L, 1000, Runtime.getRuntime().availableProcessors(), null);
        }

        public Options withSubsets(int m) {
            return new Options(m, alpha, seed, bootstrap, threads, cache);
        }

        public Options withAlpha(double a) {
            return new Options(subsets, a, seed, bootstrap, threads, cache);
        }

        public Options withSeed(long s) {
            return new Options(subsets, alpha, s, bootstrap, threads, cache);
        }

        public Options withBootstrap(int b) {
            return new Options(subsets, alpha, seed, b, threads, cache);
        }

        public Options withThreads(int t) {
            return new Options(subsets, alpha, seed, bootstrap, t, cache);
        }

        public Options withCache(Path dir) {
            return new Options(subsets, alpha, seed, bootstrap, threads, dir);
        }
    }

    /**
     * The actual outputs of the subset models.
     *
     * @param subsets  the training indices of subset m (ascending)
     * @param outputs  M x n_test, row m = f(z; S_m)
     * @param trained  subset models trained in this call
     * @param reused   subset outputs read from the cache
     * @param seconds  wall-clock time
     */
    public record SubsetOutputs(int[][] subsets, DenseMatrix outputs, int trained, int reused, double seconds) {
    }

    /**
     * @param lds        mean Spearman rho over the test points with a defined rho
     * @param ciLow      2.5 % bootstrap percentile (NaN without bootstrap)
     * @param ciHigh     97.5 % bootstrap percentile
     * @param perTest    rho of every test point (NaN where a side is constant)
     * @param undefined  test points with an undefined rho, left out of the mean
     * @param subsets    M
     * @param alpha      the subset fraction
     */
    public record Result(double lds, double ciLow, double ciHigh, double[] perTest, int undefined, int subsets,
                         double alpha) {
    }

    /** M subsets of round(alpha n) indices: subset m is the first round(alpha n) of a shuffle seeded by (seed, m). */
    public static int[][] subsets(int n, int count, double alpha, long seed) {
        int size = (int) Math.round(alpha * n);
        if (size < 1 || size >= n) {
            throw new IllegalArgumentException("alpha " + alpha + " of " + n + " training points gives subsets of "
                    + size + " points; need 1 .. n - 1");
        }
        int[][] out = new int[count][];
        for (int m = 0; m < count; m++) {
            out[m] = subset(n, size, seed, m);
        }
        return out;
    }

    private static int[] subset(int n, int size, long seed, int m) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + m);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = 0; i < size; i++) {
            int j = i + r.nextInt(n - i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int[] s = Arrays.copyOf(p, size);
        Arrays.sort(s);
        return s;
    }

    /** Trains (or reads from the cache) the model of every subset and measures the test outputs. */
    public static SubsetOutputs subsetOutputs(Examples train, Examples test, SubsetTrainer trainer, Options o) {
        Objects.requireNonNull(trainer, "trainer");
        long start = System.nanoTime();
        int[][] subsets = subsets(train.size(), o.subsets(), o.alpha(), o.seed());
        DenseMatrix out = new DenseMatrix(o.subsets(), test.size());
        String base = cacheBase(train, test, trainer, o);
        if (o.cache() != null) {
            try {
                Files.createDirectories(o.cache());
            } catch (java.io.IOException e) {
                throw new DataException(o.cache(), "cannot create the LDS cache directory: " + e.getMessage(), e);
            }
        }
        AtomicInteger trained = new AtomicInteger();
        AtomicInteger reused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(o.threads(), o.subsets()));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int m = 0; m < o.subsets(); m++) {
                final int mm = m;
                jobs.add(pool.submit(() -> {
                    double[] v = null;
                    Path f = o.cache() == null ? null : o.cache().resolve("lds-" + base.substring(0, 24) + "-"
                            + mm + ".npy");
                    if (f != null && Files.isRegularFile(f)) {
                        double[] c = Npy.read(f).toDoubleArray();
                        if (c.length == test.size()) {
                            v = c;
                            reused.incrementAndGet();
                        }
                    }
                    if (v == null) {
                        v = trainer.fit(select(train, subsets[mm]), test, o.seed() + mm).values();
                        if (v.length != test.size()) {
                            throw new IllegalStateException("trainer returned " + v.length + " outputs for "
                                    + test.size() + " test points");
                        }
                        trained.incrementAndGet();
                        if (f != null) {
                            Path tmp = f.resolveSibling(f.getFileName() + ".tmp" + Thread.currentThread().getId());
                            Npy.write(tmp, v);
                            try {
                                Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                            } catch (java.io.IOException e) {
                                throw new DataException(f, "cannot write the cached subset output: " + e.getMessage(),
                                        e);
                            }
                        }
                    }
                    System.arraycopy(v, 0, out.data(), mm * test.size(), v.length);
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training the LDS subset models", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
        return new SubsetOutputs(subsets, out, trained.get(), reused.get(), (System.nanoTime() - start) * 1e-9);
    }

    /** The cache key of one LDS setting: SHA-256 of the data, the trainer's settings, alpha and the seed. */
    static String cacheBase(Examples train, Examples test, SubsetTrainer trainer, Options o) {
        Map<String, Object> s = new TreeMap<>();
        trainer.settings().forEach((k, v) -> s.put("trainer." + k, v));
        s.put("alpha", o.alpha());
        s.put("seed", o.seed());
        s.put("test", test.sha256());
        s.put("subsetRule", "first round(alpha n) of a SplittableRandom(seed*golden+m) partial shuffle");
        return Artifact.key("lds", s, train.sha256());
    }

    /** Predicted outputs g(z, S_m) = sum_{i in S_m} tau(z)_i, shape M x n_test, from scores n_test x n_train. */
    public static DenseMatrix predicted(DenseMatrix scores, int[][] subsets) {
        DenseMatrix g = new DenseMatrix(subsets.length, scores.rows());
        for (int m = 0; m < subsets.length; m++) {
            for (int t = 0; t < scores.rows(); t++) {
                double s = 0;
                int off = t * scores.cols();
                for (int i : subsets[m]) {
                    s += scores.data()[off + i];
                }
                g.set(m, t, s);
            }
        }
        return g;
    }

    /** LDS from a score matrix (n_test x n_train) and the subsets' actual outputs. */
    public static Result score(DenseMatrix scores, SubsetOutputs actual, double alpha, int bootstrap, long seed) {
        int nt = actual.outputs().cols();
        if (scores.rows() != nt) {
            throw new IllegalArgumentException("scores have " + scores.rows() + " test rows, the subset outputs "
                    + nt + " test points");
        }
        DenseMatrix g = predicted(scores, actual.subsets());
        int m = g.rows();
        double[] rho = new double[nt];
        List<Double> defined = new ArrayList<>();
        for (int t = 0; t < nt; t++) {
            double[] a = new double[m];
            double[] b = new double[m];
            for (int k = 0; k < m; k++) {
                a[k] = g.get(k, t);
                b[k] = actual.outputs().get(k, t);
            }
            rho[t] = Correlation.spearman(a, b);
            if (Double.isFinite(rho[t])) {
                defined.add(rho[t]);
            }
        }
        double[] d = defined.stream().mapToDouble(Double::doubleValue).toArray();
        double mean = mean(d);
        double[] ci = bootstrap > 0 && d.length > 0 ? bootstrapInterval(d, bootstrap, seed, 0.95)
                : new double[] {Double.NaN, Double.NaN};
        return new Result(mean, ci[0], ci[1], rho, nt - d.length, m, alpha);
    }

    /** The rows of the examples at the given indices, in that order. */
    public static Examples select(Examples e, int[] idx) {
        int[] labels = null;
        if (e.labels() != null) {
            labels = new int[idx.length];
            for (int k = 0; k < idx.length; k++) {
                labels[k] = e.labels()[idx[k]];
            }
        }
        return new Examples(e.features().selectRows(idx), labels,
                e.targets() == null ? null : e.targets().selectRows(idx));
    }

    /** Scores the attributor on the test set (streamed) and computes LDS against the subset models. */
    public static Result evaluate(PreparedAttributor<Examples> attributor, Examples train, Examples test,
                                  SubsetOutputs actual, Options o) {
        if (attributor.trainSize() != train.size()) {
            throw new IllegalArgumentException(attributor.method() + " was prepared on " + attributor.trainSize()
                    + " training points, the LDS training set has " + train.size());
        }
        return score(attributor.attribute(test).scores(), actual, o.alpha(), o.bootstrap(), o.seed());
    }

    /** Mean of the values (NaN when empty). */
    static double mean(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /**
     * Percentile bootstrap interval of the mean: {@code reps} resamples of the values with replacement (seeded),
     * the (1 - level)/2 and (1 + level)/2 quantiles of the resampled means (type-7 interpolation).
     */
    public static double[] bootstrapInterval(double[] values, int reps, long seed, double level) {
        if (values.length == 0 || reps < 1) {
            throw new IllegalArgumentException("bootstrap needs values and reps >= 1");
        }
        SplittableRandom r = new SplittableRandom(seed);
        double[] means = new double[reps];
        int n = values.length;
        for (int b = 0; b < reps; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += values[r.nextInt(n)];
            }
            means[b] = s / n;
        }
        Arrays.sort(means);
        return new double[] {quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2)};
    }

    /** Type-7 quantile (NumPy's default) of sorted values. */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
