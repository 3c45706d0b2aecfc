package org.exemplar.model;

import org.exemplar.linalg.DenseMatrix;

/**
 * Batched reverse-mode differentiation of an {@link Mlp} (back-propagation; Rumelhart, Hinton and Williams
 * 1986; Goodfellow, Bengio and Courville, <i>Deep Learning</i>, 2016, Algorithm 6.4) for the scalar
 * S = sum_i top_i . a_{level,i}, given a cached {@link Mlp.Forward}:
 * delta_L = top, e_k = delta_{k+1} W_k, delta_k = e_k * sigma'(z_k); then dS/dW_k = delta_{k+1}^T a_k,
 * dS/db_k = sum_i delta_{k+1,i} and dS/dx = e_0. With top = (1/n) dL/dPhi, S's parameter gradient is the
 * gradient of the mean loss; with a general top it is the vector-Jacobian product sum_i J_i^T top_i.
 */
final class Backpropagation {
    private Backpropagation() {
    }

    /** The deltas dS/dz_k for k = 1..L of S = sum_i top_i . z_{L,i}; index 0 is null. */
    static DenseMatrix[] deltas(DenseLayer[] layers, Activation[] hidden, Mlp.Forward f, DenseMatrix top) {
        int count = layers.length;
        DenseMatrix[] d = new DenseMatrix[count + 1];
        d[count] = top;
        for (int k = count - 1; k >= 1; k--) {
            DenseMatrix e = layers[k].inputCotangent(d[k + 1]);
            hidden[k - 1].multiplyByDerivative(f.z[k].data(), e.data());
            d[k] = e;
        }
        return d;
    }

    /**
     * The parameter gradient of S = sum_i top_i . Phi_i into {@code out} (length 2L, flat order
     * [dS/dW_0, dS/db_0, ...], each weight block row-major).
     */
    static void parameterGradientBlocks(DenseLayer[] layers, Activation[] hidden, Mlp.Forward f, DenseMatrix top,
                                        double[][] out) {
        DenseMatrix d = top;
        for (int k = layers.length - 1; k >= 0; k--) {
            out[2 * k] = layers[k].weightGradient(d, f.a[k]).data();
            out[2 * k + 1] = DenseLayer.biasGradient(d);
            if (k > 0) {
                DenseMatrix e = layers[k].inputCotangent(d);
                hidden[k - 1].multiplyByDerivative(f.z[k].data(), e.data());
                d = e;
            }
        }
    }

    /**
     * Given the cotangent of a_level (level = L: of the logits), the cotangent of a_0 = x, shape (n, d_0): the
     * input vector-Jacobian product. {@code f} needs pre-activations up to z_level.
     */
    static DenseMatrix toInput(DenseLayer[] layers, Activation[] hidden, Mlp.Forward f, int level,
                               DenseMatrix cotangent) {
        if (level == 0) {
            return cotangent.copy();
        }
        DenseMatrix d;
        if (level == layers.length) {
            d = cotangent;
        } else {
            d = cotangent.copy();
            hidden[level - 1].multiplyByDerivative(f.z[level].data(), d.data());
        }
        for (int k = level - 1; k >= 0; k--) {
            DenseMatrix e = layers[k].inputCotangent(d);
            if (k > 0) {
                hidden[k - 1].multiplyByDerivative(f.z[k].data(), e.data());
            }
            d = e;
        }
        return d;
    }
}
