package org.exemplar.ntk;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Cholesky;

/**
 * Kernel ridge regression with the NTK and the exact leave-one-out influence of every training point
 * (Zhang &amp; Zhang 2022, eq. 6-9).
 *
 * <p>With A = (K + lambda I)^{-1}, beta = A Y (eq. 6: f(x) = K_x^T beta) and, for a test point, g = A K_te
 * (g_i = alpha(x_i, x_te) of eq. 13), removing training point i gives (eq. 9, the rank-one downdate of A)
 * <pre>
 *   f^{\i}(x_te) = f(x_te) - g_i beta_i / A_ii,      f^{\i}(x_i) - y_i = -beta_i / A_ii,
 *   I(x_i, x_te) = 1/2 (f^{\i}(x_te) - y_te)^2 - 1/2 (f(x_te) - y_te)^2          (eq. 8)
 * </pre>
 * so every (test, train) pair costs O(1) after one Cholesky factorization (n^3/3 flops), one triangular
 * inverse for diag(A) (n^3/3) and one multi-right-hand-side solve for g (2 n^2 n_test).
 *
 * <p>Instances are immutable once fit; {@link #score} may be called for any number of test sets.
 */
public final class NtkInfluence {
    private final double lambda;
    private final double[] y;
    private final double[] beta;
    private final double[] inverseDiagonal;
    private final double[] trainingPredictions;
    private final Cholesky factorization;
    private final double secondsFactor;
    private final double secondsDiagonal;

    private NtkInfluence(double lambda, double[] y, double[] beta, double[] inverseDiagonal,
                         double[] trainingPredictions, Cholesky factorization, double secondsFactor,
                         double secondsDiagonal) {
        this.lambda = lambda;
        this.y = y;
        this.beta = beta;
        this.inverseDiagonal = inverseDiagonal;
        this.trainingPredictions = trainingPredictions;
        this.factorization = factorization;
        this.secondsFactor = secondsFactor;
        this.secondsDiagonal = secondsDiagonal;
    }

    /**
     * Fits eq. (5)-(6) on the training kernel.
     *
     * @param kTrain the n x n NTK matrix of the training inputs ({@link NtkKernel#gram})
     * @param y      the n training targets (in [-1, 1] for the theory; not enforced here)
     * @param lambda ridge strength lambda >= 0 of eq. (2)
     * @throws ArithmeticException when K + lambda I is not numerically positive definite (for example duplicate
     *                             training inputs with lambda = 0), naming the failing leading minor
     */
    public static NtkInfluence fit(DenseMatrix kTrain, double[] y, double lambda) {
        int n = kTrain.rows();
        if (kTrain.cols() != n) {
            throw new IllegalArgumentException("training kernel must be square, got " + kTrain.shapeString());
        }
        if (y.length != n) {
            throw new IllegalArgumentException(y.length + " targets for " + n + " training points");
        }
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
        DenseMatrix m = kTrain.copy();
        for (int i = 0; i < n; i++) {
            m.add(i, i, lambda);
        }
        long t0 = System.nanoTime();
        Cholesky f = Cholesky.factorize(m);
        long t1 = System.nanoTime();
        double[] diag = f.inverseDiagonal();
        long t2 = System.nanoTime();
        double[] beta = f.solve(y);
        double[] pred = new double[n];
        // f(x_i) = (K beta)_i = y_i - lambda beta_i exactly, since (K + lambda I) beta = Y.
        for (int i = 0; i < n; i++) {
            pred[i] = y[i] - lambda * beta[i];
        }
        return new NtkInfluence(lambda, y.clone(), beta, diag, pred, f, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    public double lambda() {
        return lambda;
    }

    public int size() {
        return beta.length;
    }

    /** beta = (K + lambda I)^{-1} Y, the dual coefficients of eq. (6) (a copy). */
    public double[] beta() {
        return beta.clone();
    }

    /** A_ii = [(K + lambda I)^{-1}]_ii (a copy). */
    public double[] inverseDiagonal() {
        return inverseDiagonal.clone();
    }

    /** The training targets (a copy). */
    public double[] targets() {
        return y.clone();
    }

    /** f(x_i) = (K beta)_i = y_i - lambda beta_i (a copy). */
    public double[] trainingPredictions() {
        return trainingPredictions.clone();
    }

    /** The leave-one-out residuals f^{\i}(x_i) - y_i = -beta_i / A_ii (eq. 9). */
    public double[] leaveOneOutResiduals() {
        double[] e = new double[beta.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = -beta[i] / inverseDiagonal[i];
        }
        return e;
    }

    /** The factorization of K + lambda I (shared with {@link Complexity}). */
    Cholesky factorization() {
        return factorization;
    }

    /** Seconds spent in dpotrf. */
    public double secondsFactorization() {
        return secondsFactor;
    }

    /** Seconds spent forming diag((K + lambda I)^{-1}) (dtrtri and column norms). */
    public double secondsInverseDiagonal() {
        return secondsDiagonal;
    }

    /**
     * Influence of every training point on every test point (eq. 8-9) and its IHVP approximation (eq. 13).
     *
     * @param kTest n_test x n kernel between test and training inputs ({@link NtkKernel#matrix})
     * @param yTest the n_test test targets
     */
    public InfluenceScores score(DenseMatrix kTest, double[] yTest) {
        int n = beta.length;
        if (kTest.cols() != n) {
            throw new IllegalArgumentException("test kernel has " + kTest.cols() + " columns for " + n
                    + " training points");
        }
        if (yTest.length != kTest.rows()) {
            throw new IllegalArgumentException(yTest.length + " test targets for " + kTest.rows() + " test points");
        }
        int t = kTest.rows();
        long t0 = System.nanoTime();
        DenseMatrix g = factorization.solveRows(kTest); // row t = (A K_te)^T = alpha(., x_t)
        long t1 = System.nanoTime();
        double[] e = leaveOneOutResiduals();
        double[] trainResidual = new double[n];
        double[] shift = new double[n]; // beta_i / A_ii = -e_i
        for (int i = 0; i < n; i++) {
            trainResidual[i] = trainingPredictions[i] - y[i];
            shift[i] = beta[i] / inverseDiagonal[i];
        }
        double[] pred = new double[t];
        DenseMatrix exact = new DenseMatrix(t, n);
        DenseMatrix ihvp = new DenseMatrix(t, n);
        double[] kd = kTest.data();
        double[] gd = g.data();
        double[] xd = exact.data();
        double[] hd = ihvp.data();
        for (int r = 0; r < t; r++) {
            int off = r * n;
            double f = 0;
            for (int i = 0; i < n; i++) {
                f += kd[off + i] * beta[i];
            }
            pred[r] = f;
            double res = f - yTest[r];
            for (int i = 0; i < n; i++) {
                double gi = gd[off + i];
                double loo = res - gi * shift[i];       // f^{\i}(x_te) - y_te
                xd[off + i] = 0.5 * (loo * loo - res * res);
                hd[off + i] = gi * res * trainResidual[i];
            }
        }
        long t2 = System.nanoTime();
        return new InfluenceScores(exact, ihvp, g, pred, yTest.clone(), e, trainResidual, (t1 - t0) / 1e9,
                (t2 - t1) / 1e9);
    }
}
