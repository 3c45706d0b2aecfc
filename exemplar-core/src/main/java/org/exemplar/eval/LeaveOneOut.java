package org.exemplar.eval;

import java.util.stream.IntStream;
import org.exemplar.influence.TestFunction;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.ModelObjective;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainer;

/**
 * Leave-one-out retraining, the ground truth influence estimates are compared with (SPEC section 5; Bae et al.
 * 2022 Table 1 cold-start and warm-start response functions). For each removed point i the objective without i
 * ({@link LooOptions.Normalization}) is minimized by {@link TightTrainer} from theta^0 (cold) or theta^s (warm)
 * down to the base fit's absolute gradient bar ({@code tolerance * gradientScale}), and f_t(theta_{-i}) -
 * f_t(theta^s) is recorded for every test point. Deterministic: the optimizers are full-batch, and the cold start
 * is the caller's (seeded) initialization.
 */
public final class LeaveOneOut {
    private LeaveOneOut() {
    }

    /**
     * @param trained       the model at theta^s
     * @param initial       the model at theta^0 (used for cold starts; may equal trained for warm starts)
     * @param train         the full training objective
     * @param gradientScale the base fit's scale (see {@link OptimumFit#gradientScale()})
     * @param removed       training indices to remove, one retraining each
     */
    public static LooResult run(DifferentiableModel trained, DifferentiableModel initial, TrainingData train,
                                double gradientScale, int[] removed, DenseMatrix testX, DenseMatrix testTargets,
                                TestFunction f, LooOptions options) {
        long t0 = System.nanoTime();
        int n = train.size();
        if (n < 2) {
            throw new IllegalArgumentException("leave-one-out needs at least two training points");
        }
        for (int i : removed) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("leave-one-out index " + i + " outside [0, " + n + ")");
            }
        }
        double[] base = f.values(trained, testX, testTargets, train.loss());
        double[] start = (options.start() == LooOptions.Start.COLD ? initial : trained).parameters();
        double lossScale = options.normalization() == LooOptions.Normalization.KEEP_FULL_N ? (n - 1.0) / n : 1.0;
        TightTrainer trainer = new TightTrainer(options.training());
        DenseMatrix changes = new DenseMatrix(removed.length, testX.rows());
        double[] gn = new double[removed.length];
        boolean[] ok = new boolean[removed.length];
        for (int r = 0; r < removed.length; r++) {
            int skip = removed[r];
            int[] keep = IntStream.range(0, n).filter(j -> j != skip).toArray();
            TrainingData sub = train.subset(keep);
            ModelObjective obj = new ModelObjective(trained, sub.features(), sub.targets(), sub.loss(), sub.l2(),
                    lossScale);
            OptimumFit fit = trainer.fit(obj, start, gradientScale, null);
            gn[r] = fit.gradientNorm();
            ok[r] = fit.converged();
            double[] after = f.values(obj.modelAt(fit.theta()), testX, testTargets, train.loss());
            for (int t = 0; t < after.length; t++) {
                changes.set(r, t, after[t] - base[t]);
            }
        }
        return new LooResult(removed.clone(), changes, gn, ok, options, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Pearson and Spearman correlation between predicted scores (n_test x n_train, as {@code InfluenceScores})
     * at the removed columns and the actual changes, over all pairs.
     */
    public static Agreement compare(DenseMatrix predicted, LooResult loo) {
        int m = loo.removed().length;
        int nt = loo.changes().cols();
        if (predicted.rows() != nt) {
            throw new IllegalArgumentException("predicted scores have " + predicted.rows() + " test rows, LOO has "
                    + nt);
        }
        double[] a = new double[m * nt];
        double[] b = new double[m * nt];
        for (int r = 0; r < m; r++) {
            for (int t = 0; t < nt; t++) {
                a[r * nt + t] = predicted.get(t, loo.removed()[r]);
                b[r * nt + t] = loo.changes().get(r, t);
            }
        }
        return new Agreement(Correlation.pearson(a, b), Correlation.spearman(a, b), a.length);
    }
}
