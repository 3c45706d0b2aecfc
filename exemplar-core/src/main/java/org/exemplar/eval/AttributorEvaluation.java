package org.exemplar.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.TestSet;
import org.exemplar.linalg.DenseMatrix;

/**
 * Every metric of this package for any {@link PreparedAttributor}: an attributor becomes an
 * {@link AttributionMethod} ({@link #asMethod}), so leave-one-out agreement, case-deletion diagnostics (AUC-DEL)
 * and mislabel detection evaluate a new method without new code. The sign conventions agree: positive = removing
 * the training point lowers the explained output, which is also what {@link DeletionTarget} scores measure when
 * the target retrains the same explained output ({@link #retrainingTarget}).
 */
public final class AttributorEvaluation {
    private AttributorEvaluation() {
    }

    /** The attributor's scores on one test set as an {@link AttributionMethod} (one streamed row per call). */
    public static <Q extends TestSet<Q>> AttributionMethod asMethod(PreparedAttributor<Q> a, Q test) {
        Objects.requireNonNull(a, "attributor");
        Objects.requireNonNull(test, "test set");
        return new AttributionMethod() {
            @Override
            public String name() {
                return a.name();
            }

            @Override
            public double[] scores(int testIndex) {
                if (testIndex < 0 || testIndex >= test.size()) {
                    throw new IllegalArgumentException("test index " + testIndex + " outside [0, " + test.size() + ")");
                }
                double[][] row = new double[1][];
                a.score(test.rows(testIndex, testIndex + 1), 1, (first, block) -> row[0] = block.row(0));
                return row[0];
            }
        };
    }

    /** Retrains a model without some training points and returns the explained output of every test point. */
    @FunctionalInterface
    public interface Retrainer {
        /** Explained outputs of every test point after retraining without {@code removed} (empty = no removal). */
        double[] explainedWithout(int[] removed);
    }

    /**
     * A {@link DeletionTarget} from a retraining function, caching one retraining per distinct removal set (so
     * that scoring all test points after one removal costs one retraining). Thread-safe.
     */
    public static DeletionTarget retrainingTarget(int trainSize, int testSize, Retrainer retrainer) {
        Map<String, double[]> cache = new ConcurrentHashMap<>();
        return new DeletionTarget() {
            @Override
            public int trainSize() {
                return trainSize;
            }

            @Override
            public int testSize() {
                return testSize;
            }

            @Override
            public double score(int testIndex) {
                return scoreWithout(testIndex, new int[0]);
            }

            @Override
            public double scoreWithout(int testIndex, int[] removed) {
                int[] key = removed.clone();
                Arrays.sort(key);
                double[] out = cache.computeIfAbsent(Arrays.toString(key), k -> {
                    double[] v = retrainer.explainedWithout(key);
                    if (v.length != testSize) {
                        throw new IllegalStateException("retrainer returned " + v.length + " outputs for " + testSize
                                + " test points");
                    }
                    return v;
                });
                return out[testIndex];
            }
        };
    }

    /**
     * Predicted scores against actual leave-one-out retraining.
     *
     * @param removed          the training points removed, one retraining each
     * @param predicted        scores at the removed columns, [removed index][test point]
     * @param actualDrop       explained output before minus after removal, [removed index][test point] (positive =
     *                         the removal lowered it, the sign a positive score predicts)
     * @param agreement        Pearson and Spearman correlation over all (removed, test) pairs
     * @param signAgreement    share of pairs with a non-zero score whose sign matches the actual drop's
     */
    public record LooComparison(String method, int[] removed, DenseMatrix predicted, DenseMatrix actualDrop,
                                Agreement agreement, double signAgreement) {
    }

    /**
     * Leave-one-out agreement of any attributor: scores are streamed (only the removed columns are kept) and each
     * removal is retrained once through {@code target}.
     */
    public static <Q extends TestSet<Q>> LooComparison leaveOneOut(PreparedAttributor<Q> a, Q test,
                                                                   DeletionTarget target, int[] removed) {
        check(a, test, target);
        int nt = test.size();
        DenseMatrix predicted = new DenseMatrix(removed.length, nt);
        for (int r = 0; r < removed.length; r++) {
            if (removed[r] < 0 || removed[r] >= a.trainSize()) {
                throw new IllegalArgumentException("removed index " + removed[r] + " outside [0, " + a.trainSize() + ")");
            }
        }
        a.score(test, a.defaultBlockRows(), (first, block) -> {
            for (int t = 0; t < block.rows(); t++) {
                for (int r = 0; r < removed.length; r++) {
                    predicted.set(r, first + t, block.get(t, removed[r]));
                }
            }
        });
        DenseMatrix drop = new DenseMatrix(removed.length, nt);
        int same = 0;
        int counted = 0;
        for (int r = 0; r < removed.length; r++) {
            for (int t = 0; t < nt; t++) {
                double d = target.score(t) - target.scoreWithout(t, new int[] {removed[r]});
                drop.set(r, t, d);
                double p = predicted.get(r, t);
                if (p != 0) {
                    counted++;
                    if (Math.signum(p) == Math.signum(d)) {
                        same++;
                    }
                }
            }
        }
        Agreement ag = new Agreement(Correlation.pearson(predicted.data(), drop.data()),
                Correlation.spearman(predicted.data(), drop.data()), predicted.data().length);
        return new LooComparison(a.name(), removed.clone(), predicted, drop, ag,
                counted == 0 ? Double.NaN : same / (double) counted);
    }

    /**
     * Case-deletion diagnostics (AUC-DEL+ and AUC-DEL-) of any attributor, through {@link DeletionDiagnostics}.
     *
     * @param ks      the increasing k schedule (e.g. {@link DeletionDiagnostics#percentSchedule})
     * @param threads retraining threads
     */
    public static <Q extends TestSet<Q>> DeletionResult deletion(PreparedAttributor<Q> a, Q test,
                                                                 DeletionTarget target, int[] testIndices, int[] ks,
                                                                 int threads) {
        check(a, test, target);
        List<DeletionResult> r = DeletionDiagnostics.evaluate(target, List.of(asMethod(a, test)), testIndices, ks,
                threads, null);
        return r.get(0);
    }

    /**
     * Mislabel detection from any per-training-point ranking score (self-influence, |alpha|, loss): the share of
     * the corrupted points found after inspecting each fraction of the training set in decreasing score order
     * (ties: lower index first).
     */
    public static double[] detectionCurve(double[] ranking, boolean[] corrupted, double[] fractions) {
        if (ranking.length != corrupted.length) {
            throw new IllegalArgumentException(ranking.length + " scores for " + corrupted.length + " training points");
        }
        int total = 0;
        for (boolean c : corrupted) {
            total += c ? 1 : 0;
        }
        if (total == 0) {
            throw new IllegalArgumentException("no corrupted training points to detect");
        }
        int[] order = org.exemplar.linalg.Ranking.topDescending(ranking, ranking.length);
        double[] out = new double[fractions.length];
        for (int f = 0; f < fractions.length; f++) {
            if (!(fractions[f] >= 0 && fractions[f] <= 1)) {
                throw new IllegalArgumentException("fraction must be in [0, 1], got " + fractions[f]);
            }
            int inspect = (int) Math.round(fractions[f] * ranking.length);
            int found = 0;
            for (int q = 0; q < inspect; q++) {
                found += corrupted[order[q]] ? 1 : 0;
            }
            out[f] = found / (double) total;
        }
        return out;
    }

    /** Mislabel detection by the attributor's self-influence (largest first). */
    public static double[] mislabelDetection(PreparedAttributor<?> a, boolean[] corrupted, double[] fractions) {
        return detectionCurve(a.selfInfluence().scores(), corrupted, fractions);
    }

    private static void check(PreparedAttributor<?> a, TestSet<?> test, DeletionTarget target) {
        if (target.trainSize() != a.trainSize() || target.testSize() != test.size()) {
            throw new IllegalArgumentException("the deletion target has " + target.trainSize() + " training and "
                    + target.testSize() + " test points, the attributor " + a.trainSize() + " and the test set "
                    + test.size());
        }
    }
}
