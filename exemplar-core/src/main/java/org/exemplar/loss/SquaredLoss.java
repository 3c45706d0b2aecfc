package org.exemplar.loss;

import org.exemplar.linalg.DenseMatrix;

/** Squared loss L(t, Phi) = 1/2 ||Phi - t||^2, gradient Phi - t, output Hessian I. */
public final class SquaredLoss implements Loss {

    @Override
    public String name() {
        return "squared";
    }

    @Override
    public double value(double[] phi, int phiOff, double[] target, int tOff, int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            double d = phi[phiOff + j] - target[tOff + j];
            v += 0.5 * d * d;
        }
        return v;
    }

    @Override
    public double valueAndGradient(double[] phi, int phiOff, double[] target, int tOff, double[] grad, int gOff,
                                   int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            double d = phi[phiOff + j] - target[tOff + j];
            v += 0.5 * d * d;
            grad[gOff + j] = d;
        }
        return v;
    }

    @Override
    public void hessianVector(double[] phi, int phiOff, double[] target, int tOff, double[] v, int vOff,
                              double[] out, int oOff, int c) {
        System.arraycopy(v, vOff, out, oOff, c);
    }

    @Override
    public void link(double[] phi, int phiOff, double[] out, int oOff, int c) {
        System.arraycopy(phi, phiOff, out, oOff, c);
    }

    @Override
    public DenseMatrix targetsFromLabels(int[] labels, int c) {
        return new SoftmaxCrossEntropy().targetsFromLabels(labels, c);
    }

    @Override
    public DenseMatrix targetsFromLogits(DenseMatrix logits) {
        return logits.copy();
    }
}
