package org.exemplar.tracin;

import java.util.List;
import java.util.Objects;
import org.exemplar.influence.TestFunction;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;
import org.exemplar.model.Mlp;

/**
 * TracInCP of a network (Pruthi et al. 2020, eq. 3): TracIn(t, i) = sum_c eta_c grad f_t(theta_c) . grad L_i(theta_c)
 * over the saved checkpoints theta_c with learning rates eta_c, on every parameter or only on the last layer's
 * (weight and bias). The 1/|B| of a mini-batch mean is a common factor and is dropped, as in the paper. A positive
 * value means that the SGD steps on i moved f_t down (for f = the loss: i is a proponent of the test point).
 * Self-influence: sum_c eta_c ||grad L_i(theta_c)||^2.
 *
 * <p>Scoring a block of test points is one pass over the training gradients per checkpoint, computed in row blocks
 * (never n x P at once). Immutable; safe for concurrent scoring.
 */
public final class NetworkTracIn {
    /** Most doubles of training gradients held at once. */
    private static final long BLOCK_BUDGET = 4L << 20;

    private final List<Checkpoint> checkpoints;
    private final DenseMatrix x;
    private final DenseMatrix targets;
    private final Loss loss;
    private final boolean lastLayerOnly;

    public NetworkTracIn(List<Checkpoint> checkpoints, DenseMatrix x, DenseMatrix targets, Loss loss,
                         boolean lastLayerOnly) {
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("TracInCP needs at least one checkpoint");
        }
        this.checkpoints = List.copyOf(checkpoints);
        this.x = Objects.requireNonNull(x, "training inputs");
        this.targets = Objects.requireNonNull(targets, "training targets");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.lastLayerOnly = lastLayerOnly;
        int[] w = checkpoints.get(0).model().widths();
        for (Checkpoint c : checkpoints) {
            if (!java.util.Arrays.equals(w, c.model().widths())) {
                throw new IllegalArgumentException("checkpoints of different architectures: "
                        + java.util.Arrays.toString(w) + " and " + java.util.Arrays.toString(c.model().widths()));
            }
        }
        if (x.cols() != w[0] || targets.rows() != x.rows() || targets.cols() != w[w.length - 1]) {
            throw new IllegalArgumentException("training data " + x.shapeString() + " / targets "
                    + targets.shapeString() + " do not fit a network of widths " + java.util.Arrays.toString(w));
        }
    }

    public List<Checkpoint> checkpoints() {
        return checkpoints;
    }

    public boolean lastLayerOnly() {
        return lastLayerOnly;
    }

    public int trainSize() {
        return x.rows();
    }

    /** First flat parameter index used (0, or the last layer's weight offset). */
    private int from(Mlp m) {
        return lastLayerOnly ? m.weightOffset(m.layerCount() - 1) : 0;
    }

    /** Columns [from, P) of gradient rows. */
    private static DenseMatrix columns(DenseMatrix g, int from) {
        if (from == 0) {
            return g;
        }
        int p = g.cols() - from;
        DenseMatrix out = new DenseMatrix(g.rows(), p);
        for (int i = 0; i < g.rows(); i++) {
            System.arraycopy(g.data(), i * g.cols() + from, out.data(), i * p, p);
        }
        return out;
    }

    /** TracIn(t, i) for a block of test points (rows) and every training point (columns). */
    public DenseMatrix scores(DenseMatrix xTest, DenseMatrix testTargets, TestFunction f) {
        int n = x.rows();
        DenseMatrix out = new DenseMatrix(xTest.rows(), n);
        for (Checkpoint c : checkpoints) {
            Mlp m = c.model();
            int from = from(m);
            DenseMatrix gt = columns(f.gradients(m, xTest, testTargets, loss), from);
            int rows = (int) Math.max(1, Math.min(n, BLOCK_BUDGET / Math.max(1, m.parameterCount())));
            for (int i0 = 0; i0 < n; i0 += rows) {
                int i1 = Math.min(n, i0 + rows);
                DenseMatrix gi = columns(m.perExampleGradients(x.rowRange(i0, i1), targets.rowRange(i0, i1), loss),
                        from);
                DenseMatrix part = Blas.multiply(Transpose.NO, gt, Transpose.YES, gi);
                double[] o = out.data();
                double[] p = part.data();
                int w = i1 - i0;
                for (int t = 0; t < xTest.rows(); t++) {
                    for (int i = 0; i < w; i++) {
                        o[t * n + i0 + i] += c.learningRate() * p[t * w + i];
                    }
                }
            }
        }
        return out;
    }

    /** Length of the concatenated per-checkpoint gradients: sum_c (parameters of checkpoint c that are scored). */
    public int keyWidth() {
        int w = 0;
        for (Checkpoint c : checkpoints) {
            Mlp m = c.model();
            w += m.parameterCount() - from(m);
        }
        return w;
    }

    /**
     * The training side of eq. 3 as one row per training point in [i0, i1): [grad L_i(theta_1) | ... |
     * grad L_i(theta_C)] (restricted as {@link #scores} restricts them), so that {@link #queryVectors} . key = TracIn.
     */
    public DenseMatrix trainingKeys(int i0, int i1) {
        DenseMatrix out = new DenseMatrix(i1 - i0, keyWidth());
        int off = 0;
        for (Checkpoint c : checkpoints) {
            Mlp m = c.model();
            DenseMatrix g = columns(m.perExampleGradients(x.rowRange(i0, i1), targets.rowRange(i0, i1), loss), from(m));
            place(out, g, off, 1.0);
            off += g.cols();
        }
        return out;
    }

    /** The test side of eq. 3: [eta_1 grad f_t(theta_1) | ... | eta_C grad f_t(theta_C)] per test point. */
    public DenseMatrix queryVectors(DenseMatrix xTest, DenseMatrix testTargets, TestFunction f) {
        DenseMatrix out = new DenseMatrix(xTest.rows(), keyWidth());
        int off = 0;
        for (Checkpoint c : checkpoints) {
            Mlp m = c.model();
            DenseMatrix g = columns(f.gradients(m, xTest, testTargets, loss), from(m));
            place(out, g, off, c.learningRate());
            off += g.cols();
        }
        return out;
    }

    private static void place(DenseMatrix out, DenseMatrix g, int off, double scale) {
        double[] o = out.data();
        double[] d = g.data();
        int w = out.cols();
        int gw = g.cols();
        for (int r = 0; r < g.rows(); r++) {
            for (int j = 0; j < gw; j++) {
                o[r * w + off + j] = scale * d[r * gw + j];
            }
        }
    }

    /** sum_c eta_c ||grad L_i(theta_c)||^2 for every training point. */
    public double[] selfInfluence() {
        int n = x.rows();
        double[] s = new double[n];
        for (Checkpoint c : checkpoints) {
            Mlp m = c.model();
            int from = from(m);
            int rows = (int) Math.max(1, Math.min(n, BLOCK_BUDGET / Math.max(1, m.parameterCount())));
            for (int i0 = 0; i0 < n; i0 += rows) {
                int i1 = Math.min(n, i0 + rows);
                DenseMatrix g = m.perExampleGradients(x.rowRange(i0, i1), targets.rowRange(i0, i1), loss);
                int p = g.cols();
                for (int i = 0; i < i1 - i0; i++) {
                    double sum = 0;
                    for (int j = from; j < p; j++) {
                        double v = g.data()[i * p + j];
                        sum += v * v;
                    }
                    s[i0 + i] += c.learningRate() * sum;
                }
            }
        }
        return s;
    }
}
