package org.exemplar.curvature;

import java.util.Objects;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;
import org.exemplar.model.Mlp;

/**
 * Influence scores with K-FAC or EK-FAC curvature (Grosse et al. 2023, eq. 16 with the EK-FAC inverse of eq. 20):
 * I(t, i) = (1/n) grad f_t^T (F + damping I)^{-1} grad L_i, with F the block-diagonal Kronecker-factored Fisher of
 * {@link KroneckerFactors}, f_t the measured test function and L_i the training loss of point i.
 *
 * <p>A training gradient of layer k is rank one, g_i a~_i^T, so in the Kronecker eigenbasis it is u_i v_i^T with
 * u_i = Q_S^T g_i and v_i = Q_A^T a~_i. These rotated factors of every training point are computed once (one pass
 * over the training data, memory n sum_k (d_{k+1} + d_k + 1) doubles, never n x P), after which
 * I(t, i) = (1/n) sum_k u_i^T R_{t,k} v_i with R_{t,k} the rotated, eigenvalue-scaled test gradient, and the
 * self-influence is (1/n) sum_k sum_{r,j} u_ir^2 v_ij^2 / (Lambda_rj + damping). Scoring a block of test points is
 * one pass over these cached training factors, whatever the block's size. Immutable after construction; safe for
 * concurrent scoring.
 */
public final class KfacInfluence {
    private static final int TRAIN_BLOCK = 2048;
    /** Most doubles of rotated training gradients held at once (32 MB). */
    private static final long BLOCK_DOUBLES = 4L << 20;

    private final Mlp model;
    private final Loss loss;
    private final KroneckerFactors factors;
    private final double damping;
    private final boolean ekfac;
    private final int n;
    private final DenseMatrix[] u;
    private final DenseMatrix[] v;

    /**
     * Binds the factors to the model and its training data and computes the rotated training gradients.
     *
     * @param ekfac whether to use EK-FAC's corrected eigenvalues (the factors must have them)
     */
    public KfacInfluence(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, KroneckerFactors factors,
                         double damping, boolean ekfac) {
        this.model = Objects.requireNonNull(model, "model").copy();
        this.loss = Objects.requireNonNull(loss, "loss");
        this.factors = Objects.requireNonNull(factors, "factors");
        if (!java.util.Arrays.equals(model.widths(), factors.widths())) {
            throw new IllegalArgumentException("the factors are for widths " + java.util.Arrays.toString(
                    factors.widths()) + ", the model has " + java.util.Arrays.toString(model.widths()));
        }
        if (!(damping >= 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("damping must be finite and >= 0, got " + damping);
        }
        if (ekfac && !factors.hasCorrection()) {
            throw new IllegalArgumentException("EK-FAC needs factors fitted with the eigenvalue correction");
        }
        this.damping = damping;
        this.ekfac = ekfac;
        for (int k = 0; k < factors.layerCount(); k++) {
            factors.inverseScale(k, damping, ekfac); // fails early on a non-positive eigenvalue + damping
        }
        this.n = x.rows();
        int layers = factors.layerCount();
        int[] w = factors.widths();
        u = new DenseMatrix[layers];
        v = new DenseMatrix[layers];
        for (int k = 0; k < layers; k++) {
            u[k] = new DenseMatrix(n, w[k + 1]);
            v[k] = new DenseMatrix(n, w[k] + 1);
        }
        KroneckerFactors.Backprop bp = new KroneckerFactors.Backprop(model);
        for (int i0 = 0; i0 < n; i0 += TRAIN_BLOCK) {
            int i1 = Math.min(n, i0 + TRAIN_BLOCK);
            Mlp.Forward f = model.forward(x.rowRange(i0, i1));
            DenseMatrix top = KroneckerFactors.tops(f.logits(), targets.rowRange(i0, i1), loss, FisherKind.EMPIRICAL,
                    null)[0];
            DenseMatrix[] g = bp.gradients(f, top);
            for (int k = 0; k < layers; k++) {
                DenseMatrix uk = Blas.multiply(g[k], factors.gradientEigen(k).vectors());
                DenseMatrix vk = Blas.multiply(f.activation(k).withOnesColumn(), factors.activationEigen(k).vectors());
                System.arraycopy(uk.data(), 0, u[k].data(), i0 * uk.cols(), uk.data().length);
                System.arraycopy(vk.data(), 0, v[k].data(), i0 * vk.cols(), vk.data().length);
            }
        }
    }

    public KroneckerFactors factors() {
        return factors;
    }

    public double damping() {
        return damping;
    }

    public boolean ekfac() {
        return ekfac;
    }

    /** Number of training points. */
    public int trainSize() {
        return n;
    }

    /** A copy of the model. */
    public Mlp model() {
        return model.copy();
    }

    /**
     * I(t, i) for a block of test points (rows) and every training point (columns): (1/n) times the inner products
     * of {@link #testVectors} with {@link #trainingKeys}, streamed over blocks of training points.
     *
     * @param targets test targets in the loss's space (needed by the loss and margin test functions)
     */
    public DenseMatrix scores(DenseMatrix xTest, DenseMatrix targets, TestFunction f) {
        DenseMatrix all = testVectors(xTest, targets, f);
        int nt = xTest.rows();
        int p = factors.parameterCount();
        DenseMatrix out = new DenseMatrix(nt, n);
        int rows = (int) Math.max(1, Math.min(n, BLOCK_DOUBLES / Math.max(1, p)));
        for (int i0 = 0; i0 < n; i0 += rows) {
            int i1 = Math.min(n, i0 + rows);
            DenseMatrix e = trainingKeys(i0, i1);
            Blas.gemm(Transpose.NO, Transpose.YES, nt, i1 - i0, p, 1.0 / n, all.data(), 0, p, e.data(), 0, p, 0.0,
                    out.data(), i0, n);
        }
        return out;
    }

    /** Length of a flat gradient (and of {@link #testVectors} and {@link #trainingKeys} rows). */
    public int parameterCount() {
        return factors.parameterCount();
    }

    /**
     * The test side of I(t, i) = (1/n) r_t . e_i: per test point (row), the test gradient grad f_t in the Kronecker
     * eigenbasis of every layer, divided by the (EK-FAC corrected) eigenvalues plus damping,
     * r_t = (Lambda + damping)^{-1} (Q_S^T g_t (x) Q_A^T a~_t) (Grosse et al. 2023, eq. 20), layer blocks in
     * {@link KroneckerFactors#flatIndex} order.
     *
     * @param targets test targets in the loss's space (needed by the loss and margin test functions)
     */
    public DenseMatrix testVectors(DenseMatrix xTest, DenseMatrix targets, TestFunction f) {
        // A scalar f_t of one example depends on W_k only through z_k = W_k a~_t, so its layer-k gradient is rank one,
        // g_t a~_t^T, with g_t = df_t/dz_k the bias block of the flat gradient and a~_t from the forward pass; in the
        // eigenbasis R_t,k = (Q_S^T g_t)(Q_A^T a~_t)^T / (Lambda + damping): no dense
        // per-example gradient is rotated.
        DenseMatrix grads = f.gradients(model, xTest, targets, loss);
        Mlp.Forward fw = model.forward(xTest);
        int nt = xTest.rows();
        int[] w = factors.widths();
        int layers = factors.layerCount();
        int p = factors.parameterCount();
        DenseMatrix all = new DenseMatrix(nt, p);
        int off = 0;
        for (int k = 0; k < layers; k++) {
            int dOut = w[k + 1];
            int dIn = w[k] + 1;
            DenseMatrix g = new DenseMatrix(nt, dOut);
            int bOff = factors.flatIndex(k, 0, dIn - 1);
            for (int t = 0; t < nt; t++) {
                System.arraycopy(grads.data(), t * grads.cols() + bOff, g.data(), t * dOut, dOut);
            }
            DenseMatrix ut = Blas.multiply(g, factors.gradientEigen(k).vectors());
            DenseMatrix vt = Blas.multiply(fw.activation(k).withOnesColumn(), factors.activationEigen(k).vectors());
            double[] scale = factors.inverseScale(k, damping, ekfac);
            double[] ad = all.data();
            for (int t = 0; t < nt; t++) {
                for (int r = 0; r < dOut; r++) {
                    double ur = ut.data()[t * dOut + r];
                    int o = t * p + off + r * dIn;
                    for (int j = 0; j < dIn; j++) {
                        ad[o + j] = ur * vt.data()[t * dIn + j] * scale[r * dIn + j];
                    }
                }
            }
            off += dOut * dIn;
        }
        return all;
    }

    /**
     * The training side of I(t, i) = (1/n) r_t . e_i for training points [i0, i1) (rows): the training gradient
     * grad L_i in the Kronecker eigenbasis, e_i = u_i (x) v_i per layer (u_i = Q_S^T g_i, v_i = Q_A^T a~_i), rebuilt
     * from the cached rotated factors.
     */
    public DenseMatrix trainingKeys(int i0, int i1) {
        if (i0 < 0 || i1 > n || i0 > i1) {
            throw new IndexOutOfBoundsException("training rows [" + i0 + ", " + i1 + ") outside [0, " + n + ")");
        }
        int nb = i1 - i0;
        int[] w = factors.widths();
        int p = factors.parameterCount();
        DenseMatrix keys = new DenseMatrix(nb, p);
        double[] e = keys.data();
        int lo = 0;
        for (int k = 0; k < factors.layerCount(); k++) {
            int dOut = w[k + 1];
            int dIn = w[k] + 1;
            double[] ud = u[k].data();
            double[] vd = v[k].data();
            for (int i = 0; i < nb; i++) {
                int base = i * p + lo;
                int vo = (i0 + i) * dIn;
                for (int r = 0; r < dOut; r++) {
                    double ur = ud[(i0 + i) * dOut + r];
                    int eo = base + r * dIn;
                    for (int j = 0; j < dIn; j++) {
                        e[eo + j] = ur * vd[vo + j];
                    }
                }
            }
            lo += dOut * dIn;
        }
        return keys;
    }

    /** (1/n) grad L_i^T (F + damping I)^{-1} grad L_i for every training point. */
    public double[] selfInfluence() {
        double[] s = new double[n];
        int[] w = factors.widths();
        for (int k = 0; k < factors.layerCount(); k++) {
            int dOut = w[k + 1];
            int dIn = w[k] + 1;
            DenseMatrix scale = new DenseMatrix(dOut, dIn, factors.inverseScale(k, damping, ekfac));
            DenseMatrix u2 = KroneckerFactors.squared(u[k].copy());
            DenseMatrix m = Blas.multiply(u2, scale);
            double[] md = m.data();
            double[] vd = v[k].data();
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < dIn; j++) {
                    double vv = vd[i * dIn + j];
                    sum += md[i * dIn + j] * vv * vv;
                }
                s[i] += sum;
            }
        }
        for (int i = 0; i < n; i++) {
            s[i] /= n;
        }
        return s;
    }
}
