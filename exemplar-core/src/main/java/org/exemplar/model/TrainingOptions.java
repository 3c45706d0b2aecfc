package org.exemplar.model;

/**
 * Hyper-parameters of {@link MlpTrainer}: mini-batch training of the objective
 * (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2 (all parameters penalized, biases included).
 *
 * <p>Start from {@link #defaults()} (or {@link #sgd} / {@link #adam}) and adjust with the {@code with...} methods;
 * every instance is validated in the compact constructor.
 *
 * @param optimizer    {@link Optimizer#SGD} or {@link Optimizer#ADAM}
 * @param learningRate step size, finite and &gt; 0
 * @param momentum     SGD heavy-ball momentum mu in [0, 1) (0 = plain SGD); ignored by Adam. The update is
 *                     v := mu v + g, theta := theta - lr v (the PyTorch convention)
 * @param beta1        Adam's first-moment decay in [0, 1) (default 0.9)
 * @param beta2        Adam's second-moment decay in [0, 1) (default 0.999)
 * @param epsilon      Adam's denominator guard, finite and &gt; 0 (default 1e-8)
 * @param batchSize    examples per mini-batch, &ge; 1 (the last batch of an epoch may be smaller; a batch size
 *                     &ge; n means full-batch training)
 * @param epochs       passes over the data, &ge; 0
 * @param l2           weight-decay coefficient, finite and &ge; 0, folded into the objective's gradient (for Adam
 *                     this is L2-regularized Adam, not decoupled AdamW)
 * @param seed         seed of the shuffling order
 */
public record TrainingOptions(Optimizer optimizer, double learningRate, double momentum, double beta1, double beta2,
                              double epsilon, int batchSize, int epochs, double l2, long seed) {

    /** The update rule. */
    public enum Optimizer {
        /** Mini-batch stochastic gradient descent, optionally with heavy-ball momentum. */
        SGD,
        /** Adam (Kingma and Ba 2015) with bias correction. */
        ADAM
    }

    public TrainingOptions {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must be SGD or ADAM, got null");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must lie in [0, 1), got " + momentum);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("Adam beta1 must lie in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam beta2 must lie in [0, 1), got " + beta2);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("Adam epsilon must be finite and > 0, got " + epsilon);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        if (!(l2 >= 0) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
        }
    }

    /** Adam, learning rate 1e-3, betas 0.9/0.999, epsilon 1e-8, batch size 64, 10 epochs, l2 0, seed 0. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(Optimizer.ADAM, 1e-3, 0.0, 0.9, 0.999, 1e-8, 64, 10, 0.0, 0L);
    }

    /** {@link #defaults()} switched to SGD with the given learning rate and momentum. */
    public static TrainingOptions sgd(double learningRate, double momentum) {
        return defaults().withOptimizer(Optimizer.SGD).withLearningRate(learningRate).withMomentum(momentum);
    }

    /** {@link #defaults()} (Adam) with the given learning rate. */
    public static TrainingOptions adam(double learningRate) {
        return defaults().withLearningRate(learningRate);
    }

    public TrainingOptions withOptimizer(Optimizer o) {
        return new TrainingOptions(o, learningRate, momentum, beta1, beta2, epsilon, batchSize, epochs, l2, seed);
    }

    public TrainingOptions withLearningRate(double lr) {
        return new TrainingOptions(optimizer, lr, momentum, beta1, beta2, epsilon, batchSize, epochs, l2, seed);
    }

    public TrainingOptions withMomentum(double mu) {
        return new TrainingOptions(optimizer, learningRate, mu, beta1, beta2, epsilon, batchSize, epochs, l2, seed);
    }

    public TrainingOptions withAdamBetas(double b1, double b2) {
        return new TrainingOptions(optimizer, learningRate, momentum, b1, b2, epsilon, batchSize, epochs, l2, seed);
    }

    public TrainingOptions withEpsilon(double eps) {
        return new TrainingOptions(optimizer, learningRate, momentum, beta1, beta2, eps, batchSize, epochs, l2, seed);
    }

    public TrainingOptions withBatchSize(int b) {
        return new TrainingOptions(optimizer, learningRate, momentum, beta1, beta2, epsilon, b, epochs, l2, seed);
    }

    public TrainingOptions withEpochs(int e) {
        return new TrainingOptions(optimizer, learningRate, momentum, beta1, beta2, epsilon, batchSize, e, l2, seed);
    }

    public TrainingOptions withL2(double lambda) {
        return new TrainingOptions(optimizer, learningRate, momentum, beta1, beta2, epsilon, batchSize, epochs, lambda,
                seed);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(optimizer, learningRate, momentum, beta1, beta2, epsilon, batchSize, epochs, l2, s);
    }
}
