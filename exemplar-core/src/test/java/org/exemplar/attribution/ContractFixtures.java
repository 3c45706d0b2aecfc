package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.cf.Ratings;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;

/** Small seeded problems for the contract tests (no files read). */
final class ContractFixtures {
    private ContractFixtures() {
    }

    static double gaussian(SplittableRandom r) {
        double u = Math.max(1e-300, r.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    static DenseMatrix gaussianMatrix(int n, int d, SplittableRandom r) {
        DenseMatrix x = new DenseMatrix(n, d);
        for (int k = 0; k < x.data().length; k++) {
            x.data()[k] = gaussian(r);
        }
        return x;
    }

    /** Labels argmax(x W + noise) for a random W (d x c); binary when c = 2. */
    static int[] linearLabels(DenseMatrix x, int classes, double noise, SplittableRandom r) {
        DenseMatrix w = gaussianMatrix(x.cols(), classes, r);
        int[] y = new int[x.rows()];
        for (int i = 0; i < y.length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = noise * gaussian(r);
                for (int j = 0; j < x.cols(); j++) {
                    s += x.get(i, j) * w.get(j, c);
                }
                if (s > best) {
                    best = s;
                    y[i] = c;
                }
            }
        }
        return y;
    }

    /** Rows scaled to unit norm. */
    static DenseMatrix unitRows(DenseMatrix x) {
        DenseMatrix u = x.copy();
        for (int i = 0; i < u.rows(); i++) {
            double s = 0;
            for (int j = 0; j < u.cols(); j++) {
                s += u.get(i, j) * u.get(i, j);
            }
            for (int j = 0; j < u.cols(); j++) {
                u.set(i, j, u.get(i, j) / Math.sqrt(s));
            }
        }
        return u;
    }

    /** Sparse rows with the given density; labels sign(x theta* + noise) with a sparse theta*. */
    static SparseExamples sparse(int n, int p, double density, long seed, boolean labeled) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] theta = new double[p];
        for (int j = 0; j < p; j += 3) {
            theta[j] = 2 * gaussian(r);
        }
        DenseMatrix x = new DenseMatrix(n, p);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < p; j++) {
                if (r.nextDouble() < density) {
                    double v = 1 + r.nextDouble();
                    x.set(i, j, v);
                    s += v * theta[j];
                }
            }
            y[i] = s + 0.8 * gaussian(r) >= 0 ? 1 : -1;
        }
        return new SparseExamples(CsrMatrix.fromDense(x), labeled ? y : null);
    }

    /** Low-rank ratings in [1, 5] on a random fraction of an nu x ni matrix. */
    static Ratings lowRankRatings(int nu, int ni, int rank, double density, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DenseMatrix a = gaussianMatrix(nu, rank, rng);
        DenseMatrix b = gaussianMatrix(ni, rank, rng);
        List<int[]> pairs = new ArrayList<>();
        List<Double> vals = new ArrayList<>();
        for (int i = 0; i < nu; i++) {
            for (int j = 0; j < ni; j++) {
                if (rng.nextDouble() < density) {
                    double s = 0;
                    for (int q = 0; q < rank; q++) {
                        s += a.get(i, q) * b.get(j, q);
                    }
                    pairs.add(new int[] {i, j});
                    vals.add(Math.max(1, Math.min(5, Math.rint(3 + s + 0.3 * gaussian(rng)))));
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

    /** Unobserved (user, item) pairs of a rating set, the first {@code count} in a seeded order. */
    static RatingPairs unobservedPairs(Ratings r, int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        int guard = 0;
        while (out.size() < count && guard++ < 100000) {
            int u = rng.nextInt(r.numUsers());
            int i = rng.nextInt(r.numItems());
            boolean seen = out.stream().anyMatch(p -> p[0] == u && p[1] == i);
            if (r.find(u, i) < 0 && !seen) {
                out.add(new int[] {u, i});
            }
        }
        return RatingPairs.of(out.stream().mapToInt(p -> p[0]).toArray(), out.stream().mapToInt(p -> p[1]).toArray());
    }
}
