package org.exemplar.eval;

import java.util.ArrayList;
import java.util.Arrays;
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
     * Runs the diagnostics.
     *
     * @param threads  retraining threads (1 = sequential)
     * @param progress called once per finished retraining (may be null)
     */
    public static List<DeletionResult> evaluate(DeletionTarget target, List<AttributionMethod> methods,
                                                int[] testIndices, int[] ks, int threads, IntConsumer progress) {
        for (int k = 1; k < ks.length; k++) {
            if (ks[k] <= ks[k - 1]) {
                throw new IllegalArgumentException("k schedule must increase: " + Arrays.toString(ks));
            }
        }
        int nm = methods.size();
        int nt = testIndices.length;
        double[][][][] del = new double[nm][2][ks.length][nt];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int mi = 0; mi < nm; mi++) {
                for (int ti = 0; ti < nt; ti++) {
                    int t = testIndices[ti];
                    double[] s = methods.get(mi).scores(t);
                    if (s.length != target.trainSize()) {
                        throw new IllegalArgumentException(methods.get(mi).name() + " returned " + s.length
                                + " scores for " + target.trainSize() + " training points");
                    }
                    double base = target.score(t);
                    for (int sg = 0; sg < 2; sg++) {
                        int[] order = topK(s, ks[ks.length - 1], sg == 0 ? 1.0 : -1.0);
                        for (int ki = 0; ki < ks.length; ki++) {
                            int[] removed = Arrays.copyOf(order, Math.min(ks[ki], order.length));
                            final int fm = mi;
                            final int fs = sg;
                            final int fk = ki;
                            final int ft = ti;
                            jobs.add(pool.submit(() -> {
                                del[fm][fs][fk][ft] = removed.length == 0 ? 0.0
                                        : target.scoreWithout(t, removed) - base;
                                if (progress != null) {
                                    progress.accept(1);
                                }
                            }));
                        }
                    }
                }
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
        List<DeletionResult> out = new ArrayList<>();
        for (int mi = 0; mi < nm; mi++) {
            double[][] stats = new double[4][ks.length];
            double[][] auc = new double[2][nt];
            for (int sg = 0; sg < 2; sg++) {
                for (int ki = 0; ki < ks.length; ki++) {
                    double[] v = del[mi][sg][ki];
                    stats[2 * sg][ki] = mean(v);
                    stats[2 * sg + 1][ki] = ci95(v);
                    for (int ti = 0; ti < nt; ti++) {
                        auc[sg][ti] += v[ti] / ks.length;
                    }
                }
            }
            out.add(new DeletionResult(methods.get(mi).name(), ks.clone(), stats[0], stats[1], stats[2], stats[3],
                    mean(auc[0]), ci95(auc[0]), mean(auc[1]), ci95(auc[1]), nt, del[mi][0], del[mi][1]));
        }
        return out;
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
