package org.exemplar.representer;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;
import org.exemplar.solver.TwiceDifferentiableFunction;

/**
 * The last-layer objective of Yeh et al. 2018, eq. (3)/(4):
 * J(Theta) = (1/n) sum_i L(t_i, Theta f_i) + lambda ||Theta||_F^2, with Theta in R^{c x p} flattened row-major.
 * Gradient (1/n) G^T F + 2 lambda Theta with G_i = dL/dPhi(x_i); Hessian-vector product
 * (1/n) R^T F + 2 lambda V with R_i = H_y,i (V f_i). Each evaluation is two BLAS products of size n p c.
 */
public final class LastLayerObjective implements TwiceDifferentiableFunction {
    private final DenseMatrix features;
    private final DenseMatrix targets;
    private final Loss loss;
    private final double lambda;
    private final int c;
    private final int p;

    public LastLayerObjective(DenseMatrix features, DenseMatrix targets, Loss loss, double lambda) {
        if (features.rows() != targets.rows()) {
            throw new IllegalArgumentException("features have " + features.rows() + " rows, targets " + targets.rows());
        }
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda must be > 0 (the representer theorem divides by it), got "
                    + lambda);
        }
        this.features = features;
        this.targets = targets;
        this.loss = loss;
        this.lambda = lambda;
        this.c = targets.cols();
        this.p = features.cols();
    }

    @Override
    public int dim() {
        return c * p;
    }

    public int outputs() {
        return c;
    }

    /** Phi = F Theta^T (n x c). */
    public DenseMatrix outputs(double[] theta) {
        DenseMatrix phi = new DenseMatrix(features.rows(), c);
        Blas.gemm(Transpose.NO, Transpose.YES, 1.0, features, new DenseMatrix(c, p, theta), 0.0, phi);
        return phi;
    }

    /** G_i = dL(t_i, Phi_i)/dPhi_i for every training point (n x c). */
    public DenseMatrix outputGradients(double[] theta) {
        DenseMatrix phi = outputs(theta);
        DenseMatrix g = new DenseMatrix(phi.rows(), c);
        for (int i = 0; i < phi.rows(); i++) {
            loss.valueAndGradient(phi.data(), i * c, targets.data(), i * c, g.data(), i * c, c);
        }
        return g;
    }

    @Override
    public double valueAndGradient(double[] theta, double[] grad) {
        int n = features.rows();
        DenseMatrix phi = outputs(theta);
        DenseMatrix g = new DenseMatrix(n, c);
        // the per-row loss loop runs in fixed chunks on the common pool; partial sums are added in chunk
        // order, so the value is the same for any number of threads
        int chunks = Math.max(1, Math.min(64, n / 2048));
        double[] partial = new double[chunks];
        java.util.stream.IntStream.range(0, chunks).parallel().forEach(k -> {
            int from = (int) ((long) n * k / chunks);
            int to = (int) ((long) n * (k + 1) / chunks);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += loss.valueAndGradient(phi.data(), i * c, targets.data(), i * c, g.data(), i * c, c);
            }
            partial[k] = s;
        });
        double total = 0;
        for (double s : partial) {
            total += s;
        }
        // grad = (1/n) G^T F + 2 lambda Theta
        System.arraycopy(theta, 0, grad, 0, theta.length);
        Blas.gemm(Transpose.YES, Transpose.NO, c, p, n, 1.0 / n, g.data(), 0, c, features.data(), 0, p,
                2 * lambda, grad, 0, p);
        double reg = 0;
        for (double v : theta) {
            reg += v * v;
        }
        return total / n + lambda * reg;
    }

    @Override
    public void hessianVector(double[] theta, double[] v, double[] out) {
        int n = features.rows();
        DenseMatrix phi = outputs(theta);
        DenseMatrix dphi = outputs(v);
        DenseMatrix r = new DenseMatrix(n, c);
        for (int i = 0; i < n; i++) {
            loss.hessianVector(phi.data(), i * c, targets.data(), i * c, dphi.data(), i * c, r.data(), i * c, c);
        }
        System.arraycopy(v, 0, out, 0, v.length);
        Blas.gemm(Transpose.YES, Transpose.NO, c, p, n, 1.0 / n, r.data(), 0, c, features.data(), 0, p,
                2 * lambda, out, 0, p);
    }

    /**
     * The data term of eq. (3) over this objective's rows, not divided by n: returns sum_i L(t_i, Theta f_i) and
     * writes sum_i G_i^T f_i (c x p, row-major) into {@code gradSum}. For a training set split into blocks (a
     * distributed engine's partitions), J and its gradient follow from the blocks' sums by {@link #fromDataTerm}.
     */
    public double dataTerm(double[] theta, double[] gradSum) {
        int n = features.rows();
        DenseMatrix phi = outputs(theta);
        DenseMatrix g = new DenseMatrix(n, c);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += loss.valueAndGradient(phi.data(), i * c, targets.data(), i * c, g.data(), i * c, c);
        }
        Blas.gemm(Transpose.YES, Transpose.NO, c, p, n, 1.0, g.data(), 0, c, features.data(), 0, p, 0.0, gradSum, 0,
                p);
        return total;
    }

    /**
     * J(Theta) = lossSum / n + lambda ||Theta||^2 and its gradient gradSum / n + 2 lambda Theta (into
     * {@code grad}) from the data terms summed over all n training points ({@link #dataTerm}).
     */
    public static double fromDataTerm(double lossSum, double[] gradSum, long n, double lambda, double[] theta,
                                      double[] grad) {
        double reg = 0;
        for (int k = 0; k < theta.length; k++) {
            grad[k] = gradSum[k] / n + 2 * lambda * theta[k];
            reg += theta[k] * theta[k];
        }
        return lossSum / n + lambda * reg;
    }

    /** sum_i R_i^T f_i with R_i = H_y,i (V f_i) over this objective's rows, not divided by n (into out). */
    public void hessianDataTerm(double[] theta, double[] v, double[] out) {
        int n = features.rows();
        DenseMatrix phi = outputs(theta);
        DenseMatrix dphi = outputs(v);
        DenseMatrix r = new DenseMatrix(n, c);
        for (int i = 0; i < n; i++) {
            loss.hessianVector(phi.data(), i * c, targets.data(), i * c, dphi.data(), i * c, r.data(), i * c, c);
        }
        Blas.gemm(Transpose.YES, Transpose.NO, c, p, n, 1.0, r.data(), 0, c, features.data(), 0, p, 0.0, out, 0, p);
    }

    /** The Hessian-vector product hSum / n + 2 lambda V from {@link #hessianDataTerm} summed over all n points. */
    public static void fromHessianDataTerm(double[] hSum, long n, double lambda, double[] v, double[] out) {
        for (int k = 0; k < v.length; k++) {
            out[k] = hSum[k] / n + 2 * lambda * v[k];
        }
    }

    /** Stationarity residual ||grad|| / (2 lambda ||Theta||) = ||Theta - sum_i alpha_i f_i^T|| / ||Theta||. */
    public static double stationarityResidual(double lambda, double[] theta, double[] grad) {
        double tn = org.exemplar.linalg.Vectors.norm2(theta);
        double gn = org.exemplar.linalg.Vectors.norm2(grad);
        return tn == 0 ? gn : gn / (2 * lambda * tn);
    }

    /** Stationarity residual ||grad|| / (2 lambda ||Theta||) = ||Theta - sum_i alpha_i f_i^T|| / ||Theta||. */
    public double stationarityResidual(double[] theta, double[] grad) {
        double tn = org.exemplar.linalg.Vectors.norm2(theta);
        double gn = org.exemplar.linalg.Vectors.norm2(grad);
        return tn == 0 ? gn : gn / (2 * lambda * tn);
    }

    public double lambda() {
        return lambda;
    }

    public Loss loss() {
        return loss;
    }
}
