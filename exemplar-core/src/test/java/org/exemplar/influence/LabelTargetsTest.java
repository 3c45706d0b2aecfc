package org.exemplar.influence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.exemplar.data.DataException;
import org.exemplar.data.NpyArray;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.junit.jupiter.api.Test;

class LabelTargetsTest {
    private static final Path Y = Path.of("y.npy");
    private static final Path X = Path.of("x.npy");
    private static final Loss SIGMOID = LinearModels.Kind.LOGISTIC.loss();
    private static final Loss SOFTMAX = LinearModels.Kind.SOFTMAX.loss();

    private static LabelTargets read(int[] labels, Loss loss, Integer outputs, Integer classes, LabelTargets train) {
        return LabelTargets.read(NpyArray.of(labels), Y, labels.length, X, loss, false, outputs, classes, train);
    }

    @Test
    void plusMinusOneLabelsBecomeZeroOneTargets() {
        LabelTargets t = read(new int[] {-1, 1, 1, -1}, SIGMOID, null, null, null);
        assertEquals(4, t.targets().rows());
        assertEquals(1, t.targets().cols());
        double[] expected = {0, 1, 1, 0};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], t.targets().get(i, 0), 0.0);
        }
        assertEquals("-1 mapped to 0, +1 kept", t.mapping());
        assertArrayEquals(new String[] {"-1", "1", "1", "-1"}, t.labelsForCsv());
        assertEquals(2, t.classes());
        assertEquals("0/1 as given", read(new int[] {0, 1}, SIGMOID, null, null, null).mapping());
    }

    @Test
    void mixedOrForeignBinaryLabelsAreRefused() {
        DataException mixed = assertThrows(DataException.class, () -> read(new int[] {0, -1, 1}, SIGMOID, null, null, null));
        assertTrue(mixed.getMessage().contains("mixes 0 and -1"), mixed.getMessage());
        DataException two = assertThrows(DataException.class, () -> read(new int[] {0, 2}, SIGMOID, null, null, null));
        assertTrue(two.getMessage().contains("got 2 at row 1"), two.getMessage());
    }

    @Test
    void classIndicesAreOneHotWithTheClassCountFromTrainingOrGiven() {
        LabelTargets train = read(new int[] {2, 0, 1, 2}, SOFTMAX, null, null, null);
        assertEquals(3, train.classes());
        assertEquals("class indices", train.mapping());
        double[][] oneHot = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 3; k++) {
                assertEquals(oneHot[i][k], train.targets().get(i, k), 0.0, "row " + i + " class " + k);
            }
        }
        // test labels take the training class count: a 0/1-only test set still has 3 columns
        assertEquals(3, read(new int[] {0, 1}, SOFTMAX, null, null, train).targets().cols());
        DataException outside = assertThrows(DataException.class, () -> read(new int[] {3}, SOFTMAX, null, null, train));
        assertTrue(outside.getMessage().contains("outside [0, 3)") && outside.getMessage().contains("--classes"),
                outside.getMessage());
        assertEquals(5, read(new int[] {0, 1}, SOFTMAX, null, 5, null).targets().cols());
        assertEquals(4, read(new int[] {0, 1}, SOFTMAX, 4, null, null).targets().cols());
    }

    @Test
    void realTargetsPassThroughAndRowCountsMustMatch() {
        DenseMatrix y = DenseMatrix.fromRows(new double[][] {{1.5}, {-2.0}});
        LabelTargets t = LabelTargets.read(NpyArray.of(y), Y, 2, X, LinearModels.Kind.LINEAR.loss(), true, null, null, null);
        assertEquals(-2.0, t.targets().get(1, 0), 0.0);
        assertArrayEquals(new String[] {"1.5", "-2.0"}, t.labelsForCsv());
        assertEquals("real targets", t.mapping());
        DataException rows = assertThrows(DataException.class,
                () -> LabelTargets.read(NpyArray.of(new int[] {0, 1}), Y, 3, X, SIGMOID, false, null, null, null));
        assertTrue(rows.getMessage().contains("has 2 rows but x.npy has 3"), rows.getMessage());
        DataException width = assertThrows(DataException.class,
                () -> LabelTargets.read(NpyArray.of(y), Y, 2, X, LinearModels.Kind.LINEAR.loss(), true, 3, null, null));
        assertTrue(width.getMessage().contains("1 target columns but the MLP has 3"), width.getMessage());
    }
}
