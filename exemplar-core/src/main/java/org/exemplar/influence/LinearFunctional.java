package org.exemplar.influence;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * The linear "loss" L(u, Phi) = u . Phi with the cotangent u in the target slot: its per-example gradients are
 * J_i^T u_i, which turns a batched per-example loss gradient into a batched per-example vector-Jacobian product.
 * Used by {@link TestFunction} and TRAK's output gradients; never used for training.
 */
public final class LinearFunctional implements Loss {
    public static final LinearFunctional INSTANCE = new LinearFunctional();

    @Override
    public String name() {
        return "linear-functional";
    }

    @Override
    public double value(double[] phi, int phiOff, double[] target, int tOff, int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            v += target[tOff + j] * phi[phiOff + j];
        }
        return v;
    }

    @Override
    public double valueAndGradient(double[] phi, int phiOff, double[] target, int tOff, double[] grad, int gOff,
                                   int c) {
        System.arraycopy(target, tOff, grad, gOff, c);
        return value(phi, phiOff, target, tOff, c);
    }

    @Override
    public void hessianVector(double[] phi, int phiOff, double[] target, int tOff, double[] v, int vOff, double[] out,
                              int oOff, int c) {
        java.util.Arrays.fill(out, oOff, oOff + c, 0.0);
    }

    @Override
    public void link(double[] phi, int phiOff, double[] out, int oOff, int c) {
        System.arraycopy(phi, phiOff, out, oOff, c);
    }

    @Override
    public DenseMatrix targetsFromLabels(int[] labels, int c) {
        throw new UnsupportedOperationException("the linear functional has no label targets");
    }

    @Override
    public DenseMatrix targetsFromLogits(DenseMatrix logits) {
        throw new UnsupportedOperationException("the linear functional has no logit targets");
    }
}
