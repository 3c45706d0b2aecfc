package org.exemplar.loss;

import org.exemplar.linalg.DenseMatrix;

/**
 * Sigmoid (binary) cross-entropy per output, L(t, Phi) = sum_j [log(1 + e^{Phi_j}) - t_j Phi_j], gradient
 * sigma(Phi) - t. For a binary task c = 1 and labels are 0/1; with t = sigma(Phi_given) it is the "suitable"
 * sigmoid loss of Yeh et al. 2018. log(1 + e^x) is evaluated stably for large |x|.
 */
public final class SigmoidCrossEntropy implements Loss {

    @Override
    public String name() {
        return "sigmoid";
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    @Override
    public double value(double[] phi, int phiOff, double[] target, int tOff, int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            double x = phi[phiOff + j];
            v += softplus(x) - target[tOff + j] * x;
        }
        return v;
    }

    @Override
    public double valueAndGradient(double[] phi, int phiOff, double[] target, int tOff, double[] grad, int gOff,
                                   int c) {
        double v = 0;
        for (int j = 0; j < c; j++) {
            double x = phi[phiOff + j];
            double t = target[tOff + j];
            v += softplus(x) - t * x;
            grad[gOff + j] = sigmoid(x) - t;
        }
        return v;
    }

    @Override
    public void hessianVector(double[] phi, int phiOff, double[] target, int tOff, double[] v, int vOff,
                              double[] out, int oOff, int c) {
        for (int j = 0; j < c; j++) {
            double s = sigmoid(phi[phiOff + j]);
            out[oOff + j] = s * (1 - s) * v[vOff + j];
        }
    }

    @Override
    public void link(double[] phi, int phiOff, double[] out, int oOff, int c) {
        for (int j = 0; j < c; j++) {
            out[oOff + j] = sigmoid(phi[phiOff + j]);
        }
    }

    @Override
    public int outputsForClasses(int classes) {
        return classes == 2 ? 1 : classes;
    }

    @Override
    public int predictedClass(double[] phi, int off, int c) {
        return c == 1 ? (phi[off] > 0 ? 1 : 0) : org.exemplar.linalg.Vectors.argmax(phi, off, c);
    }

    /** Labels 0/1 for c = 1 (one binary output); for c &gt; 1, one-vs-rest indicator targets. */
    @Override
    public DenseMatrix targetsFromLabels(int[] labels, int c) {
        DenseMatrix t = new DenseMatrix(labels.length, c);
        for (int i = 0; i < labels.length; i++) {
            int y = labels[i];
            if (c == 1) {
                if (y != 0 && y != 1) {
                    throw new IllegalArgumentException("binary sigmoid loss needs labels 0/1, got " + y + " at row " + i);
                }
                t.set(i, 0, y);
            } else {
                if (y < 0 || y >= c) {
                    throw new IllegalArgumentException("label " + y + " at row " + i + " outside [0, " + c + ")");
                }
                t.set(i, y, 1.0);
            }
        }
        return t;
    }

    @Override
    public DenseMatrix targetsFromLogits(DenseMatrix logits) {
        DenseMatrix t = new DenseMatrix(logits.rows(), logits.cols());
        for (int k = 0; k < t.data().length; k++) {
            t.data()[k] = sigmoid(logits.data()[k]);
        }
        return t;
    }
}
