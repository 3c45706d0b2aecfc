package org.exemplar.ntk;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;

/** Small random problems on the unit sphere (seeded). */
final class NtkTestData {
    private NtkTestData() {
    }

    static DenseMatrix sphere(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, d);
        for (int i = 0; i < n * d; i++) {
            x.data()[i] = rng.nextGaussian();
        }
        return UnitSphere.fit(x).apply(x);
    }

    static double[] targets(DenseMatrix x, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] y = new double[x.rows()];
        for (int i = 0; i < y.length; i++) {
            double v = Math.sin(3 * x.get(i, 0)) + 0.3 * rng.nextGaussian();
            y[i] = Math.max(-1, Math.min(1, v));
        }
        return y;
    }
}
