package org.exemplar.trak;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class RandomProjectionTest {
    private static DenseMatrix gaussian(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(n, d);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = r.nextDouble() * 2 - 1;
        }
        return m;
    }

    @Test
    void sameSeedSameMatrixOtherSeedOtherMatrix() {
        for (RandomProjection.Kind kind : RandomProjection.Kind.values()) {
            RandomProjection a = new RandomProjection(kind, 30, 40, 7);
            RandomProjection b = new RandomProjection(kind, 30, 40, 7);
            RandomProjection c = new RandomProjection(kind, 30, 40, 8);
            assertArrayEquals(a.rows(0, 30).data(), b.rows(0, 30).data(), kind + ": same seed, same bits");
            assertFalse(Arrays.equals(a.rows(0, 30).data(), c.rows(0, 30).data()), kind + ": other seed");
        }
    }

    @Test
    void rowsAreFunctionsOfTheirIndexSoBlockingDoesNotMatter() {
        RandomProjection p = new RandomProjection(RandomProjection.Kind.GAUSSIAN, 2500, 16, 3);
        DenseMatrix block = p.rows(1000, 1300);
        for (int j = 1000; j < 1300; j += 37) {
            assertArrayEquals(p.row(j), block.row(j - 1000), "row " + j + " generated alone equals the block's");
        }
        DenseMatrix g = gaussian(5, 2500, 1);
        DenseMatrix whole = p.project(g, 2500);
        for (int blockRows : new int[] {1, 7, 1024}) {
            DenseMatrix b = p.project(g, blockRows);
            for (int k = 0; k < whole.data().length; k++) {
                // only the summation order of the block products differs
                assertEquals(whole.data()[k], b.data()[k], 1e-12 * (1 + Math.abs(whole.data()[k])),
                        "block rows " + blockRows);
            }
        }
        // and it is G P with P built row by row
        DenseMatrix explicit = new DenseMatrix(5, 16);
        for (int j = 0; j < 2500; j++) {
            double[] row = p.row(j);
            for (int i = 0; i < 5; i++) {
                for (int c = 0; c < 16; c++) {
                    explicit.add(i, c, g.get(i, j) * row[c]);
                }
            }
        }
        for (int k = 0; k < whole.data().length; k++) {
            assertEquals(explicit.data()[k], whole.data()[k], 1e-12 * (1 + Math.abs(explicit.data()[k])));
        }
    }

    @Test
    void entriesHaveTheStatedDistribution() {
        int k = 400;
        RandomProjection r = new RandomProjection(RandomProjection.Kind.RADEMACHER, 500, k, 11);
        DenseMatrix p = r.rows(0, 500);
        int positive = 0;
        for (double v : p.data()) {
            assertEquals(1 / Math.sqrt(k), Math.abs(v), 1e-15);
            positive += v > 0 ? 1 : 0;
        }
        // 200,000 fair signs: the fraction is within 5 standard deviations (0.0011 each) of 1/2
        assertEquals(0.5, positive / (double) p.data().length, 0.0056);
        // columns are independent: every pair's dot product over 500 rows is ~N(0, 500 / k^2); the largest of the
        // 79,800 pairs stays below 6 standard deviations (a repeated bit pattern would give 500 / k, 22 sd)
        double worst = 0;
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                double dot = 0;
                for (int j = 0; j < 500; j++) {
                    dot += p.get(j, a) * p.get(j, b);
                }
                worst = Math.max(worst, Math.abs(dot) * k / Math.sqrt(500));
            }
        }
        assertTrue(worst < 6, "largest column correlation " + worst + " standard deviations");
        RandomProjection g = new RandomProjection(RandomProjection.Kind.GAUSSIAN, 500, k, 11);
        double sum = 0;
        double sq = 0;
        for (double v : g.rows(0, 500).data()) {
            sum += v;
            sq += v * v;
        }
        int count = 500 * k;
        // mean 0 and variance 1/k: mean within 5 sd (sqrt(1/k / count)), variance within 2 %
        assertEquals(0, sum / count, 5 * Math.sqrt(1.0 / k / count));
        assertEquals(1.0 / k, sq / count, 0.02 / k);
    }

    @Test
    void orthogonalRowsAreOrthonormal() {
        RandomProjection p = new RandomProjection(RandomProjection.Kind.ORTHOGONAL, 12, 20, 5);
        DenseMatrix m = p.rows(0, 12);
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                double dot = 0;
                for (int c = 0; c < 20; c++) {
                    dot += m.get(i, c) * m.get(j, c);
                }
                assertEquals(i == j ? 1.0 : 0.0, dot, 1e-13, "(" + i + ", " + j + ")");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomProjection(RandomProjection.Kind.ORTHOGONAL, 12, 11, 5));
        assertTrue(e.getMessage().contains("k >= d"), e.getMessage());
    }

    @Test
    void badShapesAreRefused() {
        RandomProjection p = new RandomProjection(RandomProjection.Kind.GAUSSIAN, 10, 4, 0);
        assertThrows(IllegalArgumentException.class, () -> p.project(new DenseMatrix(2, 9)));
        assertThrows(IllegalArgumentException.class, () -> new RandomProjection(RandomProjection.Kind.GAUSSIAN, 10, 0, 0));
        assertEquals(RandomProjection.Kind.RADEMACHER, RandomProjection.Kind.parse("Rademacher"));
        assertThrows(IllegalArgumentException.class, () -> RandomProjection.Kind.parse("sparse"));
    }
}
