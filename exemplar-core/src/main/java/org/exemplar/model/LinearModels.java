package org.exemplar.model;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;

/**
 * Linear models as {@link Mlp}s with no hidden layer: Phi(x) = W x + b, W of shape (c, d). The flat parameter
 * vector is W row-major followed by b, and the objective is
 *
 * <pre>  J(W, b) = (1/n) sum_i L(t_i, W x_i + b) + (l2/2) (||W||_F^2 + ||b||^2)</pre>
 *
 * <p><b>The bias is penalized</b> like every other parameter (the convention of issue 3; scikit-learn's
 * LogisticRegression leaves the intercept unpenalized and uses C = 1/(n l2) on a summed loss, so to reproduce our
 * numbers there, append a constant column yourself and fit without intercept).
 * <ul>
 *   <li>{@link Kind#LOGISTIC}: binary L2 logistic regression, one output, {@link SigmoidCrossEntropy}, labels 0/1;</li>
 *   <li>{@link Kind#SOFTMAX}: multinomial logistic regression, c outputs, {@link SoftmaxCrossEntropy};</li>
 *   <li>{@link Kind#LINEAR}: least squares, {@link SquaredLoss} L = 1/2 ||Phi - t||^2 on real targets.</li>
 * </ul>
 * For these models the Hessian equals the Gauss-Newton matrix (Phi is linear in theta) and both are positive
 * definite when l2 &gt; 0, so J is strongly convex with a unique optimum.
 */
public final class LinearModels {
    private LinearModels() {
    }

    /** The three linear model kinds of the command line. */
    public enum Kind {
        LOGISTIC("logistic"), SOFTMAX("softmax"), LINEAR("linear");

        private final String externalName;

        Kind(String externalName) {
            this.externalName = externalName;
        }

        public String externalName() {
            return externalName;
        }

        /** The loss of this model kind. */
        public Loss loss() {
            return switch (this) {
                case LOGISTIC -> new SigmoidCrossEntropy();
                case SOFTMAX -> new SoftmaxCrossEntropy();
                case LINEAR -> new SquaredLoss();
            };
        }
    }

    /**
     * A linear model with all parameters zero (the deterministic start of every fit; the objective is strongly
     * convex, so the start only affects the path, not the optimum).
     *
     * @param inputs  d
     * @param outputs c (1 for {@link Kind#LOGISTIC})
     */
    public static Mlp zeros(int inputs, int outputs) {
        return Mlp.of(new int[] {inputs, outputs}, new Activation[0],
                new DenseMatrix[] {new DenseMatrix(outputs, inputs)}, new double[][] {new double[outputs]});
    }

    /**
     * A layer's weight W (c x d) and bias b (c) as one c x (d + 1) matrix [W | b], the bias as last column (the layout
     * of {@code theta.npy} and of PyTorch's {@code [fc.weight, fc.bias]}).
     */
    public static DenseMatrix withBiasColumn(DenseMatrix w, double[] b) {
        if (b.length != w.rows()) {
            throw new IllegalArgumentException("bias has " + b.length + " entries for a " + w.shapeString() + " weight");
        }
        DenseMatrix out = new DenseMatrix(w.rows(), w.cols() + 1);
        for (int r = 0; r < w.rows(); r++) {
            for (int j = 0; j < w.cols(); j++) {
                out.set(r, j, w.get(r, j));
            }
            out.set(r, w.cols(), b[r]);
        }
        return out;
    }

    /** A linear model's parameters as [W | b] (see {@link #withBiasColumn}); the inverse of {@link #fromTheta}. */
    public static DenseMatrix theta(Mlp linear) {
        if (linear.layerCount() != 1) {
            throw new IllegalArgumentException("theta is defined for a linear model, got " + linear.layerCount()
                    + " layers");
        }
        return withBiasColumn(linear.weight(0), linear.bias(0));
    }

    /** The linear model f(x) = W x + b from theta = [W | b], shape c x (d + 1) (the inverse of {@link #theta}). */
    public static Mlp fromTheta(DenseMatrix theta) {
        if (theta.cols() < 2 || theta.rows() < 1) {
            throw new IllegalArgumentException("theta must be c x (d + 1) with d >= 1, got " + theta.shapeString());
        }
        int c = theta.rows();
        int d = theta.cols() - 1;
        DenseMatrix w = new DenseMatrix(c, d);
        double[] b = new double[c];
        for (int r = 0; r < c; r++) {
            for (int j = 0; j < d; j++) {
                w.set(r, j, theta.get(r, j));
            }
            b[r] = theta.get(r, d);
        }
        return Mlp.of(new int[] {d, c}, new Activation[0], new DenseMatrix[] {w}, new double[][] {b});
    }

    /** Whether a model has no hidden layer (so it is linear in its parameters and H = G). */
    public static boolean isLinear(DifferentiableModel m) {
        return m instanceof Mlp mlp && mlp.layerCount() == 1;
    }
}
