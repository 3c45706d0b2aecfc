package org.exemplar.representer;

import org.exemplar.eval.Correlation;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * The fidelity check of Yeh et al. 2018 (Fig. 1): Pearson correlation, over all (point, class) entries,
 * between a reference model's outputs and the representer reconstruction sum_i k(x, x_i), both passed through
 * the loss's link (softmax for the softmax loss, the logistic function for sigmoid, identity/ReLU otherwise).
 */
public final class Fidelity {
    private Fidelity() {
    }

    public static double pearson(Loss loss, DenseMatrix referenceLogits, DenseMatrix reconstructedLogits) {
        if (!referenceLogits.sameShape(reconstructedLogits)) {
            throw new IllegalArgumentException("reference outputs " + referenceLogits.shapeString()
                    + " vs reconstruction " + reconstructedLogits.shapeString());
        }
        return Correlation.pearson(linked(loss, referenceLogits), linked(loss, reconstructedLogits));
    }

    static double[] linked(Loss loss, DenseMatrix logits) {
        int c = logits.cols();
        double[] out = new double[logits.data().length];
        for (int i = 0; i < logits.rows(); i++) {
            loss.link(logits.data(), i * c, out, i * c, c);
        }
        return out;
    }
}
