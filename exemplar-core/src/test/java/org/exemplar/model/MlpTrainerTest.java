package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.exemplar.linalg.Vectors;
import org.junit.jupiter.api.Test;

class MlpTrainerTest {
    private static final Loss SOFTMAX = new SoftmaxCrossEntropy();

    /** Three well separated Gaussian blobs in 2-D (centres 4 apart, unit-free sd 0.5): linearly separable whp. */
    private static final class Blobs {
        final DenseMatrix x;
        final int[] labels;

        Blobs(int n, long seed) {
            double[][] centres = {{0, 2}, {-2, -1}, {2, -1}};
            SplittableRandom rnd = new SplittableRandom(seed);
            x = new DenseMatrix(n, 2);
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                int y = i % 3;
                labels[i] = y;
                x.set(i, 0, centres[y][0] + 0.5 * gaussian(rnd));
                x.set(i, 1, centres[y][1] + 0.5 * gaussian(rnd));
            }
        }

        static double gaussian(SplittableRandom rnd) {
            return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
        }
    }

    private static double accuracy(Mlp m, DenseMatrix x, int[] labels) {
        DenseMatrix phi = m.logits(x);
        int ok = 0;
        for (int i = 0; i < x.rows(); i++) {
            if (Vectors.argmax(phi.data(), i * phi.cols(), phi.cols()) == labels[i]) {
                ok++;
            }
        }
        return ok / (double) x.rows();
    }

    private static Mlp fresh() {
        return Mlp.initialize(new int[] {2, 16, 3}, new Activation[] {Activation.TANH}, 21);
    }

    @Test
    void sgdWithMomentumAndAdamBothFitASeparableProblem() {
        Blobs data = new Blobs(150, 1);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        for (TrainingOptions o : new TrainingOptions[] {
                TrainingOptions.sgd(0.05, 0.9).withBatchSize(16).withEpochs(20),
                TrainingOptions.adam(0.02).withBatchSize(16).withEpochs(20)}) {
            Mlp m = fresh();
            double before = m.meanLoss(data.x, t, SOFTMAX);
            TrainingHistory h = new MlpTrainer().train(m, data.x, t, SOFTMAX, o, null);
            double[] loss = h.epochLoss();
            assertEquals(20, h.epochs());
            assertTrue(loss[19] < 0.2 * loss[0], o.optimizer() + ": " + Arrays.toString(loss));
            assertTrue(m.meanLoss(data.x, t, SOFTMAX) < 0.1 * before, o.optimizer().toString());
            assertTrue(accuracy(m, data.x, data.labels) >= 0.98, o.optimizer() + " accuracy " + accuracy(m, data.x, data.labels));
            assertTrue(h.seconds() >= 0);
        }
    }

    @Test
    void plainSgdReducesTheLossToo() {
        Blobs data = new Blobs(90, 2);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        Mlp m = Mlp.initialize(new int[] {2, 8, 3}, new Activation[] {Activation.RELU}, 4);
        TrainingHistory h = new MlpTrainer().train(m, data.x, t, SOFTMAX,
                TrainingOptions.sgd(0.1, 0).withBatchSize(10).withEpochs(15).withL2(1e-4), null);
        assertTrue(h.finalLoss() < 0.5 * h.epochLoss()[0], Arrays.toString(h.epochLoss()));
    }

    @Test
    void sameSeedGivesBitIdenticalParametersAndDifferentSeedsDiffer() {
        Blobs data = new Blobs(60, 3);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        for (TrainingOptions.Optimizer opt : TrainingOptions.Optimizer.values()) {
            TrainingOptions o = TrainingOptions.defaults().withOptimizer(opt).withLearningRate(0.01).withMomentum(0.5)
                    .withBatchSize(7).withEpochs(3).withL2(1e-3).withSeed(99);
            Mlp a = fresh();
            Mlp b = fresh();
            Mlp c = fresh();
            TrainingHistory ha = new MlpTrainer().train(a, data.x, t, SOFTMAX, o, null);
            TrainingHistory hb = new MlpTrainer().train(b, data.x, t, SOFTMAX, o, null);
            new MlpTrainer().train(c, data.x, t, SOFTMAX, o.withSeed(100), null);
            assertArrayEquals(a.parameters(), b.parameters(), 0.0, opt.toString());
            assertArrayEquals(ha.epochLoss(), hb.epochLoss(), 0.0);
            assertFalse(Arrays.equals(a.parameters(), c.parameters()), opt + ": the seed must change the order");
        }
    }

    @Test
    void fullBatchSgdStepIsExactlyAGradientStepOnTheRegularizedObjective() {
        Blobs data = new Blobs(12, 4);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        Mlp m = fresh();
        double l2 = 0.01;
        double lr = 0.3;
        double[] theta = m.parameters();
        double[] g = m.gradient(data.x, t, SOFTMAX, l2);
        new MlpTrainer().train(m, data.x, t, SOFTMAX, TrainingOptions.sgd(lr, 0).withBatchSize(100).withEpochs(1)
                .withL2(l2), null);
        double[] after = m.parameters();
        for (int i = 0; i < theta.length; i++) {
            // the batch is a permutation of the data, so the summation order differs: rounding-level agreement
            assertEquals(theta[i] - lr * g[i], after[i], 1e-14);
        }
    }

    @Test
    void firstAdamStepMovesEachParameterByTheLearningRateTimesTheGradientSign() {
        // After one step m_hat = g and v_hat = g^2, so the update is lr g / (|g| + eps).
        Blobs data = new Blobs(9, 5);
        DenseMatrix t = new SquaredLoss().targetsFromLabels(data.labels, 3);
        Mlp m = fresh();
        double[] theta = m.parameters();
        double[] g = m.gradient(data.x, t, new SquaredLoss(), 0.0);
        new MlpTrainer().train(m, data.x, t, new SquaredLoss(), TrainingOptions.adam(0.01).withBatchSize(9).withEpochs(1),
                null);
        double[] after = m.parameters();
        for (int i = 0; i < theta.length; i++) {
            double expected = theta[i] - 0.01 * g[i] / (Math.abs(g[i]) + 1e-8);
            assertEquals(expected, after[i], 1e-12, "parameter " + i + " gradient " + g[i]);
        }
    }

    @Test
    void listenerSeesEveryEpochWithTheRecordedLoss() {
        Blobs data = new Blobs(30, 6);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        List<double[]> seen = new ArrayList<>();
        TrainingHistory h = new MlpTrainer().train(fresh(), data.x, t, SOFTMAX,
                TrainingOptions.adam(0.01).withBatchSize(8).withEpochs(4), (e, l) -> seen.add(new double[] {e, l}));
        assertEquals(4, seen.size());
        for (int e = 0; e < 4; e++) {
            assertEquals(e + 1, seen.get(e)[0], 0.0);
            assertEquals(h.epochLoss()[e], seen.get(e)[1], 0.0);
        }
        TrainingHistory none = new MlpTrainer().train(fresh(), data.x, t, SOFTMAX,
                TrainingOptions.defaults().withEpochs(0), null);
        assertEquals(0, none.epochs());
        assertTrue(Double.isNaN(none.finalLoss()));
    }

    @Test
    void firstEpochLossIsTheMeanOfPerExampleLossesAtTheStartWhenFullBatch() {
        Blobs data = new Blobs(15, 7);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        Mlp m = fresh();
        double initial = m.meanLoss(data.x, t, SOFTMAX);
        TrainingHistory h = new MlpTrainer().train(m, data.x, t, SOFTMAX,
                TrainingOptions.sgd(0.1, 0).withBatchSize(15).withEpochs(2), null);
        assertEquals(initial, h.epochLoss()[0], 1e-14);
    }

    @Test
    void rejectsMismatchedShapesAndReportsDivergence() {
        Blobs data = new Blobs(10, 8);
        DenseMatrix t = SOFTMAX.targetsFromLabels(data.labels, 3);
        MlpTrainer trainer = new MlpTrainer();
        TrainingOptions o = TrainingOptions.defaults();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.train(fresh(), data.x, t.rowRange(0, 9), SOFTMAX, o, null));
        assertTrue(e.getMessage().contains("(10, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> trainer.train(fresh(), new DenseMatrix(10, 5), t, SOFTMAX, o, null));
        assertTrue(e.getMessage().contains("expects 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> trainer.train(fresh(), new DenseMatrix(0, 2), new DenseMatrix(0, 3), SOFTMAX, o, null));
        DenseMatrix huge = data.x.copy().scaleInPlace(1e6);
        DenseMatrix targets = new SquaredLoss().targetsFromLabels(data.labels, 3);
        // a ReLU net is positively homogeneous, so a far too large step grows the parameters geometrically
        Mlp relu = Mlp.initialize(new int[] {2, 16, 3}, new Activation[] {Activation.RELU}, 1);
        ArithmeticException d = assertThrows(ArithmeticException.class, () -> trainer.train(relu, huge, targets,
                new SquaredLoss(), TrainingOptions.sgd(10, 0).withBatchSize(2).withEpochs(50), null));
        assertTrue(d.getMessage().contains("diverged"), d.getMessage());
    }
}
