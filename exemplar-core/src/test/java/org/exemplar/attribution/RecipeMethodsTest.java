package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.ModelRecipe;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.model.TrainingOptions;
import org.exemplar.trak.RandomProjection;
import org.junit.jupiter.api.Test;

/** The evaluation's method names (evaluate lds), moved out of the CLI. */
class RecipeMethodsTest {
    private static final ModelRecipe LINEAR = ModelRecipe.linear(LinearModels.Kind.SOFTMAX, 0.1,
            new TightTrainingOptions(1e-10, 3000, 0));

    private static Examples data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, 3);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x.set(i, j, r.nextGaussian());
            }
            y[i] = x.get(i, 0) + 0.5 * r.nextGaussian() > 0 ? 1 : x.get(i, 1) > 0 ? 2 : 0;
        }
        return Examples.labeled(x, y);
    }

    @Test
    void namesAreCheckedBeforeAnyTraining() {
        RecipeMethods.check(List.of("trak", "trak-12", "kfac", "rps", "if-lissa"), true);
        RecipeMethods.check(List.of("trak-3", "ekfac", "tracin"), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecipeMethods.check(List.of("rps", "RPS "), true));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RecipeMethods.check(List.of("trak-0"), true));
        assertTrue(e.getMessage().contains("unknown method 'trak-0'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RecipeMethods.check(List.of("if-cg"), false));
        assertTrue(e.getMessage().contains("--model softmax or logistic"), e.getMessage());
    }

    @Test
    void rpsReadsTheFeaturesWithTheRecipesBiasColumnAndLambdaHalfTheL2() {
        Examples train = data(30, 1);
        Examples test = data(4, 2);
        RecipeMethods.Settings s = new RecipeMethods.Settings(LINEAR, 8, RandomProjection.Kind.RADEMACHER, 1e-3, 0.1,
                5L);
        assertSame(test, RecipeMethods.inputs("kfac", test));
        // the ones column built here by hand, independent of withOnesColumn
        DenseMatrix x1 = new DenseMatrix(30, 4);
        DenseMatrix xt1 = new DenseMatrix(4, 4);
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 3; j++) {
                x1.set(i, j, train.features().get(i, j));
            }
            x1.set(i, 3, 1.0);
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                xt1.set(i, j, test.features().get(i, j));
            }
            xt1.set(i, 3, 1.0);
        }
        DenseMatrix want = Attributors.representer().lambda(0.05).prepare(Examples.labeled(x1, train.labels()))
                .attribute(Examples.labeled(xt1, test.labels())).scores();
        DenseMatrix got = RecipeMethods.prepare(" RPS", s, train).attribute(RecipeMethods.inputs("rps", test)).scores();
        assertArrayEquals(want.data(), got.data(), 0.0);
        assertEquals(4, RecipeMethods.inputs("rps", test).features().cols());
    }

    @Test
    void linearOnlyMethodsAreRefusedOnANetworkRecipeAndTrakNTrainsNModels() {
        ModelRecipe mlp = ModelRecipe.mlp(new int[] {4}, Activation.RELU,
                TrainingOptions.adam(1e-3).withBatchSize(8).withEpochs(1));
        RecipeMethods.Settings s = new RecipeMethods.Settings(mlp, 8, RandomProjection.Kind.RADEMACHER, 1e-3, 0.1, 5L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecipeMethods.prepare("if-exact", s, data(20, 3)));
        assertTrue(e.getMessage().contains("needs a linear model"), e.getMessage());
        RecipeMethods.Settings lin = new RecipeMethods.Settings(LINEAR, 8, RandomProjection.Kind.RADEMACHER, 1e-3, 0.1,
                5L);
        PreparedAttributor<Examples> two = RecipeMethods.prepare("trak-2", lin, data(20, 3));
        assertTrue(two instanceof TrakAttributor);
        assertEquals("2", String.valueOf(two.provenance().settings().get("ensemble")), two.provenance().settings()
                .toString());
    }
}
