package org.exemplar.tracin;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpTrainer;
import org.exemplar.model.TrainingHistory;
import org.exemplar.model.TrainingOptions;

/**
 * Trains an {@link Mlp} with {@link MlpTrainer} and keeps a {@link Checkpoint} after every {@code every}-th epoch
 * (and after the last), each with the learning rate of the steps that led to it.
 */
public final class CheckpointTraining {
    private CheckpointTraining() {
    }

    /**
     * The result: the trained network, its checkpoints and the training history.
     *
     * @param model       the final network
     * @param checkpoints in training order
     * @param history     per-epoch mean loss and time
     */
    public record Result(Mlp model, List<Checkpoint> checkpoints, TrainingHistory history) {
        public Result {
            checkpoints = List.copyOf(checkpoints);
        }
    }

    /**
     * Trains {@code initial} (not modified) and saves checkpoints.
     *
     * @param every save after every this many epochs (&gt;= 1); the last epoch is always saved
     */
    public static Result train(Mlp initial, DenseMatrix x, DenseMatrix targets, Loss loss, TrainingOptions options,
                               int every) {
        if (every < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 1 epoch, got " + every);
        }
        if (options.epochs() < 1) {
            throw new IllegalArgumentException("TracInCP needs at least one training epoch, got " + options.epochs());
        }
        Mlp model = initial.copy();
        List<Checkpoint> cps = new ArrayList<>();
        TrainingHistory h = new MlpTrainer().train(model, x, targets, loss, options, (epoch, meanLoss) -> {
            if (epoch % every == 0 || epoch == options.epochs()) {
                cps.add(new Checkpoint(model, options.learningRate(), epoch));
            }
        });
        return new Result(model.copy(), cps, h);
    }
}
