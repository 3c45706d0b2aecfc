package org.exemplar.ntk;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * Trains the first layer of a {@link TwoLayerReluNetwork} on eq. (2),
 * <pre>
 *   L(W) = 1/2 sum_i (f(x_i; W) - y_i)^2 + lambda/2 ||W - W(0)||_F^2,
 *   grad_W L = sum_i (f(x_i) - y_i) df(x_i)/dW + lambda (W - W(0)),  df(x_i)/dw_r = (a_r/sqrt(m)) 1{w_r^T x_i > 0} x_i,
 * </pre>
 * exactly, but in coefficient form: every gradient is a combination of the training inputs, so from W(0) the
 * iterates stay W = W(0) + C X with C an m x n matrix, and W x_j = (W(0) x_j) + C (X x_j). One step costs one
 * m x n by n x n product (2 m n^2 flops) instead of the 6 m n d of the dense form, and the m x d matrix W is
 * never updated. The products W(0) X^T and W(0) X_test^T are formed once in {@link #prepare}, so leave-one-out
 * retraining (same W(0), same schedule, a column subset) reuses them.
 *
 * <p>The relu derivative at 0 is taken as 0.
 */
public final class ReluNetworkTrainer {
    private final double[] a;
    private final int m;
    private final DenseMatrix p0;      // m x n: W(0) X^T
    private final DenseMatrix p0Test;  // m x t: W(0) X_test^T
    private final DenseMatrix gram;    // n x n: X X^T
    private final DenseMatrix cross;   // n x t: X X_test^T
    private final double[] y;
    private final double lambda;

    private ReluNetworkTrainer(double[] a, DenseMatrix p0, DenseMatrix p0Test, DenseMatrix gram, DenseMatrix cross,
                               double[] y, double lambda) {
        this.a = a;
        this.m = a.length;
        this.p0 = p0;
        this.p0Test = p0Test;
        this.gram = gram;
        this.cross = cross;
        this.y = y;
        this.lambda = lambda;
    }

    /**
     * Precomputes the products the training and test predictions need.
     *
     * @param network initial network W(0), a
     * @param x       n x d training inputs
     * @param y       n targets
     * @param xTest   t x d inputs whose predictions are reported (may have 0 rows)
     * @param lambda  ridge strength lambda >= 0 of eq. (2)
     */
    public static ReluNetworkTrainer prepare(TwoLayerReluNetwork network, DenseMatrix x, double[] y,
                                             DenseMatrix xTest, double lambda) {
        if (x.cols() != network.inputDim() || xTest.cols() != network.inputDim()) {
            throw new IllegalArgumentException("inputs have " + x.cols() + " / " + xTest.cols()
                    + " columns, the network expects " + network.inputDim());
        }
        if (y.length != x.rows()) {
            throw new IllegalArgumentException(y.length + " targets for " + x.rows() + " inputs");
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
        return new ReluNetworkTrainer(network.outputWeights(), network.preActivations(x),
                network.preActivations(xTest), Blas.multiply(Transpose.NO, x, Transpose.YES, x),
                Blas.multiply(Transpose.NO, x, Transpose.YES, xTest), y.clone(), lambda);
    }

    /** Trains on all n points. */
    public TrainingResult train(TrainingSchedule schedule) {
        int[] all = new int[y.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return train(all, schedule);
    }

    /** Trains on all points but {@code removed} (leave-one-out retraining from the same W(0)). */
    public TrainingResult trainWithout(int removed, TrainingSchedule schedule) {
        int[] keep = new int[y.length - 1];
        for (int i = 0, k = 0; i < y.length; i++) {
            if (i != removed) {
                keep[k++] = i;
            }
        }
        return train(keep, schedule);
    }

    /** Trains on the training points listed in {@code subset}, from W(0). */
    public TrainingResult train(int[] subset, TrainingSchedule schedule) {
        long t0 = System.nanoTime();
        int s = subset.length;
        DenseMatrix p = new DenseMatrix(m, s);
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < s; j++) {
                p.set(r, j, p0.get(r, subset[j]));
            }
        }
        DenseMatrix g = new DenseMatrix(s, s);
        double[] ys = new double[s];
        for (int i = 0; i < s; i++) {
            ys[i] = y[subset[i]];
            for (int j = 0; j < s; j++) {
                g.set(i, j, gram.get(subset[i], subset[j]));
            }
        }
        State st = schedule.method() == TrainingSchedule.Method.GRADIENT_DESCENT
                ? gradientDescent(p, g, ys, schedule) : gaussNewton(p, g, ys, schedule);
        // Test predictions: Z_test = P0_test + C (X_S X_test^T)
        DenseMatrix crossSub = new DenseMatrix(s, cross.cols());
        for (int i = 0; i < s; i++) {
            System.arraycopy(cross.data(), subset[i] * cross.cols(), crossSub.data(), i * cross.cols(), cross.cols());
        }
        DenseMatrix zt = p0Test.copy();
        if (cross.cols() > 0) {
            Blas.gemm(Transpose.NO, Transpose.NO, 1.0, st.c, crossSub, 1.0, zt);
        }
        double[] ft = TwoLayerReluNetwork.outputs(zt, a);
        double[] ftrain = TwoLayerReluNetwork.outputs(st.z, a);
        boolean converged = st.stalled || schedule.method() == TrainingSchedule.Method.GRADIENT_DESCENT;
        return new TrainingResult(ft, ftrain, st.steps, st.loss, st.grad, st.relGrad, converged,
                (System.nanoTime() - t0) / 1e9);
    }

    private static final class State {
        DenseMatrix c;
        DenseMatrix z;
        int steps;
        double loss;
        double grad;
        double relGrad;
        boolean stalled;
    }

    /** Z = P + C G. */
    private static DenseMatrix forward(DenseMatrix p, DenseMatrix c, DenseMatrix g) {
        DenseMatrix z = p.copy();
        Blas.gemm(Transpose.NO, Transpose.NO, 1.0, c, g, 1.0, z);
        return z;
    }

    /** D_ri = (a_r / sqrt(m)) 1{Z_ri > 0} res_i, the data part of the gradient's coefficients. */
    private DenseMatrix dataGradient(DenseMatrix z, double[] res) {
        int s = res.length;
        DenseMatrix d = new DenseMatrix(m, s);
        double[] zd = z.data();
        double[] dd = d.data();
        double sc = 1.0 / Math.sqrt(m);
        for (int r = 0; r < m; r++) {
            double ar = a[r] * sc;
            int off = r * s;
            for (int j = 0; j < s; j++) {
                if (zd[off + j] > 0) {
                    dd[off + j] = ar * res[j];
                }
            }
        }
        return d;
    }

    private double[] residual(DenseMatrix z, double[] ys) {
        double[] f = TwoLayerReluNetwork.outputs(z, a);
        for (int i = 0; i < f.length; i++) {
            f[i] -= ys[i];
        }
        return f;
    }

    /** L = 1/2 ||f - y||^2 + lambda/2 tr(C G C^T), with C G = Z - P. */
    private double loss(DenseMatrix z, DenseMatrix p, DenseMatrix c, double[] res) {
        double l = 0;
        for (double r : res) {
            l += r * r;
        }
        double reg = 0;
        double[] zd = z.data();
        double[] pd = p.data();
        double[] cd = c.data();
        for (int k = 0; k < cd.length; k++) {
            reg += cd[k] * (zd[k] - pd[k]);
        }
        return 0.5 * l + 0.5 * lambda * reg;
    }

    /** ||grad L||_F = sqrt(tr(E G E^T)) with E = D + lambda C (grad = E X). */
    private double gradientNorm(DenseMatrix z, DenseMatrix c, DenseMatrix g, double[] res) {
        DenseMatrix e = dataGradient(z, res);
        double[] ed = e.data();
        double[] cd = c.data();
        for (int k = 0; k < ed.length; k++) {
            ed[k] += lambda * cd[k];
        }
        DenseMatrix eg = Blas.multiply(e, g);
        double s = 0;
        double[] egd = eg.data();
        for (int k = 0; k < ed.length; k++) {
            s += ed[k] * egd[k];
        }
        return Math.sqrt(Math.max(0, s));
    }

    private State gradientDescent(DenseMatrix p, DenseMatrix g, double[] ys, TrainingSchedule sch) {
        DenseMatrix c = new DenseMatrix(m, ys.length);
        DenseMatrix z = p.copy();
        double[] res = residual(z, ys);
        double grad0 = gradientNorm(z, c, g, res);
        double lr = sch.learningRate();
        for (int step = 0; step < sch.maxSteps(); step++) {
            DenseMatrix d = dataGradient(z, res);
            double[] cd = c.data();
            double[] dd = d.data();
            double shrink = 1 - lr * lambda;
            for (int k = 0; k < cd.length; k++) {
                cd[k] = shrink * cd[k] - lr * dd[k];
            }
            z = forward(p, c, g);
            res = residual(z, ys);
        }
        State st = new State();
        st.c = c;
        st.z = z;
        st.steps = sch.maxSteps();
        st.loss = loss(z, p, c, res);
        st.grad = gradientNorm(z, c, g, res);
        st.relGrad = grad0 > 0 ? st.grad / grad0 : 0;
        return st;
    }

    private State gaussNewton(DenseMatrix p, DenseMatrix g, double[] ys, TrainingSchedule sch) {
        int s = ys.length;
        DenseMatrix c = new DenseMatrix(m, s);
        DenseMatrix z = p.copy();
        double[] res = residual(z, ys);
        double l = loss(z, p, c, res);
        double grad0 = gradientNorm(z, c, g, res);
        double grad = grad0;
        double sc = 1.0 / Math.sqrt(m);
        int it = 0;
        boolean stalled = false;
        while (it < sch.maxSteps() && grad0 > 0) {
            it++;
            double before = l;
            // Pattern S = 1{Z > 0}; within it f(W) = J vec(W) with J_i = (a_r/sqrt(m)) S_ri x_i.
            DenseMatrix ind = TwoLayerReluNetwork.indicator(z);
            DenseMatrix kemp = Blas.multiply(Transpose.YES, ind, Transpose.NO, ind);
            double[] rhs = new double[s];
            double[] pd = p.data();
            double[] sd = ind.data();
            for (int r = 0; r < m; r++) {
                double ar = a[r] * sc;
                int off = r * s;
                for (int j = 0; j < s; j++) {
                    rhs[j] -= ar * sd[off + j] * pd[off + j]; // - J W(0)
                }
            }
            for (int i = 0; i < s; i++) {
                rhs[i] += ys[i];
                for (int j = 0; j < s; j++) {
                    kemp.set(i, j, kemp.get(i, j) * g.get(i, j) / m);
                }
                kemp.add(i, i, lambda);
            }
            // Minimizer in the pattern: W* = W(0) + J^T u, (J J^T + lambda I) u = y - J W(0).
            double[] u = Cholesky.factorize(kemp).solve(rhs);
            DenseMatrix target = new DenseMatrix(m, s);
            double[] td = target.data();
            for (int r = 0; r < m; r++) {
                double ar = a[r] * sc;
                int off = r * s;
                for (int j = 0; j < s; j++) {
                    td[off + j] = ar * sd[off + j] * u[j];
                }
            }
            // Z is affine in C (Z = P + C G), so along C + step (T - C) the pre-activations are
            // Z + step (Z_T - Z) with Z_T = P + T G: one product per iteration, not one per backtracking step
            DenseMatrix zTarget = forward(p, target, g);
            double[] ztd = zTarget.data();
            double step = 1.0;
            boolean accepted = false;
            for (int back = 0; back < 12 && !accepted; back++, step *= 0.5) {
                DenseMatrix trial = c.copy();
                double[] trd = trial.data();
                double[] cd = c.data();
                for (int k = 0; k < trd.length; k++) {
                    trd[k] = cd[k] + step * (td[k] - cd[k]);
                }
                DenseMatrix zt = z.copy();
                double[] zd = zt.data();
                for (int k = 0; k < zd.length; k++) {
                    zd[k] += step * (ztd[k] - zd[k]);
                }
                double[] rt = residual(zt, ys);
                double lt = loss(zt, p, trial, rt);
                if (lt <= l) {
                    c = trial;
                    z = zt;
                    res = rt;
                    l = lt;
                    accepted = true;
                }
            }
            if (!accepted || before - l <= sch.gradientTolerance() * before) {
                stalled = true; // no further descent along the Gauss-Newton direction: a (kinked) minimizer
                break;
            }
        }
        grad = gradientNorm(z, c, g, res);
        State st = new State();
        st.c = c;
        st.z = z;
        st.steps = it;
        st.loss = l;
        st.grad = grad;
        st.relGrad = grad0 > 0 ? grad / grad0 : 0;
        st.stalled = stalled || grad0 == 0;
        return st;
    }

    /**
     * One training run.
     *
     * @param testPredictions      f(x_test) after training
     * @param trainPredictions     f(x_i) on the points trained on, in subset order
     * @param steps                gradient steps or Gauss-Newton iterations taken
     * @param loss                 final value of eq. (2)
     * @param gradientNorm         final ||grad L||_F
     * @param relativeGradientNorm final ||grad L||_F / ||grad L(W(0))||_F
     * @param converged            Gauss-Newton: an iteration lowered the loss by less than the tolerance (relative)
     *                             before the iteration cap; gradient descent:
     *                             always true (it runs its fixed schedule; judge by relativeGradientNorm)
     * @param seconds              wall time
     */
    public record TrainingResult(double[] testPredictions, double[] trainPredictions, int steps, double loss,
                                 double gradientNorm, double relativeGradientNorm, boolean converged,
                                 double seconds) {
    }
}
