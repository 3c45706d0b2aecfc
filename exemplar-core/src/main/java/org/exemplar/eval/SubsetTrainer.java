package org.exemplar.eval;

import java.util.Map;
import org.exemplar.attribution.Examples;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelRecipe;
import org.exemplar.trak.MarginOutput;

/**
 * Trains a model from scratch on a training subset and reports the explained output of every test point, for the
 * retraining metrics ({@link Lds}, {@link TopKRemoval}). Must be deterministic for a given seed and thread-safe.
 */
public interface SubsetTrainer {
    /** Every setting that changes the outputs (part of the cache key). */
    Map<String, Object> settings();

    /** Trains on {@code train} with {@code seed} and evaluates the test points. */
    Outputs fit(Examples train, Examples test, long seed);

    /**
     * @param values    the explained output of every test point
     * @param predicted the predicted class of every test point (null where not meaningful)
     */
    record Outputs(double[] values, int[] predicted) {
    }

    /**
     * Trains by the recipe (classes fixed by the full training set) and explains the correct-class log-odds
     * log(p_y / (1 - p_y)) of each test label, TRAK's output function (monotone in the test loss, so a rank
     * correlation per test point is the same for -loss).
     */
    static SubsetTrainer of(ModelRecipe recipe, int classes) {
        return new SubsetTrainer() {
            @Override
            public Map<String, Object> settings() {
                Map<String, Object> s = new java.util.LinkedHashMap<>(recipe.settings());
                s.put("classes", classes);
                s.put("output", "correct-class log-odds");
                return s;
            }

            @Override
            public Outputs fit(Examples train, Examples test, long seed) {
                Mlp m = recipe.train(train.features(), train.labels(), classes, seed);
                DenseMatrix phi = m.logits(test.features());
                return new Outputs(MarginOutput.values(m, test.features(), test.labels()),
                        MarginOutput.labelsOrPredicted(phi, null));
            }
        };
    }
}
