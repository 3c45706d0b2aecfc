package org.exemplar.cf;

/**
 * Settings of matrix-factorization training (eq. 16 with an L2 term):
 * J(U, V) = sum_{(i,j) in D} w_ij l(y_ij, &lt;U_i, V_j&gt;) + (reg / 2)(||U||_F^2 + ||V||_F^2),
 * with w_ij = {@code negativeWeight} for ratings y = 0 under the logistic loss (App. C uses 0.05) and 1 otherwise.
 *
 * @param loss           point-wise loss
 * @param rank           embedding width k
 * @param reg            L2 strength (ALS needs reg &gt; 0)
 * @param epochs         ALS sweeps (one sweep = a user half-step then an item half-step) or SGD epochs
 * @param learningRate   SGD step on J / |D| (minibatch mean of the loss gradients + (reg/|D|) theta)
 * @param batchSize      SGD minibatch size
 * @param initScale      initial entries ~ N(0, initScale^2), drawn from the seed for all users and items
 * @param negativeWeight weight of y = 0 ratings under the logistic loss
 * @param seed           initialization and shuffling seed
 */
public record MfOptions(CfLoss loss, int rank, double reg, int epochs, double learningRate, int batchSize,
                        double initScale, double negativeWeight, long seed) {
    public MfOptions {
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be >= 1, got " + rank);
        }
        if (!(reg >= 0)) {
            throw new IllegalArgumentException("reg must be >= 0, got " + reg);
        }
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(initScale > 0)) {
            throw new IllegalArgumentException("init scale must be > 0, got " + initScale);
        }
        if (!(negativeWeight > 0)) {
            throw new IllegalArgumentException("negative weight must be > 0, got " + negativeWeight);
        }
    }

    /** Squared loss defaults: rank 16, reg 1, 10 epochs, lr 2.0, batch 3000 (the paper's MF schedule), init 0.1. */
    public static MfOptions squared(int rank, long seed) {
        return new MfOptions(CfLoss.SQUARED, rank, 1.0, 10, 2.0, 3000, 0.1, 1.0, seed);
    }

    public MfOptions withEpochs(int e) {
        return new MfOptions(loss, rank, reg, e, learningRate, batchSize, initScale, negativeWeight, seed);
    }

    public MfOptions withReg(double r) {
        return new MfOptions(loss, rank, r, epochs, learningRate, batchSize, initScale, negativeWeight, seed);
    }

    public MfOptions withSeed(long s) {
        return new MfOptions(loss, rank, reg, epochs, learningRate, batchSize, initScale, negativeWeight, s);
    }

    public MfOptions withLearningRate(double lr) {
        return new MfOptions(loss, rank, reg, epochs, lr, batchSize, initScale, negativeWeight, seed);
    }

    public MfOptions withBatchSize(int b) {
        return new MfOptions(loss, rank, reg, epochs, learningRate, b, initScale, negativeWeight, seed);
    }

    /** w_ij of a rating value. */
    public double weight(double y) {
        return loss == CfLoss.LOGISTIC && y == 0.0 ? negativeWeight : 1.0;
    }
}
