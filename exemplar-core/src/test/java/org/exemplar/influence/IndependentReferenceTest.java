package org.exemplar.influence;

import org.exemplar.linalg.ReferenceLinearAlgebra;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.LinearOperator;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.solver.ConjugateGradientSolver;
import org.exemplar.solver.ExactSolver;
import org.junit.jupiter.api.Test;

/**
 * References for MLP influence and LiSSA's mini-batches that share no code with the curvature products
 * (issue 15): the Hessian formed by central differences of the analytic gradient, the Gauss-Newton matrix
 * formed from Jacobians by central differences of the logits and the closed-form softmax Hessian
 * diag(p) - p p^T, gradients of single-example losses by central differences of the loss, and inverses by
 * Gauss-Jordan elimination.
 */
class IndependentReferenceTest {
    static final Loss SOFTMAX = new SoftmaxCrossEntropy();

    static DenseMatrix gaussian(int r, int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(r, c);
        for (int k = 0; k < r * c; k++) {
            m.data()[k] = rng.nextGaussian();
        }
        return m;
    }

    static DenseMatrix labels(int n, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
        }
        return SOFTMAX.targetsFromLabels(y, classes);
    }

    /** A 4-5-3 tanh network, 30 training and 4 test examples, l2 = 0.01. */
    final Mlp net = Mlp.initialize(new int[] {4, 5, 3}, new Activation[] {Activation.TANH}, 17);
    final DenseMatrix x = gaussian(30, 4, 1);
    final DenseMatrix t = labels(30, 3, 2);
    final DenseMatrix xt = gaussian(4, 4, 3);
    final DenseMatrix tt = labels(4, 3, 4);
    final TrainingData td = new TrainingData(x, t, SOFTMAX, 0.01);
    final double damping = 0.5;

    @Test
    void mlpInfluenceMatchesAFiniteDifferenceHessian() {
        int p = net.parameterCount();
        double[] theta = net.parameters();
        Mlp m = net.copy();
        // H by central differences of the analytic gradient (error O(h^2) ~ 1e-10, rounding ~1e-16/h ~ 1e-11)
        double h = 1e-5;
        double[][] hess = new double[p][p];
        for (int k = 0; k < p; k++) {
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[k] += h;
            tm[k] -= h;
            m.setParameters(tp);
            double[] gp = m.gradient(x, t, SOFTMAX, td.l2());
            m.setParameters(tm);
            double[] gm = m.gradient(x, t, SOFTMAX, td.l2());
            for (int r = 0; r < p; r++) {
                hess[r][k] = (gp[r] - gm[r]) / (2 * h);
            }
        }
        m.setParameters(theta);
        symmetrizeAndDamp(hess, damping);
        DenseMatrix reference = referenceScores(m, invert(hess));
        DenseMatrix exact = InfluenceFunctions.prepare(net, td, InfluenceOptions.of(Curvature.HESSIAN, damping),
                new ExactSolver()).scores(xt, tt, TestFunction.LOSS, null).scores();
        DenseMatrix cg = InfluenceFunctions.prepare(net, td, InfluenceOptions.of(Curvature.HESSIAN, damping),
                new ConjugateGradientSolver(1e-12, 500)).scores(xt, tt, TestFunction.LOSS, null).scores();
        // finite-difference Hessian and gradients are accurate to ~1e-9 relative; A is well conditioned (damping
        // 0.5), so scores agree to ~1e-8 relative; 1e-6 leaves margin
        assertClose(reference, exact, 1e-6, "exact solver vs finite-difference Hessian");
        assertClose(reference, cg, 1e-6, "CG vs finite-difference Hessian");
    }

    @Test
    void gaussNewtonInfluenceMatchesJacobiansByFiniteDifferences() {
        int p = net.parameterCount();
        int n = x.rows();
        double[] theta = net.parameters();
        Mlp m = net.copy();
        double[][] g = new double[p][p];
        DenseMatrix z = m.logits(x);
        double h = 1e-6;
        for (int i = 0; i < n; i++) {
            DenseMatrix xi = x.rowRange(i, i + 1);
            double[][] jac = new double[3][p]; // d logits_c / d theta_k
            for (int k = 0; k < p; k++) {
                double[] tp = theta.clone();
                double[] tm = theta.clone();
                tp[k] += h;
                tm[k] -= h;
                m.setParameters(tp);
                double[] zp = m.logits(xi).row(0);
                m.setParameters(tm);
                double[] zm = m.logits(xi).row(0);
                for (int c = 0; c < 3; c++) {
                    jac[c][k] = (zp[c] - zm[c]) / (2 * h);
                }
            }
            m.setParameters(theta);
            double[] prob = softmax(z.row(i));
            double[][] hs = new double[3][3]; // Hessian of cross-entropy in the logits: diag(p) - p p^T
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    hs[a][b] = (a == b ? prob[a] : 0) - prob[a] * prob[b];
                }
            }
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    if (hs[a][b] == 0) {
                        continue;
                    }
                    for (int r = 0; r < p; r++) {
                        double ja = jac[a][r] * hs[a][b] / n;
                        for (int k = 0; k < p; k++) {
                            g[r][k] += ja * jac[b][k];
                        }
                    }
                }
            }
        }
        for (int r = 0; r < p; r++) {
            g[r][r] += td.l2(); // objective (1/n) sum L + l2/2 |theta|^2, biases included
        }
        symmetrizeAndDamp(g, damping);
        DenseMatrix reference = referenceScores(m, invert(g));
        InfluenceOptions o = InfluenceOptions.of(Curvature.GAUSS_NEWTON, damping);
        DenseMatrix exact = InfluenceFunctions.prepare(net, td, o, new ExactSolver())
                .scores(xt, tt, TestFunction.LOSS, null).scores();
        DenseMatrix cg = InfluenceFunctions.prepare(net, td, o, new ConjugateGradientSolver(1e-12, 500))
                .scores(xt, tt, TestFunction.LOSS, null).scores();
        assertClose(reference, exact, 1e-6, "exact solver vs Gauss-Newton from finite-difference Jacobians");
        assertClose(reference, cg, 1e-6, "CG vs Gauss-Newton from finite-difference Jacobians");
    }

    /** (1/n) grad f_t^T A^{-1} grad L_i with both gradients by central differences of single-example losses. */
    private DenseMatrix referenceScores(Mlp m, double[][] aInv) {
        int n = x.rows();
        DenseMatrix out = new DenseMatrix(xt.rows(), n);
        double[][] gi = new double[n][];
        for (int i = 0; i < n; i++) {
            gi[i] = lossGradient(m, x.rowRange(i, i + 1), t.rowRange(i, i + 1));
        }
        for (int r = 0; r < xt.rows(); r++) {
            double[] s = mul(aInv, lossGradient(m, xt.rowRange(r, r + 1), tt.rowRange(r, r + 1)));
            for (int i = 0; i < n; i++) {
                out.set(r, i, dot(s, gi[i]) / n);
            }
        }
        return out;
    }

    private static double[] lossGradient(Mlp m, DenseMatrix xi, DenseMatrix ti) {
        double[] theta = m.parameters();
        double[] g = new double[theta.length];
        double h = 1e-6;
        for (int k = 0; k < theta.length; k++) {
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[k] += h;
            tm[k] -= h;
            m.setParameters(tp);
            double fp = m.meanLoss(xi, ti, SOFTMAX);
            m.setParameters(tm);
            double fm = m.meanLoss(xi, ti, SOFTMAX);
            g[k] = (fp - fm) / (2 * h);
        }
        m.setParameters(theta);
        return g;
    }

    /**
     * LiSSA's mini-batch operator (ModelCurvature.sample) must be (1/|B|) sum_{i in B} C_i + l2 I + damping I for
     * some |B|-subset B of the training set, different subsets on different draws, and unbiased: the mean over
     * many draws approaches the full operator. The per-subset references are the operator on that subset alone.
     */
    @Test
    void miniBatchOperatorIsASubsetAverageAndUnbiased() {
        int n = 6;
        int b = 2;
        DenseMatrix xs = gaussian(n, 3, 5).scaleInPlace(2.0);
        DenseMatrix ts = labels(n, 2, 6);
        Mlp lin = LinearModels.zeros(3, 2);
        lin.setParameters(gaussian(1, lin.parameterCount(), 7).row(0));
        TrainingData d6 = new TrainingData(xs, ts, SOFTMAX, 0.05);
        ModelCurvature full = new ModelCurvature(lin, d6, Curvature.HESSIAN, 0.1);
        int p = full.dim();
        List<int[]> subsets = new ArrayList<>();
        List<DenseMatrix> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                subsets.add(new int[] {i, j});
                refs.add(new ModelCurvature(lin, d6.subset(new int[] {i, j}), Curvature.HESSIAN, 0.1).toDense());
            }
        }
        DenseMatrix a = full.toDense();
        SplittableRandom rng = new SplittableRandom(11);
        int draws = 3000;
        double[] mean = new double[p * p];
        Set<Integer> seen = new HashSet<>();
        for (int s = 0; s < draws; s++) {
            DenseMatrix m = dense(full.sample(b, rng), p);
            int match = -1;
            for (int q = 0; q < refs.size() && match < 0; q++) {
                if (maxAbsDiff(m, refs.get(q)) < 1e-12) {
                    match = q;
                }
            }
            final int s0 = s;
            assertTrue(match >= 0, () -> "draw " + s0 + " is not the operator of any 2-subset (full operator differs "
                    + "by " + maxAbsDiff(m, a) + ")");
            seen.add(match);
            for (int k = 0; k < mean.length; k++) {
                mean[k] += m.data()[k] / draws;
            }
        }
        assertEquals(subsets.size(), seen.size(), "3000 draws should visit all 15 subsets");
        // Monte Carlo: each entry's standard error is at most (spread over subsets) / sqrt(3000) < 2 % of the
        // largest entry here; 6 % is three standard errors
        double scale = maxAbs(a.data());
        for (int k = 0; k < mean.length; k++) {
            assertEquals(a.data()[k], mean[k], 0.06 * scale, "entry " + k + " of the mean mini-batch operator");
        }
        // a batch as large as the data is the full operator
        assertTrue(maxAbsDiff(dense(full.sample(n, rng), p), a) < 1e-12);
    }

    // ---------------------------------------------------------------------------------------- helpers

    static DenseMatrix dense(LinearOperator op, int p) {
        DenseMatrix m = new DenseMatrix(p, p);
        double[] e = new double[p];
        double[] col = new double[p];
        for (int k = 0; k < p; k++) {
            e[k] = 1;
            op.apply(e, col);
            e[k] = 0;
            for (int r = 0; r < p; r++) {
                m.set(r, k, col[r]);
            }
        }
        return m;
    }

    static double maxAbsDiff(DenseMatrix a, DenseMatrix b) {
        double w = 0;
        for (int k = 0; k < a.data().length; k++) {
            w = Math.max(w, Math.abs(a.data()[k] - b.data()[k]));
        }
        return w;
    }

    static double maxAbs(double[] v) {
        double w = 0;
        for (double d : v) {
            w = Math.max(w, Math.abs(d));
        }
        return w;
    }

    static void assertClose(DenseMatrix ref, DenseMatrix got, double rel, String what) {
        double scale = maxAbs(ref.data());
        assertTrue(scale > 0, what + ": zero reference");
        double diff = maxAbsDiff(ref, got);
        assertTrue(diff <= rel * scale, what + ": max difference " + diff + " vs scale " + scale);
    }

    static void symmetrizeAndDamp(double[][] a, double damping) {
        for (int r = 0; r < a.length; r++) {
            for (int k = r + 1; k < a.length; k++) {
                double v = 0.5 * (a[r][k] + a[k][r]);
                a[r][k] = v;
                a[k][r] = v;
            }
            a[r][r] += damping;
        }
    }

    static double[] softmax(double[] z) {
        double mx = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            mx = Math.max(mx, v);
        }
        double s = 0;
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(z[c] - mx);
            s += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= s;
        }
        return p;
    }

    static double[][] invert(double[][] m) {
        return ReferenceLinearAlgebra.invert(m);
    }

    static double[] mul(double[][] m, double[] v) {
        return ReferenceLinearAlgebra.mul(m, v);
    }

    static double dot(double[] a, double[] b) {
        return ReferenceLinearAlgebra.dot(a, b);
    }
}
