package org.exemplar.model;

import org.exemplar.linalg.DenseMatrix;

/**
 * Exact per-example gradients of a dense network from one batched forward and backward pass (Goodfellow 2015,
 * "Efficient per-example gradient computations", arXiv:1510.01799): with delta_{k+1,i} = dL_i/dz_{k+1,i} from
 * {@link Backpropagation#deltas}, the weight block of layer k in row i is the outer product
 * delta_{k+1,i} a_{k,i}^T and the bias block is delta_{k+1,i}, in the flat order of {@link ParameterLayout}.
 */
final class PerExampleGradients {
    private PerExampleGradients() {
    }

    /**
     * Writes into row i of {@code out} (n, P), which must hold zeros, grad_theta of (top_i . Phi_i); with
     * top_i = dL/dPhi_i (no 1/n) it is grad_theta L(t_i, Phi(x_i)).
     */
    static void fill(DenseLayer[] layers, Activation[] hidden, ParameterLayout layout, Mlp.Forward f,
                     DenseMatrix top, DenseMatrix out) {
        int n = top.rows();
        int pCount = layout.count();
        DenseMatrix[] d = Backpropagation.deltas(layers, hidden, f, top);
        double[] o = out.data();
        for (int k = 0; k < layers.length; k++) {
            int in = layers[k].inputWidth();
            int outW = layers[k].outputWidth();
            int wOff = layout.weightOffset(k);
            int bOff = wOff + in * outW;
            double[] dk = d[k + 1].data();
            double[] ak = f.a[k].data();
            for (int i = 0; i < n; i++) {
                int row = i * pCount;
                int aRow = i * in;
                int dRow = i * outW;
                for (int r = 0; r < outW; r++) {
                    double dv = dk[dRow + r];
                    int base = row + wOff + r * in;
                    if (dv == 0.0) {
                        continue; // row of zeros already in place
                    }
                    for (int j = 0; j < in; j++) {
                        o[base + j] = dv * ak[aRow + j];
                    }
                }
                System.arraycopy(dk, dRow, o, row + bOff, outW);
            }
        }
    }
}
