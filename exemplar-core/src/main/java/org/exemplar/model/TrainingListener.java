package org.exemplar.model;

/** Receives progress from {@link MlpTrainer}, once at the end of every epoch. */
@FunctionalInterface
public interface TrainingListener {

    /**
     * Called after each epoch.
     *
     * @param epoch    the epoch just finished, counting from 1
     * @param meanLoss the epoch's mean training data loss (see {@link TrainingHistory#epochLoss()})
     */
    void onEpoch(int epoch, double meanLoss);
}
