package org.exemplar.model;

import java.nio.file.Path;
import java.util.Arrays;
import org.exemplar.data.DataException;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.Vectors;
import org.exemplar.solver.NewtonCg;
import org.exemplar.solver.OptimizationResult;
import org.exemplar.solver.TwiceDifferentiableFunction;

/**
 * Logistic regression on sparse data with an L1 or L2 penalty, trained to a checked optimum.
 * Objective (Tsai et al. 2023, eq. 1, labels y in {-1, +1}):
 * F(theta, b) = (1/n) sum_i log(1 + exp(-y_i (x_i^T theta + b))) + lambda ||theta||_1   (L1), or
 * + (lambda/2) ||theta||^2 (L2); the bias b is fitted only when asked and is never penalized.
 *
 * <p>L1 solver: LIBLINEAR's newGLMNET (Java port) locates the support (skipped when a warm start is given, e.g. for
 * retraining after deletions), then an orthant-wise projected Newton polish on working sets (non-zero weights and
 * KKT violators; Jacobi-preconditioned CG on exact Hessian-vector products) runs until the KKT residual of the
 * whole problem is at most the tolerance; a step that cannot lower the objective (or, at roundoff level, the KKT
 * residual) ends the fit as not converged, with the residual in the message. L2: Newton-CG on the smooth
 * objective.
 */
public final class SparseLogisticRegression {

    public enum Penalty { L1, L2 }


    private final Penalty penalty;
    private final double lambda;
    private final boolean fitBias;
    private final double tolerance;
    private final int maxIterations;

    public SparseLogisticRegression(Penalty penalty, double lambda, boolean fitBias, double tolerance,
                                    int maxIterations) {
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a positive number, got " + lambda);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        this.penalty = penalty;
        this.lambda = lambda;
        this.fitBias = fitBias;
        this.tolerance = tolerance;
        this.maxIterations = maxIterations;
    }

    public double lambda() {
        return lambda;
    }

    public Penalty penalty() {
        return penalty;
    }

    /** KKT residual target of every fit, relative to lambda. */
    public double tolerance() {
        return tolerance;
    }

    /** Solver iteration cap. */
    public int maxIterations() {
        return maxIterations;
    }

    public boolean fitBias() {
        return fitBias;
    }

    /** Labels {0, 1} or {-1, +1} as -1/+1; anything else is an error naming the file and row. */
    public static double[] signedLabels(double[] labels, Path file) {
        boolean zeroOne = true;
        for (int i = 0; i < labels.length; i++) {
            double v = labels[i];
            if (v == -1) {
                zeroOne = false;
            } else if (v != 0 && v != 1) {
                throw new DataException(file, "binary logistic regression needs labels 0/1 or -1/+1; row " + i
                        + " has " + v);
            }
        }
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = zeroOne ? (labels[i] == 1 ? 1 : -1) : labels[i];
            if (!zeroOne && labels[i] == 0) {
                throw new DataException(file, "labels mix 0 and -1 (row " + i + "); use 0/1 or -1/+1");
            }
        }
        return y;
    }

    /** l'(y, z) = d/dz log(1 + exp(-y z)) = -y sigma(-y z). */
    public static double lossDerivative(double y, double z) {
        return -y * sigmoid(-y * z);
    }

    /** l''(y, z) = sigma(z) sigma(-z). */
    public static double lossSecondDerivative(double z) {
        double s = sigmoid(z);
        return s * (1 - s);
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    static double logLoss(double y, double z) {
        double m = -y * z;
        return m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    }

    /** Margins x_i^T theta + b. */
    public static double[] margins(CsrMatrix x, double[] theta, double bias) {
        double[] z = x.multiply(theta);
        if (bias != 0) {
            for (int i = 0; i < z.length; i++) {
                z[i] += bias;
            }
        }
        return z;
    }

    /** Gradient of the data term (1/n) sum loss with respect to theta (length p) and, last, b. */
    static double[] dataGradient(CsrMatrix x, double[] y, double[] z) {
        int n = y.length;
        double[] d = new double[n];
        double gb = 0;
        for (int i = 0; i < n; i++) {
            d[i] = lossDerivative(y[i], z[i]) / n;
            gb += d[i];
        }
        double[] g = x.transposeMultiply(d);
        double[] out = Arrays.copyOf(g, g.length + 1);
        out[g.length] = gb;
        return out;
    }

    double objective(CsrMatrix x, double[] y, double[] theta, double bias) {
        double[] z = margins(x, theta, bias);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += logLoss(y[i], z[i]);
        }
        s /= y.length;
        if (penalty == Penalty.L1) {
            for (double t : theta) {
                s += lambda * Math.abs(t);
            }
        } else {
            s += 0.5 * lambda * Vectors.dot(theta, theta);
        }
        return s;
    }

    /** KKT residual relative to lambda (see {@link SparseFit#kktResidual()}). */
    public double kktResidual(CsrMatrix x, double[] y, double[] theta, double bias) {
        double[] g = dataGradient(x, y, margins(x, theta, bias));
        int p = theta.length;
        double worst = fitBias ? Math.abs(g[p]) : 0;
        if (penalty == Penalty.L2) {
            double[] full = new double[p];
            for (int j = 0; j < p; j++) {
                full[j] = g[j] + lambda * theta[j];
            }
            double tn = Vectors.norm2(theta);
            return Math.max(worst / lambda, Vectors.norm2(full) / (lambda * Math.max(tn, 1e-300)));
        }
        for (int j = 0; j < p; j++) {
            double v = theta[j] != 0 ? Math.abs(g[j] + lambda * Math.signum(theta[j]))
                    : Math.max(0, Math.abs(g[j]) - lambda);
            worst = Math.max(worst, v);
        }
        return worst / lambda;
    }

    /**
     * Fits the model.
     *
     * @param y    labels in {-1, +1}
     * @param warm starting theta (length p) or null for zeros; the optimum does not depend on it when unique
     */
    public SparseFit fit(CsrMatrix x, double[] y, double[] warm) {
        if (y.length != x.rows()) {
            throw new IllegalArgumentException(y.length + " labels for " + x.rows() + " rows");
        }
        long t0 = System.nanoTime();
        double[] theta = warm == null ? new double[x.cols()] : warm.clone();
        double[] bias = {0};
        int[] iters = {0};
        String message;
        if (penalty == Penalty.L2) {
            message = smoothNewton(x, y, theta, bias, iters);
        } else {
            if (warm == null) {
                liblinear(x, y, theta, bias);
            }
            message = activeSetPolish(x, y, theta, bias, iters);
        }
        double kkt = kktResidual(x, y, theta, bias[0]);
        int support = 0;
        for (double t : theta) {
            support += t != 0 ? 1 : 0;
        }
        boolean ok = kkt <= tolerance;
        return new SparseFit(theta, bias[0], fitBias, objective(x, y, theta, bias[0]), kkt, support, iters[0], ok,
                ok ? "converged" : message + "; KKT residual " + kkt + " > tolerance " + tolerance,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * First stage for L1: LIBLINEAR's newGLMNET solver (Fan et al. 2008; Java port de.bwaldvogel:liblinear) on
     * C sum_i log(1 + exp(-y_i w^T x_i)) + ||w||_1 with C = 1/(n lambda), the same minimizer as our objective.
     * With a bias it runs with LIBLINEAR's (penalized) bias feature; the polish then frees the bias.
     */
    private void liblinear(CsrMatrix x, double[] y, double[] theta, double[] bias) {
        int n = x.rows();
        int p = x.cols();
        de.bwaldvogel.liblinear.Problem prob = new de.bwaldvogel.liblinear.Problem();
        prob.l = n;
        prob.n = p + (fitBias ? 1 : 0);
        prob.bias = fitBias ? 1.0 : -1;
        prob.y = y.clone();
        prob.x = new de.bwaldvogel.liblinear.Feature[n][];
        for (int i = 0; i < n; i++) {
            int a = x.indptr()[i];
            int len = x.indptr()[i + 1] - a;
            de.bwaldvogel.liblinear.Feature[] row = new de.bwaldvogel.liblinear.Feature[len + (fitBias ? 1 : 0)];
            for (int k = 0; k < len; k++) {
                row[k] = new de.bwaldvogel.liblinear.FeatureNode(x.indices()[a + k] + 1, x.values()[a + k]);
            }
            if (fitBias) {
                row[len] = new de.bwaldvogel.liblinear.FeatureNode(p + 1, 1.0);
            }
            prob.x[i] = row;
        }
        de.bwaldvogel.liblinear.Parameter param = new de.bwaldvogel.liblinear.Parameter(
                de.bwaldvogel.liblinear.SolverType.L1R_LR, 1.0 / (n * lambda), 1e-4);
        de.bwaldvogel.liblinear.Model m;
        synchronized (SparseLogisticRegression.class) {
            de.bwaldvogel.liblinear.Linear.disableDebugOutput();
            de.bwaldvogel.liblinear.Linear.resetRandom();
            m = de.bwaldvogel.liblinear.Linear.train(prob, param);
        }
        double[] w = m.getFeatureWeights();
        // LIBLINEAR's decision value is for its first label; make it the decision value for +1
        double sign = m.getLabels()[0] == 1 ? 1 : -1;
        for (int j = 0; j < p; j++) {
            theta[j] = sign * w[j];
        }
        bias[0] = fitBias ? sign * w[p] : 0;
    }

    private static double smoothLoss(double[] y, double[] z) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += logLoss(y[i], z[i]);
        }
        return s / y.length;
    }

    /** Pseudo-gradient of the L1 objective (the minimum-norm subgradient); the bias entry last. */
    private double[] pseudoGradient(double[] g, double[] theta) {
        int p = theta.length;
        double[] pg = new double[p + 1];
        for (int j = 0; j < p; j++) {
            if (theta[j] != 0) {
                pg[j] = g[j] + lambda * Math.signum(theta[j]);
            } else if (g[j] + lambda < 0) {
                pg[j] = g[j] + lambda;
            } else if (g[j] - lambda > 0) {
                pg[j] = g[j] - lambda;
            }
        }
        pg[p] = fitBias ? g[p] : 0;
        return pg;
    }

    /**
     * Orthant-wise projected Newton polish (the Newton analogue of OWL-QN, Andrew &amp; Gao 2007): on the free set
     * (non-zero weights and zero weights whose pseudo-gradient is non-zero) solve H d = -pg by conjugate gradient on
     * exact Hessian-vector products, then backtrack along d with every coordinate projected back onto its orthant
     * (a weight that would cross zero stops at zero), accepting only decreases of the true L1 objective. Stops at
     * KKT residual &lt;= tolerance. Working sets (as glmnet's ever-active sets): the Newton iterations run on the
     * columns of the non-zero weights and the current KKT violators only, so each Hessian-vector product costs the
     * non-zeros of X on that set rather than all of X; one full gradient per round then checks the KKT conditions of
     * the whole problem and adds any new violators.
     */
    private String activeSetPolish(CsrMatrix x, double[] y, double[] theta, double[] bias, int[] iters) {
        int p = theta.length;
        int cap = Math.min(maxIterations, 500);
        int[] previous = null;
        String message = "iteration cap reached";
        while (iters[0] < cap) {
            double[] pg = pseudoGradient(dataGradient(x, y, margins(x, theta, bias[0])), theta);
            if (Vectors.maxAbs(pg) / lambda <= tolerance) {
                return "converged";
            }
            int[] work = java.util.stream.IntStream.range(0, p).filter(j -> theta[j] != 0 || pg[j] != 0).toArray();
            if (previous != null && Arrays.equals(work, previous)) {
                return message; // the restricted solve failed and found nothing new to add
            }
            previous = work;
            CsrMatrix xw = x.selectColumns(work);
            double[] tw = new double[work.length];
            for (int k = 0; k < work.length; k++) {
                tw[k] = theta[work[k]];
            }
            message = projectedNewton(xw, y, tw, bias, iters, 0.5 * tolerance, cap);
            Arrays.fill(theta, 0);
            for (int k = 0; k < work.length; k++) {
                theta[work[k]] = tw[k];
            }
            if (message.equals("converged")) {
                previous = null; // the restricted problem is solved: any change of the set is progress
            }
        }
        return message;
    }

    /**
     * The projected Newton iterations of {@link #activeSetPolish} on one working set: {@code x} holds only the
     * working set's columns (every other weight is fixed at zero, so margins and objective are exact), stopping at
     * a restricted KKT residual of {@code tol}.
     */
    private String projectedNewton(CsrMatrix x, double[] y, double[] theta, double[] bias, int[] iters, double tol,
                                   int cap) {
        int p = theta.length;
        int n = y.length;
        double f = objective(x, y, theta, bias[0]);
        while (iters[0] < cap) {
            iters[0]++;
            double[] z = margins(x, theta, bias[0]);
            double[] g = dataGradient(x, y, z);
            double[] pg = pseudoGradient(g, theta);
            double kkt = 0;
            for (double v : pg) {
                kkt = Math.max(kkt, Math.abs(v));
            }
            kkt /= lambda;
            if (kkt <= tol) {
                return "converged";
            }
            int[] free = java.util.stream.IntStream.range(0, p).filter(j -> theta[j] != 0 || pg[j] != 0).toArray();
            int q = free.length;
            int dim = q + (fitBias ? 1 : 0);
            double[] orthant = new double[p];
            for (int j : free) {
                orthant[j] = theta[j] != 0 ? Math.signum(theta[j]) : -Math.signum(pg[j]);
            }
            double[] curv = new double[n];
            for (int i = 0; i < n; i++) {
                curv[i] = lossSecondDerivative(z[i]) / n;
            }
            org.exemplar.linalg.LinearOperator h = new org.exemplar.linalg.LinearOperator() {
                @Override
                public int dim() {
                    return dim;
                }

                @Override
                public void apply(double[] v, double[] out) {
                    double[] full = new double[p];
                    for (int k = 0; k < q; k++) {
                        full[free[k]] = v[k];
                    }
                    double[] xv = margins(x, full, fitBias ? v[q] : 0);
                    double sb = 0;
                    for (int i = 0; i < n; i++) {
                        xv[i] *= curv[i];
                        sb += xv[i];
                    }
                    double[] hv = x.transposeMultiply(xv);
                    for (int k = 0; k < q; k++) {
                        out[k] = hv[free[k]] + 1e-12 * v[k];
                    }
                    if (fitBias) {
                        out[q] = sb + 1e-12 * v[q];
                    }
                }
            };
            double[] rhs = new double[dim];
            for (int k = 0; k < q; k++) {
                rhs[k] = -pg[free[k]];
            }
            if (fitBias) {
                rhs[q] = -pg[p];
            }
            // Jacobi preconditioner: diag H = (1/n) sum_i l''_i x_ij^2 (column scales of bag-of-words data span
            // orders of magnitude, which plain CG pays for in iterations)
            double[] inverseDiagonal = new double[dim];
            int[] position = new int[p];
            Arrays.fill(position, -1);
            for (int k = 0; k < q; k++) {
                position[free[k]] = k;
            }
            for (int i = 0; i < n; i++) {
                for (int k = x.indptr()[i]; k < x.indptr()[i + 1]; k++) {
                    int pos = position[x.indices()[k]];
                    if (pos >= 0) {
                        inverseDiagonal[pos] += curv[i] * x.values()[k] * x.values()[k];
                    }
                }
                if (fitBias) {
                    inverseDiagonal[q] += curv[i];
                }
            }
            for (int k = 0; k < dim; k++) {
                inverseDiagonal[k] = 1 / (inverseDiagonal[k] + 1e-12);
            }
            var cgres = new org.exemplar.solver.ConjugateGradient(Math.min(0.1, Math.sqrt(kkt * lambda)), 200)
                    .solve(h, rhs, inverseDiagonal);
            double[] d = cgres.x();
            double slope = 0;
            for (int k = 0; k < dim; k++) {
                slope -= d[k] * rhs[k];
            }
            if (!(slope < 0)) {
                d = rhs.clone(); // steepest descent on the pseudo-gradient
            }
            double step = 1;
            boolean accepted = false;
            for (int ls = 0; ls < 50; ls++) {
                double[] trial = theta.clone();
                for (int k = 0; k < q; k++) {
                    int j = free[k];
                    double v = theta[j] + step * d[k];
                    trial[j] = Math.signum(v) == orthant[j] ? v : 0;
                }
                double tb = fitBias ? bias[0] + step * d[q] : 0;
                double ft = objective(x, y, trial, tb);
                boolean better = ft < f;
                if (Math.abs(ft - f) <= 1e-13 * Math.max(1, Math.abs(f))) {
                    // objective differences at roundoff level (|F| ~ 0.3 carries ~1e-17 absolute precision; a
                    // Newton step at KKT residual 1e-7 lambda changes F by less): decide on the KKT residual instead
                    double[] pgt = pseudoGradient(dataGradient(x, y, margins(x, trial, tb)), trial);
                    better = Vectors.maxAbs(pgt) / lambda < kkt;
                }
                if (better) {
                    System.arraycopy(trial, 0, theta, 0, p);
                    bias[0] = tb;
                    f = ft;
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                return "projected Newton step made no progress at KKT residual " + kkt;
            }
        }
        return "iteration cap reached";
    }

    /** Newton-CG on the smooth L2 problem. Variables: theta and, last, the bias. */
    private String smoothNewton(CsrMatrix x, double[] y, double[] theta, double[] bias, int[] iters) {
        int p = theta.length;
        int[] free = java.util.stream.IntStream.range(0, p).toArray();
        int q = free.length;
        int dim = q + (fitBias ? 1 : 0);
        int n = y.length;
        TwiceDifferentiableFunction f = new TwiceDifferentiableFunction() {
            @Override
            public int dim() {
                return dim;
            }

            double[] full(double[] w) {
                double[] t = new double[p];
                for (int k = 0; k < q; k++) {
                    t[free[k]] = w[k];
                }
                return t;
            }

            @Override
            public double valueAndGradient(double[] w, double[] grad) {
                double b = fitBias ? w[q] : 0;
                double[] z = margins(x, full(w), b);
                double[] gAll = dataGradient(x, y, z);
                double v = smoothLoss(y, z);
                for (int k = 0; k < q; k++) {
                    grad[k] = gAll[free[k]] + lambda * w[k];
                    v += 0.5 * lambda * w[k] * w[k];
                }
                if (fitBias) {
                    grad[q] = gAll[p];
                }
                return v;
            }

            @Override
            public void hessianVector(double[] w, double[] vec, double[] out) {
                double b = fitBias ? w[q] : 0;
                double[] z = margins(x, full(w), b);
                double[] xv = margins(x, full(vec), fitBias ? vec[q] : 0);
                for (int i = 0; i < n; i++) {
                    xv[i] *= lossSecondDerivative(z[i]) / n;
                }
                double[] h = x.transposeMultiply(xv);
                for (int k = 0; k < q; k++) {
                    out[k] = h[free[k]] + lambda * vec[k];
                }
                if (fitBias) {
                    double s = 0;
                    for (double v : xv) {
                        s += v;
                    }
                    out[q] = s;
                }
            }
        };
        double[] w0 = new double[dim];
        for (int k = 0; k < q; k++) {
            w0[k] = theta[free[k]];
        }
        if (fitBias) {
            w0[q] = bias[0];
        }
        // stop on the gradient of the smooth problem relative to lambda: KKT on the support
        OptimizationResult res = new NewtonCg(200, tolerance * 0.5).minimize(f, w0,
                (w, g) -> Vectors.maxAbs(g) / lambda, null);
        iters[0] += res.iterations();
        for (int k = 0; k < q; k++) {
            theta[free[k]] = res.x()[k];
        }
        if (fitBias) {
            bias[0] = res.x()[q];
        }
        return res.message();
    }
}
