package org.exemplar.influence;

import java.util.Objects;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * The training set and the objective J(theta) = (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2 a model was
 * fitted to.
 *
 * @param features x_i, one row per example (n x d)
 * @param targets  t_i in the loss's target space (n x c), e.g. from {@link Loss#targetsFromLabels}
 * @param loss     L
 * @param l2       the L2 strength on every parameter (biases included)
 */
public record TrainingData(DenseMatrix features, DenseMatrix targets, Loss loss, double l2) {
    public TrainingData {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(loss, "loss");
        if (features.rows() != targets.rows()) {
            throw new IllegalArgumentException("features have " + features.rows() + " rows but targets have "
                    + targets.rows());
        }
        if (features.rows() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        if (!(l2 >= 0) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
        }
    }

    /** n. */
    public int size() {
        return features.rows();
    }

    /** The same objective on the rows listed. */
    public TrainingData subset(int[] rows) {
        return new TrainingData(features.selectRows(rows), targets.selectRows(rows), loss, l2);
    }
}
