package org.exemplar.cf;

import java.util.List;

/**
 * A trained factorization with what produced it.
 *
 * @param factors          the final U^, V^
 * @param algorithm        ALS or SGD
 * @param options          the training settings
 * @param objective        J(U, V) of {@link MfOptions} at the end (sum form, over the non-excluded ratings)
 * @param objectiveHistory J after every epoch / sweep
 * @param checkpoints      SGD checkpoints (one per epoch, empty for ALS or when not asked for)
 * @param seconds          wall time of training
 */
public record MfResult(Factorization factors, MfTrainer.Algorithm algorithm, MfOptions options, double objective,
                       double[] objectiveHistory, List<Checkpoint> checkpoints, double seconds) {

    /** Parameters after an SGD epoch with the learning rate used in that epoch (eta_t of eq. 20). */
    public record Checkpoint(int epoch, double learningRate, Factorization factors) {
    }
}
