package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.curvature.FisherKind;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.ModelRecipe;
import org.exemplar.model.TrainingOptions;
import org.junit.jupiter.api.Test;

/** The catalogue's name -> builder mapping, where it does more than pass settings through. */
class MethodCatalogTest {
    private static Examples data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, 3);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x.set(i, j, r.nextGaussian());
            }
            y[i] = x.get(i, 0) > 0.3 ? 2 : x.get(i, 1) > 0 ? 1 : 0;
        }
        return Examples.labeled(x, y);
    }

    /** kfac without a kind or a network trains the recipe's network (3 classes, the spec's seed) and explains it. */
    @Test
    void kfacOfARecipeExplainsTheNetworkTheRecipeTrains() {
        Examples train = data(30, 1);
        Examples test = data(4, 2);
        ModelRecipe recipe = ModelRecipe.mlp(new int[] {4}, Activation.TANH,
                TrainingOptions.sgd(0.1, 0.0).withEpochs(3).withBatchSize(10));
        MethodCatalog.Spec spec = new MethodCatalog.Spec(null, null, recipe, null, TestFunction.LOSS, 0, 0, 0.01, null,
                FisherKind.EXPECTED, null, null, null, null, 1, false, 1, 0, 5);
        DenseMatrix got = MethodCatalog.prepare("kfac", spec, train).attribute(test).scores();
        var net = recipe.train(train.features(), train.labels(), 3, 5);
        DenseMatrix want = Attributors.kfac(net, new SoftmaxCrossEntropy()).damping(0.01).fisher(FisherKind.EXPECTED)
                .seed(5).prepare(train).attribute(test).scores();
        assertArrayEquals(want.data(), got.data(), 0.0);
    }

    @Test
    void anUnknownNameIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MethodCatalog.prepare(
                "datamodels", new MethodCatalog.Spec(null, null, null, null, null, 0, 0, 0, null, null, null, null,
                        null, null, 1, false, 1, 1, 0), data(5, 1)));
        assertTrue(e.getMessage().contains("datamodels") && e.getMessage().contains("kfac, ekfac"), e.getMessage());
    }
}
