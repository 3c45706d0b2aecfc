package org.exemplar.model;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * The loss in output space, one example per row of the logits Phi (n, c) and targets t (n, c): the sum
 * sum_i L(t_i, Phi_i), the rows of scale * dL/dPhi_i (the top cotangent of back-propagation) and the rows of
 * scale * H_y,i r_i with H_y,i = d^2 L / dPhi^2 at Phi_i (the middle factor of the Gauss-Newton matrix
 * J^T H_y J, Bae et al. 2022, eq. 11), all through {@link Loss}.
 */
final class OutputLoss {
    private OutputLoss() {
    }

    /**
     * Returns sum_i L(t_i, Phi_i) (unscaled); writes {@code scale * dL/dPhi_i} into row i of {@code grad} when it
     * is not null.
     */
    static double rows(DenseMatrix phi, DenseMatrix targets, Loss loss, double scale, DenseMatrix grad) {
        int n = phi.rows();
        int c = phi.cols();
        double[] p = phi.data();
        double[] t = targets.data();
        double sum = 0;
        if (grad == null) {
            for (int i = 0; i < n; i++) {
                sum += loss.value(p, i * c, t, i * c, c);
            }
            return sum;
        }
        double[] g = grad.data();
        for (int i = 0; i < n; i++) {
            sum += loss.valueAndGradient(p, i * c, t, i * c, g, i * c, c);
        }
        if (scale != 1.0) {
            for (int k = 0; k < g.length; k++) {
                g[k] *= scale;
            }
        }
        return sum;
    }

    /** Rows {@code scale * H_y(Phi_i) r_i} through {@link Loss#hessianVector}, shape (n, c). */
    static DenseMatrix hessianRows(DenseMatrix phi, DenseMatrix targets, Loss loss, DenseMatrix r, double scale) {
        int n = phi.rows();
        int c = phi.cols();
        DenseMatrix out = new DenseMatrix(n, c);
        for (int i = 0; i < n; i++) {
            loss.hessianVector(phi.data(), i * c, targets.data(), i * c, r.data(), i * c, out.data(), i * c, c);
        }
        if (scale != 1.0) {
            out.scaleInPlace(scale);
        }
        return out;
    }
}
