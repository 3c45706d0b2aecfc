package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;
import org.junit.jupiter.api.Test;

/** The fidelity correlation on hand-computed values (issue 15: `Fidelity` had no core test). */
class FidelityTest {

    @Test
    void softmaxLinkedEntriesAndTheirCorrelation() {
        // rows (0, ln 3) and (ln 3, 0): softmax (1/4, 3/4) and (3/4, 1/4)
        DenseMatrix ref = DenseMatrix.fromRows(new double[][] {{0, Math.log(3)}, {Math.log(3), 0}});
        assertArrayEquals(new double[] {0.25, 0.75, 0.75, 0.25}, Fidelity.linked(new SoftmaxCrossEntropy(), ref),
                1e-15);
        // a constant shift per row leaves softmax unchanged: correlation 1
        DenseMatrix shifted = DenseMatrix.fromRows(new double[][] {{5, 5 + Math.log(3)}, {Math.log(3) - 2, -2}});
        assertEquals(1.0, Fidelity.pearson(new SoftmaxCrossEntropy(), ref, shifted), 1e-12);
        // swapped rows: linked entries (3/4, 1/4, 1/4, 3/4) are the mirror image: correlation -1
        DenseMatrix swapped = DenseMatrix.fromRows(new double[][] {{Math.log(3), 0}, {0, Math.log(3)}});
        assertEquals(-1.0, Fidelity.pearson(new SoftmaxCrossEntropy(), ref, swapped), 1e-12);
    }

    @Test
    void identityLinkIsThePlainCorrelation() {
        DenseMatrix a = DenseMatrix.fromRows(new double[][] {{1}, {2}, {3}, {4}});
        DenseMatrix b = DenseMatrix.fromRows(new double[][] {{1}, {3}, {2}, {4}});
        // Pearson of (1,2,3,4) and (1,3,2,4): covariance 4, variances 5 and 5 (sums of squared deviations): 0.8
        assertEquals(0.8, Fidelity.pearson(new SquaredLoss(), a, b), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Fidelity.pearson(new SquaredLoss(), a,
                new DenseMatrix(4, 2)));
    }
}
