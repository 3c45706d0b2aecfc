package org.exemplar.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The retrainings of case-deletion diagnostics (Tsai et al. 2023, Sec. 6.1), prepared before any of them runs:
 * for every method, test point, sign (top-k positive for DEL+, top-k negative for DEL-) and k of the schedule, the
 * training points to remove, plus the original prediction score of every test point. Whoever runs the retrainings
 * (a thread pool in {@link DeletionDiagnostics#evaluate}, Spark tasks in exemplar-spark) hands back one new score per
 * retraining to {@link #results}, which computes DEL+/DEL- and AUC-DEL the same way for all of them.
 *
 * @param methods     method names, in the order given
 * @param testIndices the test points (indices into the target's test set)
 * @param ks          the k schedule (increasing)
 * @param baseScores  the original model's prediction score per test position
 * @param retrainings every retraining, in the order method, test point, sign, k
 */
public record DeletionPlan(List<String> methods, int[] testIndices, int[] ks, double[] baseScores,
                           List<Retraining> retrainings) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * One retraining: remove {@code removed} (training indices, strongest first), retrain, score test point
     * {@code testIndex}. An empty removal set (the method has no score of that sign) needs no retraining: DEL = 0.
     *
     * @param method       method position in {@link #methods}
     * @param sign         0 = DEL+ (top positive removed), 1 = DEL- (top negative removed)
     * @param kIndex       position in the k schedule
     * @param testPosition position in {@link #testIndices}
     */
    public record Retraining(int method, int sign, int kIndex, int testPosition, int testIndex, int[] removed)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Whether a model must be retrained (false when nothing is removed). */
        public boolean needsRetraining() {
            return removed.length > 0;
        }
    }

    /**
     * Prepares the plan: each method's scores for each test point are ranked once; the k-th removal set is the
     * first k of the ranking (or all of them when the method has fewer than k scores of that sign).
     */
    public static DeletionPlan of(DeletionTarget target, List<AttributionMethod> methods, int[] testIndices,
                                  int[] ks) {
        for (int k = 1; k < ks.length; k++) {
            if (ks[k] <= ks[k - 1]) {
                throw new IllegalArgumentException("k schedule must increase: " + Arrays.toString(ks));
            }
        }
        if (ks.length == 0) {
            throw new IllegalArgumentException("k schedule is empty");
        }
        double[] base = new double[testIndices.length];
        for (int ti = 0; ti < testIndices.length; ti++) {
            base[ti] = target.score(testIndices[ti]);
        }
        List<Retraining> jobs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int mi = 0; mi < methods.size(); mi++) {
            names.add(methods.get(mi).name());
            for (int ti = 0; ti < testIndices.length; ti++) {
                int t = testIndices[ti];
                double[] s = methods.get(mi).scores(t);
                if (s.length != target.trainSize()) {
                    throw new IllegalArgumentException(methods.get(mi).name() + " returned " + s.length
                            + " scores for " + target.trainSize() + " training points");
                }
                for (int sg = 0; sg < 2; sg++) {
                    int[] order = DeletionDiagnostics.topK(s, ks[ks.length - 1], sg == 0 ? 1.0 : -1.0);
                    for (int ki = 0; ki < ks.length; ki++) {
                        jobs.add(new Retraining(mi, sg, ki, ti, t, Arrays.copyOf(order, Math.min(ks[ki],
                                order.length))));
                    }
                }
            }
        }
        return new DeletionPlan(List.copyOf(names), testIndices.clone(), ks.clone(), base, List.copyOf(jobs));
    }

    /** Number of retrainings that actually retrain a model (removal set not empty). */
    public long retrainingsNeeded() {
        return retrainings.stream().filter(Retraining::needsRetraining).count();
    }

    /**
     * DEL+/DEL- per k and AUC-DEL with 95 % confidence half-widths, per method.
     *
     * @param newScores the retrained model's prediction score per retraining, in the order of {@link #retrainings}
     *                  (ignored where nothing was removed)
     */
    public List<DeletionResult> results(double[] newScores) {
        if (newScores.length != retrainings.size()) {
            throw new IllegalArgumentException(newScores.length + " scores for " + retrainings.size()
                    + " retrainings");
        }
        int nm = methods.size();
        int nt = testIndices.length;
        double[][][][] del = new double[nm][2][ks.length][nt];
        for (int j = 0; j < newScores.length; j++) {
            Retraining r = retrainings.get(j);
            del[r.method()][r.sign()][r.kIndex()][r.testPosition()] = r.needsRetraining()
                    ? newScores[j] - baseScores[r.testPosition()] : 0.0;
        }
        List<DeletionResult> out = new ArrayList<>();
        for (int mi = 0; mi < nm; mi++) {
            double[][] stats = new double[4][ks.length];
            double[][] auc = new double[2][nt];
            for (int sg = 0; sg < 2; sg++) {
                for (int ki = 0; ki < ks.length; ki++) {
                    double[] v = del[mi][sg][ki];
                    stats[2 * sg][ki] = DeletionDiagnostics.mean(v);
                    stats[2 * sg + 1][ki] = DeletionDiagnostics.ci95(v);
                    for (int ti = 0; ti < nt; ti++) {
                        auc[sg][ti] += v[ti] / ks.length;
                    }
                }
            }
            out.add(new DeletionResult(methods.get(mi), ks.clone(), stats[0], stats[1], stats[2], stats[3],
                    DeletionDiagnostics.mean(auc[0]), DeletionDiagnostics.ci95(auc[0]),
                    DeletionDiagnostics.mean(auc[1]), DeletionDiagnostics.ci95(auc[1]), nt, del[mi][0],
                    del[mi][1]));
        }
        return out;
    }
}
