package org.exemplar.model;

import java.util.Arrays;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * Pearlmutter's forward R-pass (Pearlmutter 1994, "Fast exact multiplication by the Hessian", sec. 4): the
 * directional derivatives R{.} = d/d(eps) (.)(theta + eps v) at eps = 0 of every pre-activation and activation
 * along a parameter direction v = (V_0, c_0, ..., V_{L-1}, c_{L-1}):
 * R{z_{k+1}} = R{a_k} W_k^T + a_k V_k^T + c_k (R{a_0} = 0), R{a_k} = sigma'(z_k) * R{z_k} for hidden layers,
 * R{a_L} = R{z_L}. R{z_L} row i is the Jacobian-vector product J_i v, J_i = dPhi(x_i)/dtheta (forward mode).
 */
final class RForwardPass {
    /** R{z_k}, k = 1..L (index 0 null). */
    final DenseMatrix[] rz;
    /** R{a_k}, k = 1..L (index 0 null: the input does not depend on theta). */
    final DenseMatrix[] ra;
    /** V_k, the weight blocks of the direction, shape (d_{k+1}, d_k). */
    final DenseMatrix[] dirW;

    private RForwardPass(DenseMatrix[] rz, DenseMatrix[] ra, DenseMatrix[] dirW) {
        this.rz = rz;
        this.ra = ra;
        this.dirW = dirW;
    }

    /** The R-pass along {@code v} (length P, flat order of {@code layout}) over the cached forward pass {@code f}. */
    static RForwardPass along(DenseLayer[] layers, Activation[] hidden, ParameterLayout layout, Mlp.Forward f,
                              double[] v) {
        int count = layers.length;
        int n = f.a[0].rows();
        DenseMatrix[] dirW = new DenseMatrix[count];
        DenseMatrix[] rz = new DenseMatrix[count + 1];
        DenseMatrix[] ra = new DenseMatrix[count + 1];
        for (int k = 0; k < count; k++) {
            int in = layers[k].inputWidth();
            int out = layers[k].outputWidth();
            int wOff = layout.weightOffset(k);
            dirW[k] = new DenseMatrix(out, in, Arrays.copyOfRange(v, wOff, wOff + out * in));
            DenseMatrix r = new DenseMatrix(n, out);
            double[] rd = r.data();
            int bOff = wOff + out * in;
            for (int i = 0; i < n; i++) {
                System.arraycopy(v, bOff, rd, i * out, out);
            }
            Blas.gemm(Transpose.NO, Transpose.YES, 1.0, f.a[k], dirW[k], 1.0, r);
            if (k > 0) {
                Blas.gemm(Transpose.NO, Transpose.YES, 1.0, ra[k], layers[k].weight(), 1.0, r);
            }
            rz[k + 1] = r;
            if (k + 1 < count) {
                DenseMatrix rak = r.copy();
                hidden[k].multiplyByDerivative(f.z[k + 1].data(), rak.data());
                ra[k + 1] = rak;
            } else {
                ra[k + 1] = r;
            }
        }
        return new RForwardPass(rz, ra, dirW);
    }

    /** R{Phi} = R{z_L}: row i is J_i v, shape (n, c). */
    DenseMatrix logits() {
        return rz[rz.length - 1];
    }
}
