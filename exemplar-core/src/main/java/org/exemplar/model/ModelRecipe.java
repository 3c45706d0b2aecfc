package org.exemplar.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * How to train a model from scratch on any training set: a linear model kind fitted to a tight optimum of
 * (1/n) sum_i L + (l2/2) ||theta||^2 (bias penalized, deterministic), or an MLP initialized and trained by
 * {@link MlpTrainer} from a seed. Used wherever many models must be retrained the same way (TRAK's ensemble, the
 * linear datamodeling score's subsets, top-k removal).
 *
 * @param kind     the linear model kind, or null for an MLP
 * @param l2       the linear model's L2 strength (ignored for an MLP; its options carry their own)
 * @param tight    the linear fit's stopping rule
 * @param hidden   hidden widths of the MLP (null for a linear model)
 * @param activation hidden activation of the MLP
 * @param training the MLP's training options (its seed is replaced by the seed given to {@link #train})
 */
public record ModelRecipe(LinearModels.Kind kind, double l2, TightTrainingOptions tight, int[] hidden,
                          Activation activation, TrainingOptions training) {
    public ModelRecipe {
        if (kind == null) {
            Objects.requireNonNull(hidden, "hidden widths");
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(training, "training options");
            hidden = hidden.clone();
        } else {
            if (!(l2 >= 0) || !Double.isFinite(l2)) {
                throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
            }
            Objects.requireNonNull(tight, "tight training options");
        }
    }

    /** A linear model kind trained to a tight optimum with the given L2 strength. */
    public static ModelRecipe linear(LinearModels.Kind kind, double l2, TightTrainingOptions tight) {
        return new ModelRecipe(Objects.requireNonNull(kind, "kind"), l2, tight, null, null, null);
    }

    /** A softmax-output MLP with the given hidden widths, trained by {@link MlpTrainer}. */
    public static ModelRecipe mlp(int[] hidden, Activation activation, TrainingOptions training) {
        return new ModelRecipe(null, 0, null, hidden, activation, training);
    }

    /** Whether the trained model is linear in its parameters (a deterministic, convex fit). */
    public boolean isLinear() {
        return kind != null;
    }

    /** The loss the model is trained with. */
    public Loss loss() {
        return kind != null ? kind.loss() : new org.exemplar.loss.SoftmaxCrossEntropy();
    }

    /** Number of model outputs for labels with {@code classes} classes. */
    public int outputs(int classes) {
        return kind == LinearModels.Kind.LOGISTIC ? 1 : classes;
    }

    /** Every setting that changes the trained model (for cache keys and provenance). */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (kind != null) {
            m.put("model", kind.externalName());
            m.put("l2", l2);
            m.put("tolerance", tight.tolerance());
            m.put("maxLbfgsIterations", tight.maxLbfgsIterations());
            m.put("maxNewtonIterations", tight.maxNewtonIterations());
        } else {
            m.put("model", "mlp");
            m.put("hidden", Arrays.toString(hidden));
            m.put("activation", activation.externalName());
            TrainingOptions o = training;
            m.put("training", o.optimizer() + " lr=" + o.learningRate() + " momentum=" + o.momentum() + " batch="
                    + o.batchSize() + " epochs=" + o.epochs() + " l2=" + o.l2());
        }
        return m;
    }

    /**
     * Trains a fresh model.
     *
     * @param x       features (n x d)
     * @param labels  class labels in [0, classes)
     * @param classes number of classes (fixes the output width even when a subset misses a class)
     * @param seed    initialization and shuffling seed of an MLP (a linear fit does not depend on it)
     */
    public Mlp train(DenseMatrix x, int[] labels, int classes, long seed) {
        Loss loss = loss();
        int outputs = outputs(classes);
        DenseMatrix targets = loss.targetsFromLabels(labels, outputs);
        if (kind != null) {
            Mlp initial = LinearModels.zeros(x.cols(), outputs);
            OptimumFit fit = new TightTrainer(tight).fit(new ModelObjective(initial, x, targets, loss, l2),
                    initial.parameters(), null);
            Mlp model = initial.copy();
            model.setParameters(fit.theta());
            return model;
        }
        Mlp model = Mlp.initialize(x.cols(), hidden, activation, outputs, seed);
        new MlpTrainer().train(model, x, targets, loss, training.withSeed(seed), null);
        return model;
    }
}
