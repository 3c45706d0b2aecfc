package org.exemplar.ntk;

import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * The two-layer ReLU network of Zhang &amp; Zhang (2022), eq. (1):
 * <pre>
 *   f(x) = (1 / sqrt(m)) sum_r a_r relu(w_r^T x),   w_r(0) ~ N(0, kappa^2 I_d),  a_r in {-1, +1} fixed,
 * </pre>
 * with only W = [w_1 .. w_m] trained ({@link ReluNetworkTrainer}). W is held as an m x d row-major matrix
 * (row r = w_r; 8 m d bytes, 500 MB at m = 80,000, d = 784). Deterministic given the seed: the Gaussian draws
 * come from one {@link SplittableRandom} in row order.
 */
public final class TwoLayerReluNetwork {
    private final DenseMatrix w;
    private final double[] a;
    private final double kappa;
    private final Initialization initialization;
    private final long seed;

    private TwoLayerReluNetwork(DenseMatrix w, double[] a, double kappa, Initialization initialization, long seed) {
        this.w = w;
        this.a = a;
        this.kappa = kappa;
        this.initialization = initialization;
        this.seed = seed;
    }

    /**
     * Draws W(0) and a.
     *
     * @param width      m (even for {@link Initialization#ANTISYMMETRIC})
     * @param inputDim   d
     * @param kappa      standard deviation of the entries of W(0), > 0
     * @param init       how units are drawn
     * @param seed       seed of the {@link SplittableRandom}
     */
    public static TwoLayerReluNetwork initialize(int width, int inputDim, double kappa, Initialization init,
                                                 long seed) {
        if (width < 1 || inputDim < 1) {
            throw new IllegalArgumentException("width and input dimension must be >= 1, got " + width + ", "
                    + inputDim);
        }
        if (!(kappa > 0) || !Double.isFinite(kappa)) {
            throw new IllegalArgumentException("kappa must be finite and > 0, got " + kappa);
        }
        if (init == Initialization.ANTISYMMETRIC && width % 2 != 0) {
            throw new IllegalArgumentException("ANTISYMMETRIC initialization needs an even width, got " + width);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        DenseMatrix w = new DenseMatrix(width, inputDim);
        double[] a = new double[width];
        double[] d = w.data();
        if (init == Initialization.INDEPENDENT) {
            for (int i = 0; i < d.length; i++) {
                d[i] = kappa * rng.nextGaussian();
            }
            for (int r = 0; r < width; r++) {
                a[r] = rng.nextBoolean() ? 1.0 : -1.0;
            }
        } else {
            int half = width / 2;
            for (int i = 0; i < half * inputDim; i++) {
                d[i] = kappa * rng.nextGaussian();
            }
            System.arraycopy(d, 0, d, half * inputDim, half * inputDim);
            for (int r = 0; r < width; r++) {
                a[r] = r < half ? 1.0 : -1.0;
            }
        }
        return new TwoLayerReluNetwork(w, a, kappa, init, seed);
    }

    public int width() {
        return a.length;
    }

    public int inputDim() {
        return w.cols();
    }

    /** W(0) as m x d (row r = w_r); not a copy. */
    public DenseMatrix weights() {
        return w;
    }

    /** The fixed output weights a (a copy). */
    public double[] outputWeights() {
        return a.clone();
    }

    public double kappa() {
        return kappa;
    }

    public Initialization initialization() {
        return initialization;
    }

    public long seed() {
        return seed;
    }

    /** Pre-activations W x for the rows of x: an m x n matrix (one gemm). */
    public DenseMatrix preActivations(DenseMatrix x) {
        return Blas.multiply(Transpose.NO, w, Transpose.YES, x);
    }

    /** f(x) of eq. (1) at the initial weights for each row of x. */
    public double[] predict(DenseMatrix x) {
        return outputs(preActivations(x), a);
    }

    /** f = (1/sqrt(m)) a^T relu(Z) for pre-activations Z (m x n, column j = one input). */
    static double[] outputs(DenseMatrix z, double[] a) {
        int m = z.rows();
        int n = z.cols();
        double[] f = new double[n];
        double[] d = z.data();
        for (int r = 0; r < m; r++) {
            double ar = a[r];
            int off = r * n;
            for (int j = 0; j < n; j++) {
                double v = d[off + j];
                if (v > 0) {
                    f[j] += ar * v;
                }
            }
        }
        double s = 1.0 / Math.sqrt(m);
        for (int j = 0; j < n; j++) {
            f[j] *= s;
        }
        return f;
    }

    /**
     * The empirical NTK at the current weights, K_m(x, x') = &lt;df(x)/dW, df(x')/dW&gt;
     * = (x^T x') (1/m) sum_r 1{w_r^T x > 0} 1{w_r^T x' > 0}; its expectation over W(0) is eq. (4).
     */
    public DenseMatrix empiricalNtk(DenseMatrix x1, DenseMatrix x2) {
        DenseMatrix s1 = indicator(preActivations(x1));
        DenseMatrix s2 = indicator(preActivations(x2));
        DenseMatrix counts = Blas.multiply(Transpose.YES, s1, Transpose.NO, s2);
        DenseMatrix dots = Blas.multiply(Transpose.NO, x1, Transpose.YES, x2);
        double[] c = counts.data();
        double[] g = dots.data();
        double inv = 1.0 / width();
        for (int i = 0; i < c.length; i++) {
            c[i] *= g[i] * inv;
        }
        return counts;
    }

    static DenseMatrix indicator(DenseMatrix z) {
        DenseMatrix s = new DenseMatrix(z.rows(), z.cols());
        double[] zd = z.data();
        double[] sd = s.data();
        for (int i = 0; i < zd.length; i++) {
            sd[i] = zd[i] > 0 ? 1.0 : 0.0;
        }
        return s;
    }
}
