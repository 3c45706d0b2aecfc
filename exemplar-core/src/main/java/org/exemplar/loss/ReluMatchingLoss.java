package org.exemplar.loss;

import org.exemplar.linalg.DenseMatrix;

/**
 * The "suitable" ReLU loss of Yeh et al. 2018 (Prop. 3.1):
 * L(t, Phi) = sum_j [ 1/2 max(Phi_j, 0) Phi_j - t_j Phi_j ] with t = max(Phi_given, 0); gradient
 * max(Phi_j, 0) - t_j. It is convex (1/2 relu(x)^2 has the non-decreasing derivative relu(x)) and its output
 * Hessian is diag(1[Phi_j &gt; 0]). From labels the target is the one-hot vector.
 */
public final class ReluMatchingLoss implements Loss {

    @Override
    public String name() {
        return "relu";
    }

    @Override
    public double value(double[] phi, int phiOff, double[] target, int tOff, int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            double x = phi[phiOff + j];
            v += 0.5 * Math.max(x, 0) * x - target[tOff + j] * x;
        }
        return v;
    }

    @Override
    public double valueAndGradient(double[] phi, int phiOff, double[] target, int tOff, double[] grad, int gOff,
                                   int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            double x = phi[phiOff + j];
            v += 0.5 * Math.max(x, 0) * x - target[tOff + j] * x;
            grad[gOff + j] = Math.max(x, 0) - target[tOff + j];
        }
        return v;
    }

    @Override
    public void hessianVector(double[] phi, int phiOff, double[] target, int tOff, double[] v, int vOff,
                              double[] out, int oOff, int c) {
        for (int j = 0; j < c; j++) {
            out[oOff + j] = phi[phiOff + j] > 0 ? v[vOff + j] : 0.0;
        }
    }

    @Override
    public void link(double[] phi, int phiOff, double[] out, int oOff, int c) {
        for (int j = 0; j < c; j++) {
            out[oOff + j] = Math.max(phi[phiOff + j], 0);
        }
    }

    @Override
    public DenseMatrix targetsFromLabels(int[] labels, int c) {
        return new SoftmaxCrossEntropy().targetsFromLabels(labels, c);
    }

    @Override
    public DenseMatrix targetsFromLogits(DenseMatrix logits) {
        DenseMatrix t = new DenseMatrix(logits.rows(), logits.cols());
        for (int k = 0; k < t.data().length; k++) {
            t.data()[k] = Math.max(logits.data()[k], 0);
        }
        return t;
    }
}
