package org.exemplar.ntk;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * The neural tangent kernel of the two-layer ReLU network of eq. (1) with only the first layer trained
 * (Zhang &amp; Zhang 2022, eq. 4; Du et al. 2019):
 * <pre>
 *   K(x, x') = E_{w ~ N(0, I)} [ x^T x' 1{w^T x >= 0, w^T x' >= 0} ] = x^T x' (pi - arccos(x^T x')) / (2 pi)
 * </pre>
 * for unit-norm inputs. The inner product is clipped to [-1, 1] before the arccos so that rounding in a
 * product of unit vectors (|x^T x| = 1 + 1e-16) cannot produce NaN. K(x, x) = 1/2.
 */
public final class NtkKernel {
    private NtkKernel() {
    }

    /** K as a function of the inner product u = x^T x' of two unit vectors (eq. 4), u clipped to [-1, 1]. */
    public static double value(double u) {
        double c = Math.max(-1.0, Math.min(1.0, u));
        return c * (Math.PI - Math.acos(c)) / (2 * Math.PI);
    }

    /** The kernel matrix K[i, j] = K(a_i, b_j) between the rows of a and the rows of b (one gemm). */
    public static DenseMatrix matrix(DenseMatrix a, DenseMatrix b) {
        if (a.cols() != b.cols()) {
            throw new IllegalArgumentException("inputs have " + a.cols() + " and " + b.cols() + " columns");
        }
        DenseMatrix k = Blas.multiply(Transpose.NO, a, Transpose.YES, b);
        double[] d = k.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = value(d[i]);
        }
        return k;
    }

    /** The training kernel K[i, j] = K(x_i, x_j), exactly symmetric (the lower triangle mirrors the upper). */
    public static DenseMatrix gram(DenseMatrix x) {
        DenseMatrix k = matrix(x, x);
        int n = k.rows();
        double[] d = k.data();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d[j * n + i] = d[i * n + j];
            }
        }
        return k;
    }
}
