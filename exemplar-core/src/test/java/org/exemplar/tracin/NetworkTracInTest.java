package org.exemplar.tracin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.TrainingOptions;
import org.junit.jupiter.api.Test;

/**
 * TracInCP of a network against gradient dot products written out by hand from {@link Mlp#perExampleGradients},
 * and against the actual change of the test loss after one SGD step.
 */
class NetworkTracInTest {
    private final SplittableRandom r = new SplittableRandom(3);
    private final Loss loss = new SoftmaxCrossEntropy();
    private final Mlp m = Mlp.initialize(new int[] {3, 5, 4, 3}, new Activation[] {Activation.TANH, Activation.RELU},
            9);
    private final DenseMatrix x = gaussian(12, 3);
    private final DenseMatrix t = oneHot(12, 3);
    private final DenseMatrix xt = gaussian(4, 3);
    private final DenseMatrix tt = oneHot(4, 3);

    private DenseMatrix gaussian(int n, int d) {
        DenseMatrix g = new DenseMatrix(n, d);
        for (int k = 0; k < g.data().length; k++) {
            g.data()[k] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return g;
    }

    private DenseMatrix oneHot(int n, int c) {
        DenseMatrix o = new DenseMatrix(n, c);
        for (int i = 0; i < n; i++) {
            o.set(i, r.nextInt(c), 1.0);
        }
        return o;
    }

    /** lr * sum_{j >= from} gt[t][j] gi[i][j], by loops. */
    private static double dot(DenseMatrix gt, int tRow, DenseMatrix gi, int iRow, int from) {
        double s = 0;
        for (int j = from; j < gt.cols(); j++) {
            s += gt.get(tRow, j) * gi.get(iRow, j);
        }
        return s;
    }

    @Test
    void oneCheckpointIsTheGradientDotProductTimesTheLearningRate() {
        double lr = 0.3;
        DenseMatrix gi = m.perExampleGradients(x, t, loss);
        for (boolean last : new boolean[] {false, true}) {
            NetworkTracIn tr = new NetworkTracIn(List.of(new Checkpoint(m, lr, 1)), x, t, loss, last);
            int from = last ? m.weightOffset(m.layerCount() - 1) : 0;
            for (TestFunction f : new TestFunction[] {TestFunction.LOSS, TestFunction.MARGIN}) {
                DenseMatrix gt = f.gradients(m, xt, tt, loss);
                DenseMatrix s = tr.scores(xt, tt, f);
                for (int a = 0; a < xt.rows(); a++) {
                    for (int i = 0; i < x.rows(); i++) {
                        double e = lr * dot(gt, a, gi, i, from);
                        // two summation orders of < 100 products of unit-scale numbers: 1e-12 relative
                        assertEquals(e, s.get(a, i), 1e-12 * Math.max(1, Math.abs(e)), f.name() + " last=" + last);
                    }
                }
            }
            double[] self = tr.selfInfluence();
            for (int i = 0; i < x.rows(); i++) {
                double e = lr * dot(gi, i, gi, i, from);
                assertEquals(e, self[i], 1e-12 * Math.max(1, e));
            }
        }
    }

    @Test
    void checkpointsAddUpWithTheirLearningRates() {
        Mlp m2 = Mlp.initialize(new int[] {3, 5, 4, 3}, new Activation[] {Activation.TANH, Activation.RELU}, 10);
        NetworkTracIn both = new NetworkTracIn(List.of(new Checkpoint(m, 0.3, 1), new Checkpoint(m2, 0.05, 2)), x, t,
                loss, false);
        DenseMatrix a = new NetworkTracIn(List.of(new Checkpoint(m, 0.3, 1)), x, t, loss, false)
                .scores(xt, tt, TestFunction.LOSS);
        DenseMatrix b = new NetworkTracIn(List.of(new Checkpoint(m2, 0.05, 2)), x, t, loss, false)
                .scores(xt, tt, TestFunction.LOSS);
        DenseMatrix s = both.scores(xt, tt, TestFunction.LOSS);
        for (int k = 0; k < s.data().length; k++) {
            assertEquals(a.data()[k] + b.data()[k], s.data()[k], 1e-14 * Math.max(1, Math.abs(s.data()[k])));
        }
    }

    @Test
    void theScoreIsTheFirstOrderChangeOfTheTestLossAfterOneSgdStep() {
        // theta' = theta - lr grad L_i: L_t(theta) - L_t(theta') = lr grad L_t . grad L_i + O(lr^2); with lr = 1e-5
        // the second-order term is about 1e-5 of the first, tolerance 1e-3 relative
        double lr = 1e-5;
        NetworkTracIn tr = new NetworkTracIn(List.of(new Checkpoint(m, lr, 1)), x, t, loss, false);
        DenseMatrix s = tr.scores(xt, tt, TestFunction.LOSS);
        DenseMatrix gi = m.perExampleGradients(x, t, loss);
        double[] before = TestFunction.LOSS.values(m, xt, tt, loss);
        for (int i = 0; i < 3; i++) {
            Mlp stepped = m.copy();
            double[] th = stepped.parameters();
            for (int j = 0; j < th.length; j++) {
                th[j] -= lr * gi.get(i, j);
            }
            stepped.setParameters(th);
            double[] after = TestFunction.LOSS.values(stepped, xt, tt, loss);
            for (int a = 0; a < xt.rows(); a++) {
                double drop = before[a] - after[a];
                assertEquals(drop, s.get(a, i), 1e-3 * Math.abs(s.get(a, i)) + 1e-15, "test " + a + ", train " + i);
            }
        }
    }

    @Test
    void trainingKeepsCheckpointsWithTheirLearningRates() {
        TrainingOptions o = TrainingOptions.sgd(0.1, 0.0).withEpochs(5).withBatchSize(4).withSeed(1);
        CheckpointTraining.Result res = CheckpointTraining.train(m, x, t, loss, o, 2);
        assertEquals(List.of(2, 4, 5), res.checkpoints().stream().map(Checkpoint::epoch).toList());
        for (Checkpoint c : res.checkpoints()) {
            assertEquals(0.1, c.learningRate());
        }
        assertArrayEquals(res.model().parameters(), res.checkpoints().get(2).model().parameters(), 0.0);
        // the checkpoints are copies: epoch 2 differs from the end
        double diff = 0;
        double[] p2 = res.checkpoints().get(0).model().parameters();
        double[] p5 = res.model().parameters();
        for (int j = 0; j < p2.length; j++) {
            diff = Math.max(diff, Math.abs(p2[j] - p5[j]));
        }
        assertEquals(true, diff > 0);
        assertThrows(IllegalArgumentException.class, () -> CheckpointTraining.train(m, x, t, loss, o, 0));
        assertThrows(IllegalArgumentException.class, () -> new NetworkTracIn(List.of(), x, t, loss, false));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(m, 0.0, 1));
    }
}
