package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.junit.jupiter.api.Test;

class NormalizedEmbeddingsTest {

    static DenseMatrix gaussian(int r, int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(r, c);
        for (int p = 0; p < m.data().length; p++) {
            m.data()[p] = MfTrainer.gaussian(rng);
        }
        return m;
    }

    static double maxAbsDiff(DenseMatrix a, DenseMatrix b) {
        double d = 0;
        for (int p = 0; p < a.data().length; p++) {
            d = Math.max(d, Math.abs(a.data()[p] - b.data()[p]));
        }
        return d;
    }

    static double maxAbs(DenseMatrix a) {
        double d = 0;
        for (double x : a.data()) {
            d = Math.max(d, Math.abs(x));
        }
        return d;
    }

    @Test
    void algorithmOneReproducesTheProduct() {
        DenseMatrix u = gaussian(40, 5, 1);
        DenseMatrix v = gaussian(30, 5, 2);
        NormalizedEmbeddings e = NormalizedEmbeddings.of(new Factorization(u, v));
        DenseMatrix prod = Blas.multiply(Transpose.NO, u, Transpose.YES, v);
        DenseMatrix back = Blas.multiply(Transpose.NO, e.users(), Transpose.YES, e.items());
        // three backward-stable SVDs and two products of 5-wide factors: error a few hundred ulps of max|UV^T|
        assertTrue(maxAbsDiff(prod, back) <= 1e-10 * maxAbs(prod), "U~V~^T vs U^V^^T: " + maxAbsDiff(prod, back));
        // U~ and V~ carry the same scale: U~^T U~ = V~^T V~ = S3
        DenseMatrix gu = Blas.gramOfColumns(e.users());
        DenseMatrix gv = Blas.gramOfColumns(e.items());
        for (int p = 0; p < 5; p++) {
            for (int q = 0; q < 5; q++) {
                double want = p == q ? e.singularValues()[p] : 0;
                assertEquals(want, gu.get(p, q), 1e-10 * e.singularValues()[0]);
                assertEquals(want, gv.get(p, q), 1e-10 * e.singularValues()[0]);
            }
        }
    }

    @Test
    void matchesAFullSvdOfTheProduct() {
        DenseMatrix u = gaussian(25, 4, 3);
        DenseMatrix v = gaussian(18, 4, 4);
        NormalizedEmbeddings e = NormalizedEmbeddings.of(new Factorization(u, v));
        DenseMatrix prod = Blas.multiply(Transpose.NO, u, Transpose.YES, v);
        ThinSvd full = ThinSvd.of(prod);                        // 18 singular values, 4 non-zero
        for (int p = 0; p < 4; p++) {
            assertEquals(full.s()[p], e.singularValues()[p], 1e-12 * full.s()[0]);
        }
        for (int p = 4; p < full.s().length; p++) {
            assertTrue(full.s()[p] < 1e-12 * full.s()[0]);
        }
        // The SVD is unique only up to signs (and rotations within equal singular values); the similarity
        // matrices Definition 1 uses are not: U~ U~^T = U_4 S U_4^T and V~ V~^T = V_4 S V_4^T.
        DenseMatrix uu = Blas.multiply(Transpose.NO, e.users(), Transpose.YES, e.users());
        DenseMatrix vv = Blas.multiply(Transpose.NO, e.items(), Transpose.YES, e.items());
        NormalizedEmbeddings ref = NormalizedEmbeddings.fromSvd(cols(full.u(), 4),
                java.util.Arrays.copyOf(full.s(), 4), cols(full.v(), 4));
        DenseMatrix uuRef = Blas.multiply(Transpose.NO, ref.users(), Transpose.YES, ref.users());
        DenseMatrix vvRef = Blas.multiply(Transpose.NO, ref.items(), Transpose.YES, ref.items());
        assertTrue(maxAbsDiff(uu, uuRef) <= 1e-10 * maxAbs(uuRef));
        assertTrue(maxAbsDiff(vv, vvRef) <= 1e-10 * maxAbs(vvRef));
    }

    private static DenseMatrix cols(DenseMatrix m, int c) {
        DenseMatrix out = new DenseMatrix(m.rows(), c);
        for (int i = 0; i < m.rows(); i++) {
            for (int p = 0; p < c; p++) {
                out.set(i, p, m.get(i, p));
            }
        }
        return out;
    }
}
