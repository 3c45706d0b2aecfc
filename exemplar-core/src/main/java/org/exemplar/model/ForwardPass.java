package org.exemplar.model;

import org.exemplar.linalg.DenseMatrix;

/**
 * The batch forward pass of an {@link Mlp} (Goodfellow, Bengio and Courville, <i>Deep Learning</i>, 2016,
 * Algorithm 6.3): a_0 = x, z_{k+1} = a_k W_k^T + b_k, a_{k+1} = sigma_k(z_{k+1}) for hidden layers and
 * a_L = z_L (the logits). {@link #run} keeps every z_k and a_k in an {@link Mlp.Forward} for the backward
 * passes; {@link #logits} and {@link #features} keep nothing. Inputs are not checked here (the facade does).
 */
final class ForwardPass {
    private ForwardPass() {
    }

    /** The full forward pass, caching every layer's pre-activation and activation. */
    static Mlp.Forward run(DenseLayer[] layers, Activation[] hidden, DenseMatrix x) {
        int count = layers.length;
        DenseMatrix[] z = new DenseMatrix[count + 1];
        DenseMatrix[] a = new DenseMatrix[count + 1];
        a[0] = x;
        for (int k = 0; k < count; k++) {
            z[k + 1] = layers[k].affine(a[k]);
            if (k + 1 < count) {
                DenseMatrix act = new DenseMatrix(x.rows(), layers[k].outputWidth());
                hidden[k].applyAll(z[k + 1].data(), act.data());
                a[k + 1] = act;
            } else {
                a[k + 1] = z[k + 1];
            }
        }
        return new Mlp.Forward(z, a);
    }

    /** The forward pass through layers 0..upTo-1 only (1 &le; upTo &lt; L: a_upTo is the last activation filled). */
    static Mlp.Forward runTo(DenseLayer[] layers, Activation[] hidden, DenseMatrix x, int upTo) {
        DenseMatrix[] z = new DenseMatrix[layers.length + 1];
        DenseMatrix[] a = new DenseMatrix[layers.length + 1];
        a[0] = x;
        for (int k = 0; k < upTo; k++) {
            z[k + 1] = layers[k].affine(a[k]);
            DenseMatrix act = new DenseMatrix(x.rows(), layers[k].outputWidth());
            hidden[k].applyAll(z[k + 1].data(), act.data());
            a[k + 1] = act;
        }
        return new Mlp.Forward(z, a);
    }

    /** Phi(x) = a_L, without a cache (activations applied in place). */
    static DenseMatrix logits(DenseLayer[] layers, Activation[] hidden, DenseMatrix x) {
        DenseMatrix a = x;
        for (int k = 0; k < layers.length; k++) {
            DenseMatrix z = layers[k].affine(a);
            if (k + 1 < layers.length) {
                hidden[k].applyAll(z.data(), z.data());
            }
            a = z;
        }
        return a;
    }

    /** f(x) = a_{L-1}, the input of the last layer; a copy of x when there is no hidden layer. */
    static DenseMatrix features(DenseLayer[] layers, Activation[] hidden, DenseMatrix x) {
        DenseMatrix a = x.copy();
        for (int k = 0; k + 1 < layers.length; k++) {
            DenseMatrix z = layers[k].affine(a);
            hidden[k].applyAll(z.data(), z.data());
            a = z;
        }
        return a;
    }
}
