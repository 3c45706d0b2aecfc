package org.exemplar.response;

import java.util.Locale;

/**
 * How the base model and the responses are optimized (Bae et al. 2022, App. E.2).
 *
 * @param optimizer                  {@link Optimizer#SGD} (the paper's network protocol) or {@link Optimizer#LBFGS}
 *                                   (its logistic-regression protocol: every objective minimized to a tolerance)
 * @param epochs                     K, base training epochs (SGD)
 * @param batchSize                  examples per mini-batch (SGD; the last batch of an epoch may be smaller)
 * @param learningRate               base learning rate (SGD)
 * @param l2                         weight decay of J on every parameter
 * @param damping                    lambda of the proximal term and of the influence estimate (G + lambda I)
 * @param responseEpochs             epochs of the warm-start, proximal, PBRF, linearized PBRF and two-stage runs
 *                                   (default K/2, at least 1)
 * @param responseLearningRateFactor their learning rate is learningRate times this (default 0.1)
 * @param coldExtraEpochs            cold-start runs K + this many epochs (default K/2), the first K on the base order
 * @param tolerance                  L-BFGS: stop at ||grad|| &lt;= tolerance (absolute)
 * @param maxIterations              L-BFGS iteration cap per run
 * @param seed                       seed of the batch order (and of nothing else: initialization is the caller's)
 */
public record ResponseSettings(Optimizer optimizer, int epochs, int batchSize, double learningRate, double l2,
                               double damping, int responseEpochs, double responseLearningRateFactor,
                               int coldExtraEpochs, double tolerance, int maxIterations, long seed) {

    /** The optimizer of every run. */
    public enum Optimizer {
        SGD, LBFGS;

        public String externalName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ResponseSettings {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must be sgd or lbfgs, got null");
        }
        if (epochs < 0 || responseEpochs < 0 || coldExtraEpochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got K = " + epochs + ", response epochs "
                    + responseEpochs + ", cold extra epochs " + coldExtraEpochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        if (!(responseLearningRateFactor > 0) || !Double.isFinite(responseLearningRateFactor)) {
            throw new IllegalArgumentException("response learning-rate factor must be finite and > 0, got "
                    + responseLearningRateFactor);
        }
        if (!(l2 >= 0) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
        }
        if (!(damping > 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("damping must be finite and > 0, got " + damping);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("max iterations must be >= 1, got " + maxIterations);
        }
    }

    /** SGD with the App. E.2 defaults: responses K/2 (at least 1) epochs at lr/10, cold-start K + K/2 epochs. */
    public static ResponseSettings sgd(int epochs, int batchSize, double learningRate, double l2, double damping,
                                       long seed) {
        int half = Math.max(1, epochs / 2);
        return new ResponseSettings(Optimizer.SGD, epochs, batchSize, learningRate, l2, damping, half, 0.1,
                epochs / 2, 1e-10, 5000, seed);
    }

    /** L-BFGS on every objective to ||grad|| &lt;= tolerance (Sec. 6.1's logistic-regression protocol). */
    public static ResponseSettings lbfgs(double l2, double damping, double tolerance, int maxIterations) {
        return new ResponseSettings(Optimizer.LBFGS, 0, 1, 1.0, l2, damping, 0, 0.1, 0, tolerance, maxIterations, 0L);
    }

    public ResponseSettings withL2(double v) {
        return new ResponseSettings(optimizer, epochs, batchSize, learningRate, v, damping, responseEpochs,
                responseLearningRateFactor, coldExtraEpochs, tolerance, maxIterations, seed);
    }

    public ResponseSettings withDamping(double v) {
        return new ResponseSettings(optimizer, epochs, batchSize, learningRate, l2, v, responseEpochs,
                responseLearningRateFactor, coldExtraEpochs, tolerance, maxIterations, seed);
    }

    /** K changed, with the response and cold-start extra epochs rescaled to K/2 as App. E.2 prescribes. */
    public ResponseSettings withEpochs(int k) {
        return new ResponseSettings(optimizer, k, batchSize, learningRate, l2, damping, Math.max(1, k / 2),
                responseLearningRateFactor, k / 2, tolerance, maxIterations, seed);
    }

    public ResponseSettings withResponseEpochs(int r, int coldExtra) {
        return new ResponseSettings(optimizer, epochs, batchSize, learningRate, l2, damping, r,
                responseLearningRateFactor, coldExtra, tolerance, maxIterations, seed);
    }

    public ResponseSettings withResponseLearningRateFactor(double f) {
        return new ResponseSettings(optimizer, epochs, batchSize, learningRate, l2, damping, responseEpochs, f,
                coldExtraEpochs, tolerance, maxIterations, seed);
    }
}
