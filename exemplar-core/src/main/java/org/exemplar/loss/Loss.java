package org.exemplar.loss;

import org.exemplar.linalg.DenseMatrix;

/**
 * A loss L(t, Phi) on a model's pre-activation output Phi in R^c against a target t in R^c, convex in Phi.
 *
 * <p>Targets live in the loss's own target space: a probability vector for softmax cross-entropy, a
 * probability per output for sigmoid cross-entropy, a real vector for the squared and ReLU losses. They are
 * built from integer labels by {@link #targetsFromLabels} or from a given model's logits by
 * {@link #targetsFromLogits} (the "suitable" losses of Yeh et al. 2018, Def. 3.1 / Prop. 3.1, which make the
 * given logits a stationary point of the unregularized fit).
 *
 * <p>All methods work on one example stored at an offset of a flat array, so batch code can loop over the
 * rows of a row-major matrix without copies.
 */
public interface Loss {

    /** Short stable name used on the command line and in provenance ("softmax", "sigmoid", ...). */
    String name();

    /** L(t, Phi) for one example. */
    double value(double[] phi, int phiOff, double[] target, int tOff, int c);

    /** Writes dL/dPhi into {@code grad[gOff .. gOff+c)} and returns L(t, Phi). */
    double valueAndGradient(double[] phi, int phiOff, double[] target, int tOff, double[] grad, int gOff, int c);

    /** Writes (d^2 L / dPhi^2) v into {@code out}; the output-space Hessian H_y of the Gauss-Newton product. */
    void hessianVector(double[] phi, int phiOff, double[] target, int tOff, double[] v, int vOff, double[] out,
                       int oOff, int c);

    /** The model's "output" in the space the loss compares (softmax or sigmoid probabilities, or Phi itself). */
    void link(double[] phi, int phiOff, double[] out, int oOff, int c);

    /** Targets for integer labels in [0, c) (sigmoid with c = 1: labels 0/1). */
    DenseMatrix targetsFromLabels(int[] labels, int c);

    /** Targets that make the given model's logits the unregularized optimum (Yeh et al., eq. 4). */
    DenseMatrix targetsFromLogits(DenseMatrix logits);

    /** Number of outputs the loss needs for a c-class problem (sigmoid: 1 for two classes). */
    default int outputsForClasses(int classes) {
        return classes;
    }

    /** The loss's predicted class for one output vector. */
    default int predictedClass(double[] phi, int off, int c) {
        return org.exemplar.linalg.Vectors.argmax(phi, off, c);
    }

    /** Parses a name from the command line. */
    static Loss named(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "softmax", "softmax-cross-entropy", "cross-entropy" -> new SoftmaxCrossEntropy();
            case "sigmoid", "sigmoid-cross-entropy", "logistic" -> new SigmoidCrossEntropy();
            case "relu" -> new ReluMatchingLoss();
            case "squared", "mse" -> new SquaredLoss();
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "' (expected softmax, sigmoid, relu or squared)");
        };
    }
}
