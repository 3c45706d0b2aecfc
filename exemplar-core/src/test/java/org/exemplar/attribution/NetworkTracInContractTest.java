package org.exemplar.attribution;

import java.util.SplittableRandom;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.TrainingOptions;

/**
 * TracInCP of a 3-20-3 tanh network trained by SGD (learning rate 0.2, batch 8, 15 epochs, a checkpoint per epoch)
 * on 40 points, explained output = -test loss; retraining = the same seeded SGD run without the point.
 */
class NetworkTracInContractTest extends AttributorContractTest<Examples> {
    final Examples train;
    final Examples test;

    NetworkTracInContractTest() {
        SplittableRandom r = new SplittableRandom(41);
        DenseMatrix x = ContractFixtures.gaussianMatrix(50, 3, r);
        int[] y = ContractFixtures.linearLabels(x, 3, 0.7, r);
        train = Examples.labeled(x.rowRange(0, 40), java.util.Arrays.copyOfRange(y, 0, 40));
        test = Examples.labeled(x.rowRange(40, 50), java.util.Arrays.copyOfRange(y, 40, 50));
    }

    NetworkTracInAttributor.Builder builder() {
        return Attributors.tracInNetwork(new int[] {20}, Activation.TANH, new SoftmaxCrossEntropy())
                .training(TrainingOptions.sgd(0.2, 0.0).withBatchSize(8).withEpochs(15).withSeed(5)).initSeed(2);
    }

    @Override
    protected PreparedAttributor<Examples> prepare() {
        return builder().prepare(train);
    }

    @Override
    protected Examples testSet() {
        return test;
    }

    @Override
    protected double[] explainedAfterRetraining(int removed) {
        NetworkTracInAttributor a = builder().prepare(removed < 0 ? train : train.without(removed));
        Mlp m = a.model();
        double[] f = TestFunction.LOSS.values(m, test.features(), test.lossTargets(a.loss(), m.outputWidth()),
                a.loss());
        for (int t = 0; t < f.length; t++) {
            f[t] = -f[t];
        }
        return f;
    }

    /**
     * TracIn traces the actual SGD path, but removing a point also reshuffles every later mini-batch, so a single
     * removal's effect competes with that noise; measured 9 of 10, the contract asks 0.8.
     */
    @Override
    protected double minSupportFraction() {
        return 0.8;
    }

    @Override
    protected boolean definesSelfInfluence() {
        return true;
    }
}
