package org.exemplar.tracin;

import java.util.Objects;
import org.exemplar.model.Mlp;

/**
 * One saved state of a network during training.
 *
 * @param model        the parameters at the end of {@code epoch} (a private copy)
 * @param learningRate the learning rate eta_c of the steps that led to it (TracInCP's weight)
 * @param epoch        the epoch it was saved after (counting from 1)
 */
public record Checkpoint(Mlp model, double learningRate, int epoch) {
    public Checkpoint {
        Objects.requireNonNull(model, "model");
        model = model.copy();
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("a checkpoint's learning rate must be finite and > 0, got "
                    + learningRate);
        }
    }

    /** A copy of the saved network. */
    @Override
    public Mlp model() {
        return model.copy();
    }
}
