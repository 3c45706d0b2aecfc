package org.exemplar.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.exemplar.attribution.Examples;
import org.exemplar.linalg.DenseMatrix;

/**
 * The brittleness / top-k removal check (Ilyas et al. 2022, Sec. 3; dattri's "brittleness"): for each test point,
 * remove the k training points with the highest (most supporting) scores, retrain from scratch, and measure how far
 * the explained output falls and whether the prediction changes; beside it the same number of training points
 * removed at random (the baseline a useful attribution must beat).
 */
public final class TopKRemoval {
    private TopKRemoval() {
    }

    /**
     * @param ks                 the removal sizes
     * @param meanDrop           mean over test points of f(z; full) - f(z; without top-k), per k
     * @param flipFraction       fraction of test points whose predicted class changed, per k
     * @param randomMeanDrop     the same drop for k random training points
     * @param randomFlipFraction the same flips for k random training points
     * @param testPoints         test points evaluated
     */
    public record Result(int[] ks, double[] meanDrop, double[] flipFraction, double[] randomMeanDrop,
                         double[] randomFlipFraction, int testPoints) {
    }

    /**
     * Runs the check: 1 + 2 |ks| n_test retrainings (parallel over {@code threads}).
     *
     * @param scores n_test x n_train in the sign convention (positive = supports)
     */
    public static Result run(DenseMatrix scores, Examples train, Examples test, SubsetTrainer trainer, int[] ks,
                             long seed, int threads) {
        if (scores.rows() != test.size() || scores.cols() != train.size()) {
            throw new IllegalArgumentException("scores have shape " + scores.shapeString() + " for "
                    + test.size() + " test and " + train.size() + " training points");
        }
        for (int k : ks) {
            if (k < 1 || k >= train.size()) {
                throw new IllegalArgumentException("removal size " + k + " outside [1, " + train.size() + ")");
            }
        }
        int n = train.size();
        SubsetTrainer.Outputs full = trainer.fit(train, test, seed);
        int nt = test.size();
        double[][] drop = new double[2][ks.length];
        double[][] flips = new double[2][ks.length];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<double[]>> jobs = new ArrayList<>();
            for (int t = 0; t < nt; t++) {
                int[] order = org.exemplar.linalg.Ranking.ascending(scores.row(t), null);
                for (int a = 0; a < ks.length; a++) {
                    for (int kind = 0; kind < 2; kind++) {
                        final int tt = t;
                        final int k = ks[a];
                        final int rk = kind;
                        jobs.add(pool.submit(() -> {
                            int[] removed = new int[k];
                            if (rk == 0) {
                                for (int j = 0; j < k; j++) {
                                    removed[j] = order[n - 1 - j];
                                }
                            } else {
                                SplittableRandom r = new SplittableRandom(seed * 31 + tt * 1_000_003L + k);
                                int[] p = new int[n];
                                for (int i = 0; i < n; i++) {
                                    p[i] = i;
                                }
                                for (int j = 0; j < k; j++) {
                                    int s = j + r.nextInt(n - j);
                                    int x = p[j];
                                    p[j] = p[s];
                                    p[s] = x;
                                }
                                removed = Arrays.copyOf(p, k);
                            }
                            SubsetTrainer.Outputs o = trainer.fit(train.without(removed),
                                    test.rows(tt, tt + 1), seed);
                            boolean flipped = o.predicted() != null && full.predicted() != null
                                    && o.predicted()[0] != full.predicted()[tt];
                            return new double[] {full.values()[tt] - o.values()[0], flipped ? 1 : 0};
                        }));
                    }
                }
            }
            int j = 0;
            for (int t = 0; t < nt; t++) {
                for (int a = 0; a < ks.length; a++) {
                    for (int kind = 0; kind < 2; kind++) {
                        double[] v = jobs.get(j++).get();
                        drop[kind][a] += v[0] / nt;
                        flips[kind][a] += v[1] / nt;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during top-k removal", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Result(ks.clone(), drop[0], flips[0], drop[1], flips[1], nt);
    }
}
