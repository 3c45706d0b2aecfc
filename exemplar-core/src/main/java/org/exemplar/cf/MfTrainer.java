package org.exemplar.cf;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;

/**
 * Trains the matrix factorization of eq. (16) (Tsai et al. 2023) with the L2 term of {@link MfOptions}:
 * J(U, V) = sum_{(i,j) in D} w_ij l(y_ij, &lt;U_i, V_j&gt;) + (reg/2)(||U||_F^2 + ||V||_F^2).
 *
 * <ul>
 *   <li>ALS (squared loss only): each half-step solves the normal equations exactly,
 *       U_i = (sum_{j in N(i)} w_ij V_j V_j^T + reg I)^{-1} sum_{j in N(i)} w_ij y_ij V_j (Cholesky), then the same
 *       for the items.</li>
 *   <li>SGD (squared or logistic): minibatch gradient steps on J / |D|: for a batch B,
 *       theta &lt;- theta - eta ((1/|B|) sum_{z in B} grad(w_z l_z) + (reg/|D|) theta).</li>
 * </ul>
 *
 * Initialization draws U, V ~ N(0, initScale^2) for ALL users and items from the seed, and the SGD epoch order is
 * a seeded permutation of all rating indices in which excluded ratings are skipped: retraining without a few
 * ratings (case deletion) therefore changes nothing but the removed terms. Training is single-threaded and
 * bit-reproducible for a given seed.
 */
public final class MfTrainer {
    /** Optimizer. */
    public enum Algorithm { ALS, SGD }

    private MfTrainer() {
    }

    public static MfResult train(Ratings r, MfOptions o, Algorithm a) {
        return train(r, o, a, null, false);
    }

    /**
     * @param excluded    ratings to leave out (null = none)
     * @param checkpoints keep a copy of the parameters after every SGD epoch (for TracInCP)
     */
    public static MfResult train(Ratings r, MfOptions o, Algorithm a, boolean[] excluded, boolean checkpoints) {
        if (excluded != null && excluded.length != r.size()) {
            throw new IllegalArgumentException("excluded mask has " + excluded.length + " entries for " + r.size()
                    + " ratings");
        }
        long t0 = System.nanoTime();
        Factorization f = initial(r.numUsers(), r.numItems(), o);
        double[] history = new double[o.epochs()];
        List<MfResult.Checkpoint> cps = new ArrayList<>();
        if (a == Algorithm.ALS) {
            if (o.loss() != CfLoss.SQUARED) {
                throw new IllegalArgumentException("ALS needs the squared loss; use SGD for " + o.loss());
            }
            if (!(o.reg() > 0)) {
                throw new IllegalArgumentException("ALS needs reg > 0 (users or items with few ratings make the "
                        + "normal equations singular)");
            }
            for (int e = 0; e < o.epochs(); e++) {
                alsHalfStep(r, o, excluded, f.items(), f.users(), true);
                alsHalfStep(r, o, excluded, f.users(), f.items(), false);
                history[e] = objective(r, o, f, excluded);
            }
        } else {
            sgd(r, o, excluded, f, history, checkpoints ? cps : null);
        }
        double obj = o.epochs() > 0 ? history[o.epochs() - 1] : objective(r, o, f, excluded);
        return new MfResult(f, a, o, obj, history, List.copyOf(cps), (System.nanoTime() - t0) / 1e9);
    }

    static Factorization initial(int nu, int ni, MfOptions o) {
        SplittableRandom rng = new SplittableRandom(o.seed());
        DenseMatrix u = new DenseMatrix(nu, o.rank());
        DenseMatrix v = new DenseMatrix(ni, o.rank());
        double[] ud = u.data();
        for (int p = 0; p < ud.length; p++) {
            ud[p] = o.initScale() * gaussian(rng);
        }
        double[] vd = v.data();
        for (int p = 0; p < vd.length; p++) {
            vd[p] = o.initScale() * gaussian(rng);
        }
        return new Factorization(u, v);
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * One exact ALS half-step: for every row of {@code target} (users when {@code usersSide}), solve
     * (sum w f f^T + reg I) x = sum w y f over its ratings, with {@code fixed} the other side's embeddings.
     */
    static void alsHalfStep(Ratings r, MfOptions o, boolean[] excluded, DenseMatrix fixed, DenseMatrix target,
                            boolean usersSide) {
        int k = o.rank();
        int rows = usersSide ? r.numUsers() : r.numItems();
        double[] fd = fixed.data();
        double[] td = target.data();
        double[] a = new double[k * k];
        double[] b = new double[k];
        for (int row = 0; row < rows; row++) {
            java.util.Arrays.fill(a, 0);
            java.util.Arrays.fill(b, 0);
            int[] idx = usersSide ? r.ofUser(row) : r.ofItem(row);
            for (int t : idx) {
                if (excluded != null && excluded[t]) {
                    continue;
                }
                int other = usersSide ? r.item(t) : r.user(t);
                double w = o.weight(r.value(t));
                int off = other * k;
                for (int p = 0; p < k; p++) {
                    double fp = w * fd[off + p];
                    b[p] += fp * r.value(t);
                    for (int q = 0; q <= p; q++) {
                        a[p * k + q] += fp * fd[off + q];
                    }
                }
            }
            for (int p = 0; p < k; p++) {
                a[p * k + p] += o.reg();
                for (int q = 0; q < p; q++) {
                    a[q * k + p] = a[p * k + q];
                }
            }
            double[] x = Cholesky.factorize(new DenseMatrix(k, k, a.clone())).solve(b);
            System.arraycopy(x, 0, td, row * k, k);
        }
    }

    private static void sgd(Ratings r, MfOptions o, boolean[] excluded, Factorization f, double[] history,
                            List<MfResult.Checkpoint> cps) {
        int k = o.rank();
        int n = r.size();
        int active = 0;
        for (int t = 0; t < n; t++) {
            active += excluded != null && excluded[t] ? 0 : 1;
        }
        double[] ud = f.users().data();
        double[] vd = f.items().data();
        double[] gu = new double[ud.length];
        double[] gv = new double[vd.length];
        double decay = active == 0 ? 0 : o.reg() / active;
        SplittableRandom order = new SplittableRandom(o.seed() ^ 0x5DEECE66DL);
        int[] batch = new int[o.batchSize()];
        double[] coef = new double[o.batchSize()];
        for (int e = 0; e < o.epochs(); e++) {
            int[] perm = Ratings.permutation(n, order.split());
            int p = 0;
            while (p < n) {
                int m = 0;
                while (p < n && m < batch.length) {
                    int t = perm[p++];
                    if (excluded == null || !excluded[t]) {
                        batch[m++] = t;
                    }
                }
                if (m == 0) {
                    break;
                }
                // gradients at the batch-start parameters
                for (int b = 0; b < m; b++) {
                    int t = batch[b];
                    double s = Vectors.dot(ud, r.user(t) * k, vd, r.item(t) * k, k);
                    coef[b] = o.weight(r.value(t)) * o.loss().derivative(r.value(t), s) / m;
                }
                java.util.Arrays.fill(gu, 0);
                java.util.Arrays.fill(gv, 0);
                for (int b = 0; b < m; b++) {
                    int t = batch[b];
                    int uo = r.user(t) * k;
                    int vo = r.item(t) * k;
                    for (int q = 0; q < k; q++) {
                        gu[uo + q] += coef[b] * vd[vo + q];
                        gv[vo + q] += coef[b] * ud[uo + q];
                    }
                }
                double eta = o.learningRate();
                for (int q = 0; q < ud.length; q++) {
                    ud[q] -= eta * (gu[q] + decay * ud[q]);
                }
                for (int q = 0; q < vd.length; q++) {
                    vd[q] -= eta * (gv[q] + decay * vd[q]);
                }
            }
            history[e] = objective(r, o, f, excluded);
            if (!Double.isFinite(history[e])) {
                throw new ArithmeticException("SGD diverged in epoch " + (e + 1) + " (objective " + history[e]
                        + "); lower the learning rate " + o.learningRate());
            }
            if (cps != null) {
                cps.add(new MfResult.Checkpoint(e + 1, o.learningRate(), f.copy()));
            }
        }
    }

    /** J(U, V) of {@link MfOptions} over the non-excluded ratings. */
    public static double objective(Ratings r, MfOptions o, Factorization f, boolean[] excluded) {
        double s = 0;
        for (int t = 0; t < r.size(); t++) {
            if (excluded != null && excluded[t]) {
                continue;
            }
            s += o.weight(r.value(t)) * o.loss().value(r.value(t), f.predict(r.user(t), r.item(t)));
        }
        double n2 = 0;
        for (double x : f.users().data()) {
            n2 += x * x;
        }
        for (double x : f.items().data()) {
            n2 += x * x;
        }
        return s + 0.5 * o.reg() * n2;
    }

    /** Mean absolute error and root mean squared error of the predictions on a rating set: {mae, rmse}. */
    public static double[] errors(Factorization f, Ratings r) {
        double a = 0;
        double s = 0;
        for (int t = 0; t < r.size(); t++) {
            double d = f.predict(r.user(t), r.item(t)) - r.value(t);
            a += Math.abs(d);
            s += d * d;
        }
        return new double[] {a / r.size(), Math.sqrt(s / r.size())};
    }
}
