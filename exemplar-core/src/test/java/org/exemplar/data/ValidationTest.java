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

    /** Class labels: the values back, and each refusal names the file and what is wrong. */
    @Test
    void classLabelsAreReadAndEachDefectNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path f = dir.resolve("x.npy");
        java.nio.file.Path y = dir.resolve("y.npy");
        Npy.write(y, new int[] {2, 0, 1});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 0, 1}, Validation.classLabels(y, 3, f));
        String rows = org.junit.jupiter.api.Assertions.assertThrows(DataException.class,
                () -> Validation.classLabels(y, 4, f)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(rows.contains("y.npy") && rows.contains("3 labels")
                && rows.contains("4 rows"), rows);
        Npy.write(y, new int[] {1, -1, 0});
        String neg = org.junit.jupiter.api.Assertions.assertThrows(DataException.class,
                () -> Validation.classLabels(y, 3, f)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(neg.contains("-1") && neg.contains("row 1"), neg);
        Npy.write(y, new DenseMatrix(3, 2));
        String shape = org.junit.jupiter.api.Assertions.assertThrows(DataException.class,
                () -> Validation.classLabels(y, 3, f)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(shape.contains("1-D"), shape);
    }
}
