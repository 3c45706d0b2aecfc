package org.exemplar.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Values of the linear-algebra kernels on fixtures worked out by hand (issue 15): the 3 x 3 second-difference
 * matrix T = tridiag(-1, 2, -1) has det 4, inverse (1/4) [[3, 2, 1], [2, 4, 2], [1, 2, 3]] and eigenvalues
 * 2 - sqrt 2, 2, 2 + sqrt 2 with eigenvectors (1, sqrt 2, 1)/2, (1, 0, -1)/sqrt 2, (1, -sqrt 2, 1)/2; a small
 * sparse matrix whose products are summed by hand. Tolerances: 1e-14 for a few O(1) LAPACK operations.
 */
class LinalgValuesTest {
    static final double TOL = 1e-14;

    static DenseMatrix secondDifference() {
        return DenseMatrix.fromRows(new double[][] {{2, -1, 0}, {-1, 2, -1}, {0, -1, 2}});
    }

    @Test
    void choleskyInverseQuantitiesOfTheSecondDifferenceMatrix() {
        Cholesky c = Cholesky.factorize(secondDifference());
        assertEquals(3, c.dim());
        assertEquals(Math.log(4), c.logDeterminant(), TOL);
        assertArrayEquals(new double[] {0.75, 1, 0.75}, c.inverseDiagonal(), TOL);
        assertArrayEquals(new double[] {0.75, 0.5, 0.25}, c.solve(new double[] {1, 0, 0}), TOL);
        assertArrayEquals(new double[] {1, 1, 1}, c.solve(new double[] {1, 0, 1}), TOL);
        DenseMatrix block = c.inverseBlock(new int[] {2, 0});
        assertArrayEquals(new double[] {0.75, 0.25, 0.25, 0.75}, block.data(), TOL);
        DenseMatrix block2 = c.inverseBlock(new int[] {1, 2});
        assertArrayEquals(new double[] {1, 0.5, 0.5, 0.75}, block2.data(), TOL);
        // two right-hand sides as rows: e_2 and (1, 0, 1)
        DenseMatrix rows = c.solveRows(DenseMatrix.fromRows(new double[][] {{0, 1, 0}, {1, 0, 1}}));
        assertArrayEquals(new double[] {0.5, 1, 0.5, 1, 1, 1}, rows.data(), TOL);
        DenseMatrix cols = c.solve(DenseMatrix.fromRows(new double[][] {{1, 0}, {0, 0}, {0, 1}}));
        assertArrayEquals(new double[] {0.75, 0.25, 0.5, 0.5, 0.25, 0.75}, cols.data(), TOL);
        assertThrows(IllegalArgumentException.class, () -> c.solveRows(new DenseMatrix(1, 2)));
        // diag(9, 1/4): log det = log(9/4)
        assertEquals(Math.log(2.25), Cholesky.factorize(DenseMatrix.fromRows(new double[][] {{9, 0}, {0, 0.25}}))
                .logDeterminant(), TOL);
    }

    @Test
    void eigenDecompositionOfTheSecondDifferenceMatrix() {
        double r = Math.sqrt(2);
        SymmetricEigen e = SymmetricEigen.of(secondDifference());
        assertArrayEquals(new double[] {2 - r, 2, 2 + r}, e.values(), TOL);
        assertArrayEquals(new double[] {2 - r, 2, 2 + r}, SymmetricEigen.valuesOf(secondDifference()), TOL);
        assertEquals(2 - r, SymmetricEigen.smallestValue(secondDifference()), TOL);
        double[][] expected = {{0.5, r / 2, 0.5}, {1 / r, 0, -1 / r}, {0.5, -r / 2, 0.5}};
        for (int k = 0; k < 3; k++) {
            double[] v = {e.vectors().get(0, k), e.vectors().get(1, k), e.vectors().get(2, k)};
            double sign = Math.signum(v[0]); // eigenvectors are defined up to sign
            for (int i = 0; i < 3; i++) {
                assertEquals(expected[k][i], sign * v[i], TOL, "eigenvector " + k + " component " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.smallestValue(new DenseMatrix(0, 0)));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new DenseMatrix(2, 3)));
    }

    /** [[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]]. */
    static CsrMatrix sparse() {
        return new CsrMatrix(3, 4, new int[] {0, 2, 2, 4}, new int[] {0, 2, 1, 3}, new double[] {1, 2, 3, 4});
    }

    @Test
    void sparseProductsAndSelectionsByHand() {
        CsrMatrix s = sparse();
        assertEquals(4, s.nnz());
        assertArrayEquals(new double[] {1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4}, s.toDense().data(), 0.0);
        assertArrayEquals(new double[] {3, 0, 7}, s.multiply(new double[] {1, 1, 1, 1}), 0.0);
        assertArrayEquals(new double[] {1, 9, 2, 12}, s.transposeMultiply(new double[] {1, 2, 3}), 0.0);
        assertEquals(3 * 2 + 4 * 4, s.rowDot(2, new double[] {1, 2, 3, 4}), 0.0);
        assertEquals(1 + 2 * 3, s.rowDot(0, new double[] {1, 2, 3, 4}), 0.0);
        assertEquals(0, s.rowDot(1, new double[] {1, 2, 3, 4}), 0.0);
        // row 0 . row 0 = 5, row 0 . row 2 = 0 (disjoint columns), row 2 . row 2 = 25
        assertEquals(5, s.rowDot(0, s, 0), 0.0);
        assertEquals(0, s.rowDot(0, s, 2), 0.0);
        assertEquals(25, s.rowDot(2, s, 2), 0.0);
        CsrMatrix t = new CsrMatrix(1, 4, new int[] {0, 3}, new int[] {1, 2, 3}, new double[] {10, 100, 1000});
        assertEquals(3 * 10 + 4 * 1000, s.rowDot(2, t, 0), 0.0);
        assertEquals(2 * 100, s.rowDot(0, t, 0), 0.0);
        // a row that ends where the next row starts with a column the other row has: [[1, 0, 0, 0], [0, 0, 0, 5]]
        CsrMatrix u = new CsrMatrix(2, 4, new int[] {0, 1, 2}, new int[] {0, 3}, new double[] {1, 5});
        CsrMatrix w = new CsrMatrix(1, 4, new int[] {0, 2}, new int[] {2, 3}, new double[] {7, 11});
        assertEquals(0, u.rowDot(0, w, 0), 0.0);
        assertEquals(55, u.rowDot(1, w, 0), 0.0);
        assertEquals(0, w.rowDot(0, u, 0), 0.0);
        assertArrayEquals(new double[] {0, 3, 0, 4}, s.denseRow(2), 0.0);
        assertArrayEquals(new double[] {0, 2, 0, 0, 3, 0}, s.selectColumns(new int[] {1, 2}).toDense().data(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> s.selectColumns(new int[] {2, 1}));
        assertArrayEquals(new double[] {0, 3, 0, 4, 1, 0, 2, 0}, s.selectRows(new int[] {2, 0}).toDense().data(), 0.0);
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 4}, s.transpose().toDense().data(), 0.0);
        assertArrayEquals(new double[] {1, 0, 2, 0, 0, 3, 0, 4}, s.withoutRows(new int[] {1}).toDense().data(), 0.0);
        double q = 1 / Math.sqrt(5);
        assertArrayEquals(new double[] {q, 0, 2 * q, 0, 0, 0, 0, 0, 0, 0.6, 0, 0.8}, s.rowNormalized().toDense().data(),
                1e-15);
        assertEquals(s, CsrMatrix.fromDense(s.toDense()));
        assertEquals(s.hashCode(), CsrMatrix.fromDense(s.toDense()).hashCode());
        assertNotEquals(s, s.rowNormalized());
        assertNotEquals(s, s.transpose());
    }

    @Test
    void malformedSparseArraysAreRejected() {
        // column out of range, decreasing indptr, repeated column, inconsistent lengths
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(1, 2, new int[] {0, 1}, new int[] {2},
                new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(1, 2, new int[] {0, 1}, new int[] {-1},
                new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 2, new int[] {0, 1, 0},
                new int[] {0}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(1, 3, new int[] {0, 2}, new int[] {1, 1},
                new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(1, 3, new int[] {0, 2}, new int[] {2, 1},
                new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 1}, new int[] {0},
                new double[] {1}));
        // the largest valid column and an empty last row are fine
        assertEquals(1, new CsrMatrix(2, 3, new int[] {0, 1, 1}, new int[] {2}, new double[] {1}).nnz());
    }

    @Test
    void vectorKernels() {
        assertEquals(5, Vectors.norm2(new double[] {3, 4}), 0.0);
        assertEquals(1e200 * Math.sqrt(2), Vectors.norm2(new double[] {1e200, -1e200}), 1e186); // no overflow
        assertEquals(5e-200, Vectors.norm2(new double[] {3e-200, 4e-200}), 1e-214); // no underflow
        assertEquals(0, Vectors.norm2(new double[] {0, 0}), 0.0);
        assertEquals(0, Vectors.norm2(new double[0]), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, Vectors.norm2(new double[] {1, Double.NEGATIVE_INFINITY}), 0.0);
        assertTrue(Double.isNaN(Vectors.norm2(new double[] {1, Double.NaN})));
        assertEquals(32, Vectors.dot(new double[] {1, 2, 3}, new double[] {4, 5, 6}), 0.0);
        // offsets: (2, 3, 4, 5, 6) . (1, 1, 1, 1, 2) over 5 entries starting at 1 and 0
        assertEquals(2 + 3 + 4 + 5 + 12, Vectors.dot(new double[] {9, 2, 3, 4, 5, 6}, 1,
                new double[] {1, 1, 1, 1, 2}, 0, 5), 0.0);
        assertEquals(4, Vectors.dot(new double[] {9, 2, 3}, 1, new double[] {7, 2}, 1, 1), 0.0);
        assertArrayEquals(new double[] {-3, 3}, Vectors.subtract(new double[] {1, 5}, new double[] {4, 2}), 0.0);
        assertArrayEquals(new double[] {-2, 4}, Vectors.scaled(new double[] {1, -2}, -2), 0.0);
        double[] y = {1, 1};
        Vectors.axpy(3, new double[] {2, -1}, y);
        assertArrayEquals(new double[] {7, -2}, y, 0.0);
        assertEquals(4, Vectors.maxAbs(new double[] {1, -4, 3}), 0.0);
        // argmax over a window, first maximum wins
        double[] a = {100, 1, 5, 5, 2};
        assertEquals(1, Vectors.argmax(a, 1, 4));
        assertEquals(0, Vectors.argmax(a, 2, 3));
        assertEquals(0, Vectors.argmax(a, 0, 5));
        assertEquals(3, Vectors.argmax(new double[] {1, 2, 3, 9}, 0, 4));
    }

    @Test
    void rankingsWithTiesAndLimits() {
        double[] s = {0.5, 2, 0.5, Double.NaN, 3};
        assertArrayEquals(new int[] {4, 1, 0, 2, 3}, Ranking.descending(s, null));
        assertArrayEquals(new int[] {4, 1, 2, 0, 3}, Ranking.descending(s, new int[] {9, 9, 1, 0, 9}));
        assertArrayEquals(new int[] {0, 2, 1, 4, 3}, Ranking.ascending(s, null));
        assertArrayEquals(new int[] {4, 1}, Ranking.topDescending(s, 2));
        assertArrayEquals(new int[] {4}, Ranking.topDescending(s, 1));
        assertArrayEquals(new int[] {4, 1, 0, 2, 3}, Ranking.topDescending(s, 10));
        assertArrayEquals(new int[] {1, 0}, Ranking.descending(new double[] {1, 1}, new int[] {1, 0}));
        // equal scores and equal tie keys: stable, by position
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Ranking.descending(new double[] {1, 1, 1, 1, 1},
                new int[] {2, 2, 2, 2, 2}));
        assertArrayEquals(new int[] {0, 1, 2}, Ranking.ascending(new double[] {0, 0, 0}, new int[3]));
    }
}
