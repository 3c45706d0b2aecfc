package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class LinearModelsThetaTest {
    private static final DenseMatrix THETA = DenseMatrix.fromRows(new double[][] {{1, 2, -1}, {0.5, -3, 4}});

    @Test
    void fromThetaComputesWxPlusBWithTheBiasAsLastColumn() {
        Mlp m = LinearModels.fromTheta(THETA);
        DenseMatrix x = DenseMatrix.fromRows(new double[][] {{1, 1}, {2, -1}});
        // by hand: row 1: (1+2-1, 0.5-3+4) = (2, 1.5); row 2: (2-2-1, 1+3+4) = (-1, 8)
        assertArrayEquals(new double[] {2, 1.5, -1, 8}, m.logits(x).data(), 1e-15);
    }

    @Test
    void thetaIsTheInverseOfFromTheta() {
        assertArrayEquals(THETA.data(), LinearModels.theta(LinearModels.fromTheta(THETA)).data(), 0.0);
        DenseMatrix wb = LinearModels.withBiasColumn(DenseMatrix.fromRows(new double[][] {{7, 8}}), new double[] {9});
        assertArrayEquals(new double[] {7, 8, 9}, wb.data(), 0.0);
    }

    @Test
    void refusesWhatIsNotALinearLayer() {
        assertThrows(IllegalArgumentException.class, () -> LinearModels.fromTheta(new DenseMatrix(2, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> LinearModels.withBiasColumn(new DenseMatrix(2, 3), new double[3]));
        Mlp deep = Mlp.initialize(3, new int[] {4}, Activation.RELU, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> LinearModels.theta(deep));
    }
}
