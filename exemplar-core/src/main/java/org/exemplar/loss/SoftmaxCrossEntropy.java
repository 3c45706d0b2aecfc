package org.exemplar.loss;

import org.exemplar.linalg.DenseMatrix;

/**
 * Softmax cross-entropy L(t, Phi) = -sum_j t_j log softmax(Phi)_j with gradient softmax(Phi) - t.
 * With t = softmax(Phi_given) it is the "suitable" softmax loss of Yeh et al. 2018 (Prop. 3.1).
 * Computed with the log-sum-exp shift, so large logits neither overflow nor lose the gradient.
 */
public final class SoftmaxCrossEntropy implements Loss {

    @Override
    public String name() {
        return "softmax";
    }

    static double logSumExp(double[] phi, int off, int c) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, phi[off + j]);
        }
        double s = 0;
        for (int j = 0; j < c; j++) {
            s += Math.exp(phi[off + j] - max);
        }
        return max + Math.log(s);
    }

    @Override
    public double value(double[] phi, int phiOff, double[] target, int tOff, int c) {
        double lse = logSumExp(phi, phiOff, c);
        double v = 0;
        for (int j = 0; j < c; j++) {
            double t = target[tOff + j];
            if (t != 0) {
                v -= t * (phi[phiOff + j] - lse);
            }
        }
        return v;
    }

    @Override
    public double valueAndGradient(double[] phi, int phiOff, double[] target, int tOff, double[] grad, int gOff,
                                   int c) {
        // one exp per entry: grad holds e^{phi_j - max} until it is normalized into softmax(phi) - t
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, phi[phiOff + j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
            double e = Math.exp(phi[phiOff + j] - max);
            grad[gOff + j] = e;
            sum += e;
        }
        double lse = max + Math.log(sum);
        double inv = 1.0 / sum;
        double v = 0;
        for (int j = 0; j < c; j++) {
            double t = target[tOff + j];
            if (t != 0) {
                v -= t * (phi[phiOff + j] - lse);
            }
            grad[gOff + j] = grad[gOff + j] * inv - t;
        }
        return v;
    }

    @Override
    public void hessianVector(double[] phi, int phiOff, double[] target, int tOff, double[] v, int vOff,
                              double[] out, int oOff, int c) {
        // H = diag(p) - p p^T
        double lse = logSumExp(phi, phiOff, c);
        double pv = 0;
        for (int j = 0; j < c; j++) {
            pv += Math.exp(phi[phiOff + j] - lse) * v[vOff + j];
        }
        for (int j = 0; j < c; j++) {
            double p = Math.exp(phi[phiOff + j] - lse);
            out[oOff + j] = p * (v[vOff + j] - pv);
        }
    }

    @Override
    public void link(double[] phi, int phiOff, double[] out, int oOff, int c) {
        double lse = logSumExp(phi, phiOff, c);
        for (int j = 0; j < c; j++) {
            out[oOff + j] = Math.exp(phi[phiOff + j] - lse);
        }
    }

    @Override
    public DenseMatrix targetsFromLabels(int[] labels, int c) {
        DenseMatrix t = new DenseMatrix(labels.length, c);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " outside [0, " + c + ")");
            }
            t.set(i, labels[i], 1.0);
        }
        return t;
    }

    @Override
    public DenseMatrix targetsFromLogits(DenseMatrix logits) {
        DenseMatrix t = new DenseMatrix(logits.rows(), logits.cols());
        for (int i = 0; i < logits.rows(); i++) {
            link(logits.data(), i * logits.cols(), t.data(), i * logits.cols(), logits.cols());
        }
        return t;
    }
}
