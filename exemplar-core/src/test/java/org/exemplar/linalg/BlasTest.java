package org.exemplar.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.JavaBLAS;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlasTest {

    static DenseMatrix random(int r, int c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(r, c);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextDouble(-1, 1);
        }
        return m;
    }

    static DenseMatrix naive(Transpose ta, DenseMatrix a, Transpose tb, DenseMatrix b) {
        DenseMatrix at = ta == Transpose.YES ? a.transpose() : a;
        DenseMatrix bt = tb == Transpose.YES ? b.transpose() : b;
        DenseMatrix c = new DenseMatrix(at.rows(), bt.cols());
        for (int i = 0; i < at.rows(); i++) {
            for (int j = 0; j < bt.cols(); j++) {
                double s = 0;
                for (int k = 0; k < at.cols(); k++) {
                    s += at.get(i, k) * bt.get(k, j);
                }
                c.set(i, j, s);
            }
        }
        return c;
    }

    @Test
    void rowMajorGemmMatchesNaiveProductForAllTransposes() {
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                DenseMatrix a = ta == Transpose.NO ? random(7, 5, 1) : random(5, 7, 1);
                DenseMatrix b = tb == Transpose.NO ? random(5, 3, 2) : random(3, 5, 2);
                DenseMatrix c = Blas.multiply(ta, a, tb, b);
                DenseMatrix expected = naive(ta, a, tb, b);
                // 5-term dot products of O(1) numbers: rounding differences are ~1e-16.
                for (int k = 0; k < c.data().length; k++) {
                    assertEquals(expected.data()[k], c.data()[k], 1e-13, "ta=" + ta + " tb=" + tb);
                }
            }
        }
    }

    @Test
    void gemvMatchesNaive() {
        DenseMatrix a = random(6, 4, 3);
        double[] x = random(1, 4, 4).data();
        double[] y = new double[6];
        Blas.gemv(Transpose.NO, 1.0, a, x, 0.0, y);
        double[] xt = random(1, 6, 5).data();
        double[] yt = new double[4];
        Blas.gemv(Transpose.YES, 1.0, a, xt, 0.0, yt);
        for (int i = 0; i < 6; i++) {
            assertEquals(Vectors.dot(a.row(i), x), y[i], 1e-13);
        }
        for (int j = 0; j < 4; j++) {
            assertEquals(Vectors.dot(a.column(j), xt), yt[j], 1e-13);
        }
    }

    @Test
    void pureJavaFallbackAgreesWithChosenBackend() {
        DenseMatrix a = random(40, 30, 6);
        DenseMatrix b = random(30, 20, 7);
        DenseMatrix c = Blas.multiply(a, b);
        DenseMatrix cj = new DenseMatrix(40, 20);
        JavaBLAS.getInstance().dgemm("N", "N", 20, 40, 30, 1.0, b.data(), 0, 20, a.data(), 0, 30, 0.0, cj.data(), 0, 20);
        for (int k = 0; k < c.data().length; k++) {
            assertEquals(cj.data()[k], c.data()[k], 1e-12);
        }
        assertTrue(Blas.backendNotice().startsWith("BLAS backend: "));
    }

    @Test
    void backendIsPinnedOpenBlasWhenInstalledAndPureJavaWhenForced() {
        if ("java".equals(System.getProperty("exemplar.blas"))) {
            assertTrue(!Blas.backend().isNative(), Blas.backendNotice());
            assertTrue(Blas.backendNotice().contains("pure-Java"), Blas.backendNotice());
        } else if (java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0"))) {
            assertTrue(Blas.backend().isNative(), Blas.backendNotice());
            assertEquals("libopenblas.so.0", System.getProperty("dev.ludovic.netlib.blas.nativeLib"));
        }
    }

    @Test
    void shapeMismatchAndAliasingAreRejected() {
        DenseMatrix a = random(3, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> Blas.multiply(a, a));
        DenseMatrix sq = random(3, 3, 2);
        assertThrows(IllegalArgumentException.class, () -> Blas.gemm(Transpose.NO, Transpose.NO, 1, sq, sq, 0, sq));
    }

    @Test
    void choleskySolvesSpdSystemAndRejectsIndefinite() {
        DenseMatrix r = random(8, 8, 9);
        DenseMatrix spd = Blas.multiply(Transpose.YES, r, Transpose.NO, r);
        for (int i = 0; i < 8; i++) {
            spd.add(i, i, 0.5);
        }
        double[] b = random(1, 8, 10).data();
        double[] x = Cholesky.factorize(spd).solve(b);
        double[] ax = new double[8];
        Blas.gemv(Transpose.NO, 1.0, spd, x, 0.0, ax);
        for (int i = 0; i < 8; i++) {
            assertEquals(b[i], ax[i], 1e-10);
        }
        DenseMatrix bad = DenseMatrix.identity(3);
        bad.set(2, 2, -1);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> Cholesky.factorize(bad));
        assertTrue(e.getMessage().contains("leading minor 3"), e.getMessage());
    }
}
