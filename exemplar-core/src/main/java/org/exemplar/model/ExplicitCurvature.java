package org.exemplar.model;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;

/**
 * The explicit P x P Hessian or Gauss-Newton matrix of J(theta) = (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2)||theta||^2
 * for small models, for the exact inverse-Hessian solver and for tests.
 *
 * <ul>
 *   <li>{@link #byColumns}: any {@link DifferentiableModel}; column k is the exact curvature-vector product with
 *   the unit vector e_k (P products, cost about 2P gradients), then symmetrized, A = (A + A^T)/2 (the products are
 *   symmetric up to rounding).</li>
 *   <li>{@link #linearModel}: a model with no hidden layer, Phi_i = W x_i + b, assembled analytically:
 *   H = G = (1/n) sum_i H_y,i (kron) x~_i x~_i^T + l2 I with x~_i = (x_i, 1) and H_y,i the c x c output Hessian of
 *   the loss (Bae et al. 2022, eq. 12 with J_i = I_c (kron) x~_i^T). One BLAS product per pair of outputs.</li>
 * </ul>
 */
public final class ExplicitCurvature {
    private ExplicitCurvature() {
    }

    /** The largest P assembled by default (a P x P matrix of 10,000^2 doubles is 800 MB). */
    public static final int MAX_DIMENSION = 12_000;

    /** Column-by-column assembly through {@link DifferentiableModel#curvatureVectorProduct}. */
    public static DenseMatrix byColumns(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss,
                                        double l2, Curvature curvature) {
        int p = model.parameterCount();
        checkSize(p);
        DenseMatrix a = new DenseMatrix(p, p);
        double[] e = new double[p];
        for (int k = 0; k < p; k++) {
            e[k] = 1.0;
            double[] col = model.curvatureVectorProduct(curvature, x, targets, loss, l2, e);
            e[k] = 0.0;
            for (int r = 0; r < p; r++) {
                a.set(r, k, col[r]);
            }
        }
        return symmetrize(a);
    }

    /**
     * Analytic assembly for a model with no hidden layer ({@link LinearModels}); the Hessian and the Gauss-Newton
     * matrix coincide.
     *
     * @throws IllegalArgumentException when the model has a hidden layer
     */
    public static DenseMatrix linearModel(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, double l2) {
        DenseMatrix h = linearModelDataTerm(model, x, targets, loss, x.rows());
        for (int k = 0; k < h.rows(); k++) {
            h.add(k, k, l2);
        }
        return h;
    }

    /**
     * The data term of {@link #linearModel} over the rows given, divided by {@code n} (the size of the whole
     * training set these rows belong to) and without the l2 term: summed over the blocks of a training set (a
     * distributed engine's partitions) it is the Hessian of J less l2 I.
     */
    public static DenseMatrix linearModelDataTerm(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, long n) {
        if (n < x.rows()) {
            throw new IllegalArgumentException("n = " + n + " is smaller than the block's " + x.rows() + " rows");
        }
        if (model.layerCount() != 1) {
            throw new IllegalArgumentException("analytic assembly needs a model without hidden layers, got " + model);
        }
        int rows = x.rows();
        int d = model.inputWidth();
        int c = model.outputWidth();
        int p = model.parameterCount();
        checkSize(p);
        if (targets.rows() != rows || targets.cols() != c) {
            throw new IllegalArgumentException("targets have shape " + targets.shapeString() + ", expected (" + rows
                    + ", " + c + ")");
        }
        DenseMatrix phi = model.logits(x);
        // hy[i][a*c+b] = (d^2 L_i / dPhi_a dPhi_b) / n
        double[][] hy = new double[rows][c * c];
        double[] unit = new double[c];
        double[] col = new double[c];
        for (int i = 0; i < rows; i++) {
            for (int b = 0; b < c; b++) {
                unit[b] = 1.0;
                loss.hessianVector(phi.data(), i * c, targets.data(), i * c, unit, 0, col, 0, c);
                unit[b] = 0.0;
                for (int a = 0; a < c; a++) {
                    hy[i][a * c + b] = col[a] / n;
                }
            }
        }
        DenseMatrix xt = x.withOnesColumn(); // n x (d + 1)
        int q = d + 1;
        DenseMatrix scaled = new DenseMatrix(rows, q);
        DenseMatrix block = new DenseMatrix(q, q);
        DenseMatrix h = new DenseMatrix(p, p);
        for (int a = 0; a < c; a++) {
            for (int b = a; b < c; b++) {
                double[] s = scaled.data();
                double[] xd = xt.data();
                for (int i = 0; i < rows; i++) {
                    double w = hy[i][a * c + b];
                    for (int j = 0; j < q; j++) {
                        s[i * q + j] = w * xd[i * q + j];
                    }
                }
                Blas.gemm(Transpose.YES, Transpose.NO, 1.0, scaled, xt, 0.0, block);
                for (int j = 0; j < q; j++) {
                    int r = index(a, j, d, c);
                    for (int k = 0; k < q; k++) {
                        double v = block.get(j, k);
                        int cc = index(b, k, d, c);
                        h.set(r, cc, v);
                        h.set(cc, r, v);
                    }
                }
            }
        }
        return h;
    }

    /** Flat index of W[a][j] (j &lt; d) or b[a] (j = d) in the order W row-major, then b. */
    private static int index(int a, int j, int d, int c) {
        return j < d ? a * d + j : c * d + a;
    }

    /** (A + A^T) / 2 in place; returns A. */
    public static DenseMatrix symmetrize(DenseMatrix a) {
        int p = a.rows();
        for (int r = 0; r < p; r++) {
            for (int k = r + 1; k < p; k++) {
                double v = 0.5 * (a.get(r, k) + a.get(k, r));
                a.set(r, k, v);
                a.set(k, r, v);
            }
        }
        return a;
    }

    private static void checkSize(int p) {
        if (p > MAX_DIMENSION) {
            throw new IllegalArgumentException("the explicit curvature matrix of a model with " + p
                    + " parameters is too large (limit " + MAX_DIMENSION + "); use an iterative solver (cg, lissa, "
                    + "arnoldi)");
        }
    }
}
