package org.exemplar.model;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * One dense (fully connected) layer z = a W^T + b with its parameters, in the layout of PyTorch's
 * {@code nn.Linear}: W of shape (out, in), b of length out, one example per row of a.
 *
 * <p>Besides the affine map it holds the three products back-propagation needs at a layer (Goodfellow, Bengio
 * and Courville, <i>Deep Learning</i>, 2016, sec. 6.5, Algorithm 6.4): for delta = dS/dz (one row per example),
 * the input cotangent dS/da = delta W, the weight gradient dS/dW = delta^T a and the bias gradient
 * dS/db = sum_i delta_i.
 *
 * <p>The arrays are held, not copied: an {@link Mlp} owns its layers and hands out copies.
 */
final class DenseLayer {
    private final DenseMatrix weight;
    private final double[] bias;

    /** A layer over the given arrays (no copy, no check; callers validate). */
    DenseLayer(DenseMatrix weight, double[] bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A validated deep copy of layer {@code k}'s parameters for a layer from width {@code in} to width {@code out}.
     *
     * @throws IllegalArgumentException naming the layer, the expected and the actual shape
     */
    static DenseLayer copyOf(int k, int in, int out, DenseMatrix w, double[] b) {
        if (w == null || w.rows() != out || w.cols() != in) {
            throw new IllegalArgumentException("weight " + k + " must have shape (" + out + ", "
                    + in + ") (out, in), got " + (w == null ? "null" : w.shapeString()));
        }
        if (b == null || b.length != out) {
            throw new IllegalArgumentException("bias " + k + " must have length " + out + ", got "
                    + (b == null ? "null" : b.length));
        }
        return new DenseLayer(w.copy(), b.clone());
    }

    /** An independent deep copy. */
    DenseLayer copy() {
        return new DenseLayer(weight.copy(), bias.clone());
    }

    /** The input width, the number of columns of W. */
    int inputWidth() {
        return weight.cols();
    }

    /** The output width, the number of rows of W and the length of b. */
    int outputWidth() {
        return weight.rows();
    }

    /** Number of parameters out * (in + 1). */
    int parameterCount() {
        return weight.rows() * (weight.cols() + 1);
    }

    /** The live weight W, shape (out, in). */
    DenseMatrix weight() {
        return weight;
    }

    /** The live bias b, length out. */
    double[] bias() {
        return bias;
    }

    /** z = a W^T + b for every row of a (shape (n, in) to (n, out)), through gemm: bias broadcast first, then beta = 1. */
    DenseMatrix affine(DenseMatrix a) {
        int n = a.rows();
        int out = bias.length;
        DenseMatrix z = new DenseMatrix(n, out);
        double[] zd = z.data();
        for (int i = 0; i < n; i++) {
            System.arraycopy(bias, 0, zd, i * out, out);
        }
        Blas.gemm(Transpose.NO, Transpose.YES, 1.0, a, weight, 1.0, z);
        return z;
    }

    /** dS/da = delta W, shape (n, in), for delta = dS/dz of shape (n, out). */
    DenseMatrix inputCotangent(DenseMatrix delta) {
        return Blas.multiply(delta, weight);
    }

    /** dS/dW = delta^T a = sum_i delta_i a_i^T, shape (out, in), for delta = dS/dz (n, out) and the layer input a (n, in). */
    DenseMatrix weightGradient(DenseMatrix delta, DenseMatrix a) {
        DenseMatrix gw = new DenseMatrix(weight.rows(), weight.cols());
        Blas.gemm(Transpose.YES, Transpose.NO, 1.0, delta, a, 0.0, gw);
        return gw;
    }

    /** dS/db = sum_i delta_i, the column sums of delta (n, out). */
    static double[] biasGradient(DenseMatrix delta) {
        int n = delta.rows();
        int c = delta.cols();
        double[] s = new double[c];
        double[] d = delta.data();
        for (int i = 0; i < n; i++) {
            int off = i * c;
            for (int j = 0; j < c; j++) {
                s[j] += d[off + j];
            }
        }
        return s;
    }
}
