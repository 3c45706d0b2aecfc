package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ParameterLayout}: offsets and flattening against an explicit enumeration of the flat order. */
class ParameterLayoutTest {
    private static final int[] WIDTHS = {3, 5, 2, 4};

    /** Labels of theta's entries in the documented order: per layer, W row-major ("W k r q"), then b ("b k r"). */
    private static List<String> enumerate(int[] widths) {
        List<String> labels = new ArrayList<>();
        for (int k = 0; k + 1 < widths.length; k++) {
            for (int r = 0; r < widths[k + 1]; r++) {
                for (int q = 0; q < widths[k]; q++) {
                    labels.add("W " + k + " " + r + " " + q);
                }
            }
            for (int r = 0; r < widths[k + 1]; r++) {
                labels.add("b " + k + " " + r);
            }
        }
        return labels;
    }

    @Test
    void offsetsAndCountFollowTheEnumeratedFlatOrder() {
        ParameterLayout layout = new ParameterLayout(WIDTHS);
        List<String> labels = enumerate(WIDTHS);
        assertEquals(labels.size(), layout.count());
        assertEquals(3, layout.layerCount());
        for (int k = 0; k < 3; k++) {
            assertEquals(labels.indexOf("W " + k + " 0 0"), layout.weightOffset(k), "W_" + k);
            assertEquals(labels.indexOf("b " + k + " 0"), layout.biasOffset(k), "b_" + k);
        }
    }

    @Test
    void flattenPutsEachBlockAtItsOffsetAndUnflattenInvertsIt() {
        ParameterLayout layout = new ParameterLayout(WIDTHS);
        double[][] blocks = new double[6][];
        for (int k = 0; k < 3; k++) {
            blocks[2 * k] = ModelTestSupport.uniform(WIDTHS[k + 1] * WIDTHS[k], -1, 1, 40 + k);
            blocks[2 * k + 1] = ModelTestSupport.uniform(WIDTHS[k + 1], -1, 1, 50 + k);
        }
        double[] theta = ParameterLayout.flatten(blocks, layout.count());
        List<String> labels = enumerate(WIDTHS);
        for (int k = 0; k < 3; k++) {
            for (int r = 0; r < WIDTHS[k + 1]; r++) {
                for (int q = 0; q < WIDTHS[k]; q++) {
                    assertEquals(blocks[2 * k][r * WIDTHS[k] + q], theta[labels.indexOf("W " + k + " " + r + " " + q)]);
                }
                assertEquals(blocks[2 * k + 1][r], theta[labels.indexOf("b " + k + " " + r)]);
            }
        }
        double[][] back = new double[6][];
        for (int b = 0; b < 6; b++) {
            back[b] = new double[blocks[b].length];
        }
        ParameterLayout.unflatten(theta, back);
        for (int b = 0; b < 6; b++) {
            assertArrayEquals(blocks[b], back[b], "block " + b);
        }
    }

    @Test
    void wrongLengthsAndOversizedModelsAreNamed() {
        ParameterLayout layout = new ParameterLayout(WIDTHS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layout.checkLength(new double[7], "direction"));
        assertEquals("direction has length 7 but the model has 44 parameters", e.getMessage());
        IllegalStateException big = assertThrows(IllegalStateException.class,
                () -> new ParameterLayout(new int[] {100_000, 100_000}).count());
        assertEquals("model has 10000100000 parameters, more than one Java array holds", big.getMessage());
    }
}
