package org.exemplar.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class ValidationTest {
    @Test
    void constantOneColumnIsTheFirstAllOnesColumn() {
        assertEquals(2, Validation.constantOneColumn(DenseMatrix.fromRows(new double[][] {{0.5, 1, 1, 1}, {2, 0.99, 1, 1}})));
        assertEquals(0, Validation.constantOneColumn(DenseMatrix.fromRows(new double[][] {{1, 3}, {1, 4}, {1, 5}})));
        // the last row breaks it: every row is checked
        assertEquals(-1, Validation.constantOneColumn(DenseMatrix.fromRows(new double[][] {{1, 3}, {1, 4}, {0, 5}})));
        // one row cannot tell a bias column from data
        assertEquals(-1, Validation.constantOneColumn(DenseMatrix.fromRows(new double[][] {{1, 1}})));
    }
}
