package org.exemplar.model;

import java.util.Arrays;

/**
 * What {@link MlpTrainer#train} reports.
 *
 * @param epochLoss per epoch, the mean data loss (1/n) sum_i L(t_i, Phi(x_i)) without the regularizer, where
 *                  each example's loss is taken in the forward pass of its mini-batch, i.e. at the parameters
 *                  before that batch's update (the usual running training loss, at no extra cost)
 * @param seconds   wall-clock training time
 */
public record TrainingHistory(double[] epochLoss, double seconds) {

    public TrainingHistory {
        epochLoss = epochLoss.clone();
    }

    /** A copy of the per-epoch mean losses. */
    @Override
    public double[] epochLoss() {
        return epochLoss.clone();
    }

    /** Number of epochs trained. */
    public int epochs() {
        return epochLoss.length;
    }

    /** The last epoch's mean loss, NaN when no epoch ran. */
    public double finalLoss() {
        return epochLoss.length == 0 ? Double.NaN : epochLoss[epochLoss.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingHistory h && Arrays.equals(epochLoss, h.epochLoss)
                && Double.compare(seconds, h.seconds) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(epochLoss) + Double.hashCode(seconds);
    }

    @Override
    public String toString() {
        return "TrainingHistory[epochs=" + epochLoss.length + ", finalLoss=" + finalLoss() + ", seconds=" + seconds + "]";
    }
}
