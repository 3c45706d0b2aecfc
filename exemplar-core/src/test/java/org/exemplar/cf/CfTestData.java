package org.exemplar.cf;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small synthetic rating sets for the tests (no real data is read). */
final class CfTestData {
    private CfTestData() {
    }

    /** Low-rank ratings y = clip(round(3 + a_i . b_j + noise)) on a random fraction of an nu x ni matrix. */
    static Ratings lowRank(int nu, int ni, int rank, double density, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] a = new double[nu][rank];
        double[][] b = new double[ni][rank];
        for (double[] r : a) {
            for (int q = 0; q < rank; q++) {
                r[q] = MfTrainer.gaussian(rng);
            }
        }
        for (double[] r : b) {
            for (int q = 0; q < rank; q++) {
                r[q] = MfTrainer.gaussian(rng);
            }
        }
        List<int[]> pairs = new ArrayList<>();
        List<Double> vals = new ArrayList<>();
        for (int i = 0; i < nu; i++) {
            for (int j = 0; j < ni; j++) {
                if (rng.nextDouble() < density) {
                    double s = 0;
                    for (int q = 0; q < rank; q++) {
                        s += a[i][q] * b[j][q];
                    }
                    double y = Math.max(1, Math.min(5, Math.rint(3 + s + 0.3 * MfTrainer.gaussian(rng))));
                    pairs.add(new int[] {i, j});
                    vals.add(y);
                }
            }
        }
        int[] u = new int[pairs.size()];
        int[] it = new int[pairs.size()];
        double[] v = new double[pairs.size()];
        for (int p = 0; p < u.length; p++) {
            u[p] = pairs.get(p)[0];
            it[p] = pairs.get(p)[1];
            v[p] = vals.get(p);
        }
        return new Ratings(nu, ni, u, it, v);
    }
}
