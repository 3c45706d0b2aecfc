package org.exemplar.trak;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.DifferentiableModel;

/**
 * TRAK's model output function for classification (Park et al. 2023, Sec. 3.1 and App. C): the log-odds of the
 * correct class,
 *
 * <pre>  f(z; theta) = log(p_y / (1 - p_y)) = Phi_y - log sum_{j != y} exp(Phi_j)      (c &gt; 1 softmax outputs)
 *  f(z; theta) = (2y - 1) Phi                                                    (one sigmoid output)</pre>
 *
 * so that p_y = sigma(f), and the loss-to-output weight of TRAK's Q is 1 - p_y = sigma(-f). Per-example gradients
 * are computed by one batched backward pass with the cotangent df/dPhi.
 */
public final class MarginOutput {
    private MarginOutput() {
    }

    /** f for every row; labels may be null (then the model's predicted class is used). */
    public static double[] values(DifferentiableModel model, DenseMatrix x, int[] labels) {
        DenseMatrix phi = model.logits(x);
        double[] out = new double[x.rows()];
        cotangent(phi, labels, out);
        return out;
    }

    /** Row i: grad_theta f(z_i; theta), shape (n, P). */
    public static DenseMatrix gradients(DifferentiableModel model, DenseMatrix x, int[] labels) {
        DenseMatrix u = cotangent(model.logits(x), labels, null);
        return model.perExampleGradients(x, u, org.exemplar.influence.LinearFunctional.INSTANCE);
    }

    /** 1 - p_y = sigma(-f) for every value of f. */
    public static double[] oneMinusProbability(double[] margins) {
        double[] q = new double[margins.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = 1.0 / (1.0 + Math.exp(margins[i]));
        }
        return q;
    }

    /** The labels used: the given ones, or the predicted class of each row. */
    public static int[] labelsOrPredicted(DenseMatrix phi, int[] labels) {
        if (labels != null) {
            return labels;
        }
        int c = phi.cols();
        int[] y = new int[phi.rows()];
        for (int i = 0; i < y.length; i++) {
            if (c == 1) {
                y[i] = phi.get(i, 0) >= 0 ? 1 : 0;
            } else {
                y[i] = org.exemplar.linalg.Vectors.argmax(phi.data(), i * c, c);
            }
        }
        return y;
    }

    /** df/dPhi per row; writes f into {@code values} when not null. */
    static DenseMatrix cotangent(DenseMatrix phi, int[] labels, double[] values) {
        int n = phi.rows();
        int c = phi.cols();
        int[] y = labelsOrPredicted(phi, labels);
        if (y.length != n) {
            throw new IllegalArgumentException(y.length + " labels for " + n + " rows");
        }
        DenseMatrix u = new DenseMatrix(n, c);
        double[] p = phi.data();
        for (int i = 0; i < n; i++) {
            int yi = y[i];
            if (c == 1) {
                if (yi != 0 && yi != 1) {
                    throw new IllegalArgumentException("one sigmoid output needs labels 0/1, got " + yi + " at row " + i);
                }
                double s = yi == 1 ? 1.0 : -1.0;
                u.set(i, 0, s);
                if (values != null) {
                    values[i] = s * p[i];
                }
                continue;
            }
            if (yi < 0 || yi >= c) {
                throw new IllegalArgumentException("label " + yi + " at row " + i + " outside [0, " + c + ")");
            }
            int off = i * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                if (j != yi) {
                    max = Math.max(max, p[off + j]);
                }
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                if (j != yi) {
                    sum += Math.exp(p[off + j] - max);
                }
            }
            double lse = max + Math.log(sum);
            for (int j = 0; j < c; j++) {
                u.set(i, j, j == yi ? 1.0 : -Math.exp(p[off + j] - lse));
            }
            if (values != null) {
                values[i] = p[off + yi] - lse;
            }
        }
        return u;
    }
}
