package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TrainingOptionsTest {

    @Test
    void defaultsAndWithersKeepEverythingElse() {
        TrainingOptions d = TrainingOptions.defaults();
        assertEquals(TrainingOptions.Optimizer.ADAM, d.optimizer());
        assertEquals(0.9, d.beta1());
        assertEquals(0.999, d.beta2());
        assertEquals(1e-8, d.epsilon());
        assertEquals(0.0, d.l2());
        TrainingOptions o = d.withLearningRate(0.5).withBatchSize(3).withEpochs(7).withL2(0.1).withSeed(5)
                .withAdamBetas(0.8, 0.99).withEpsilon(1e-6).withMomentum(0.3).withOptimizer(TrainingOptions.Optimizer.SGD);
        assertEquals(new TrainingOptions(TrainingOptions.Optimizer.SGD, 0.5, 0.3, 0.8, 0.99, 1e-6, 3, 7, 0.1, 5), o);
        TrainingOptions s = TrainingOptions.sgd(0.1, 0.9);
        assertEquals(TrainingOptions.Optimizer.SGD, s.optimizer());
        assertEquals(0.1, s.learningRate());
        assertEquals(0.9, s.momentum());
        assertEquals(0.02, TrainingOptions.adam(0.02).learningRate());
    }

    @Test
    void invalidValuesAreRejectedWithTheirName() {
        TrainingOptions d = TrainingOptions.defaults();
        expect("learning rate", () -> d.withLearningRate(0));
        expect("learning rate", () -> d.withLearningRate(Double.NaN));
        expect("learning rate", () -> d.withLearningRate(Double.POSITIVE_INFINITY));
        expect("momentum", () -> d.withMomentum(1.0));
        expect("momentum", () -> d.withMomentum(-0.1));
        expect("beta1", () -> d.withAdamBetas(1.0, 0.9));
        expect("beta2", () -> d.withAdamBetas(0.9, -1));
        expect("epsilon", () -> d.withEpsilon(0));
        expect("batch size", () -> d.withBatchSize(0));
        expect("epochs", () -> d.withEpochs(-1));
        expect("l2", () -> d.withL2(-1e-3));
        expect("l2", () -> d.withL2(Double.NaN));
        expect("optimizer", () -> d.withOptimizer(null));
    }

    private static void expect(String word, Supplier<TrainingOptions> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(word), e.getMessage());
    }
}
