package org.exemplar.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Case-deletion diagnostics (Tsai et al. 2023, Sec. 6.1; Yeh et al. 2022): for a test point z', remove the top-k
 * positive (resp. negative) training points by a method's scores, retrain from scratch with the same
 * hyper-parameters, and record DEL+(z', k) (resp. DEL-) = new prediction score - original score.
 * AUC-DEL = (1/m) sum_i DEL(z', k_i) over a schedule k_1 &lt; ... &lt; k_m, averaged over test points with a 95 %
 * confidence interval. When a method has fewer than k positive (negative) scores, only those are removed.
 * Retraining runs in parallel on a fixed-size pool; results do not depend on the number of threads.
 */
public final class DeletionDiagnostics {
    private DeletionDiagnostics() {
    }

    /** The paper's L1 schedule k_i = 0.01 i N, i = 1..5 (at least 1). */
    public static int[] percentSchedule(int n) {
        int[] ks = new int[5];
        for (int i = 1; i <= 5; i++) {
            ks[i - 1] = Math.max(1, (int) Math.round(0.01 * i * n));
        }
        return ks;
    }

    /**
     * The k schedule, checked before any fitting (issue 15, item 14): every k in [1, n - 1], increasing; the
     * default (1 %, .., 5 % of n) must give at least two distinct k.
     */
    public static int[] checkedSchedule(int[] ks, int n) {
        if (ks == null) {
            int[] def = java.util.Arrays.stream(percentSchedule(n)).distinct().toArray();
            if (def.length < 2 || def[def.length - 1] >= n) {
                throw new IllegalArgumentException("the training set has " + n + " points: too few for the default "
                        + "k schedule (1 %, 2 %, .., 5 % of n gives " + java.util.Arrays.toString(def)
                        + "); give --ks explicitly, e.g. --ks 1,2,3");
            }
            return def;
        }
        if (ks.length == 0) {
            throw new IllegalArgumentException("--ks is empty");
        }
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1 || ks[i] >= n) {
                throw new IllegalArgumentException("--ks entry " + ks[i] + " is outside [1, " + (n - 1) + "] (the "
                        + "training set has " + n + " points; at least one must remain)");
            }
            if (i > 0 && ks[i] <= ks[i - 1]) {
                throw new IllegalArgumentException("--ks must increase, got " + java.util.Arrays.toString(ks));
            }
        }
        return ks;
    }

    /** Indices of the k largest sign * score among strictly positive sign * score, largest first. */
    static int[] topK(double[] scores, int k, double sign) {
        int[] cand = java.util.stream.IntStream.range(0, scores.length).filter(i -> sign * scores[i] > 0).toArray();
        double[] key = new double[cand.length];
        for (int j = 0; j < cand.length; j++) {
            key[j] = sign * scores[cand[j]];
        }
        int[] order = org.exemplar.linalg.Ranking.topDescending(key, k);   // ties: lower training index first
        int[] out = new int[order.length];
        for (int j = 0; j < order.length; j++) {
            out[j] = cand[order[j]];
        }
        return out;
    }

    /**
     * Runs the diagnostics: prepares the {@link DeletionPlan} (every removal set), runs its retrainings on the pool,
     * and computes DEL and AUC-DEL with {@link DeletionPlan#results}.
     *
     * @param threads  retraining threads (1 = sequential)
     * @param progress called once per finished retraining (may be null)
     */
    public static List<DeletionResult> evaluate(DeletionTarget target, List<AttributionMethod> methods,
                                                int[] testIndices, int[] ks, int threads, IntConsumer progress) {
        DeletionPlan plan = DeletionPlan.of(target, methods, testIndices, ks);
        List<DeletionPlan.Retraining> rs = plan.retrainings();
        double[] scores = new double[rs.size()];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int j = 0; j < rs.size(); j++) {
                DeletionPlan.Retraining r = rs.get(j);
                final int fj = j;
                jobs.add(pool.submit(() -> {
                    if (r.needsRetraining()) {
                        scores[fj] = target.scoreWithout(r.testIndex(), r.removed());
                    }
                    if (progress != null) {
                        progress.accept(1);
                    }
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("deletion diagnostics interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
        return plan.results(scores);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** 1.96 standard errors of the mean. */
    static double ci95(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return 1.96 * Math.sqrt(s / (v.length - 1) / v.length);
    }
}
