package org.exemplar.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;

/**
 * A multilayer perceptron in float64: {@code L = layerCount()} dense layers over widths
 * {@code [d_0, d_1, ..., d_L]}.
 *
 * <p>Notation used throughout the documentation: a_0 = x (one example per row), layer k (0 &le; k &lt; L)
 * computes the pre-activation z_{k+1} = a_k W_k^T + b_k, hidden layers apply a_{k} = sigma_k(z_k)
 * for 1 &le; k &lt; L (one {@link Activation} per hidden layer, {@code activations()[k-1]}), and the last layer is
 * linear: its output Phi = z_L are the logits. W_k is stored as a {@link DenseMatrix} of shape
 * (d_{k+1}, d_k), exactly like PyTorch's {@code nn.Linear.weight}; b_k is a {@code double[]} of length
 * d_{k+1}.
 *
 * <p>The <b>features</b> f(x) = a_{L-1} are the input of the last layer (the last hidden layer's activations, or
 * x itself when there is no hidden layer), so Phi = f(x) W_{L-1}^T + b_{L-1}; representer points decompose the
 * logits through them.
 *
 * <p><b>Flat parameter order</b> (of {@link #parameters()}, every gradient and every Hessian-vector product):
 * W_0 row-major, b_0, W_1 row-major, b_1, ..., W_{L-1}, b_{L-1}.
 *
 * <p><b>Objective.</b> {@link #objective}, {@link #gradient}, {@link #hessianVectorProduct} and
 * {@link #gaussNewtonVectorProduct} refer to J(theta) = (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2,
 * where the L2 penalty covers <b>all</b> parameters, biases included.
 *
 * <p>Every batch computation runs on whole matrices through {@link Blas#gemm}; rows are examples. Accessors
 * return copies, so a model only changes through {@link #setParameters} (or an {@link MlpTrainer}). An
 * instance is not safe for concurrent mutation, but concurrent read-only calls are fine.
 */
public final class Mlp implements DifferentiableModel {
    private final int[] widths;
    private final Activation[] hidden;
    private final DenseMatrix[] weights;
    private final double[][] biases;

    /**
     * A model from explicit parameters (deep-copied).
     *
     * @param widths  [d_0, ..., d_L], at least two entries, all positive
     * @param hidden  one activation per hidden layer (length L - 1)
     * @param weights W_k of shape (d_{k+1}, d_k), k = 0..L-1
     * @param biases  b_k of length d_{k+1}, k = 0..L-1
     * @throws IllegalArgumentException on any shape mismatch, naming it
     */
    public static Mlp of(int[] widths, Activation[] hidden, DenseMatrix[] weights, double[][] biases) {
        int[] w = checkedArchitecture(widths, hidden);
        DenseMatrix[] wCopy = copyChecked(w, weights, biases);
        return new Mlp(w, hidden.clone(), wCopy, copyBiases(biases));
    }

    private Mlp(int[] widths, Activation[] hidden, DenseMatrix[] weights, double[][] biases) {
        this.widths = widths;
        this.hidden = hidden;
        this.weights = weights;
        this.biases = biases;
    }

    private static int[] checkedArchitecture(int[] widths, Activation[] hidden) {
        Objects.requireNonNull(widths, "widths");
        Objects.requireNonNull(hidden, "hidden activations");
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width, got widths "
                    + Arrays.toString(widths));
        }
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("layer widths must be positive, got " + Arrays.toString(widths));
            }
        }
        if (hidden.length != widths.length - 2) {
            throw new IllegalArgumentException("widths " + Arrays.toString(widths) + " describe "
                    + (widths.length - 2) + " hidden layer(s) but " + hidden.length + " activation(s) were given");
        }
        for (int k = 0; k < hidden.length; k++) {
            if (hidden[k] == null) {
                throw new IllegalArgumentException("activation of hidden layer " + (k + 1) + " is null");
            }
        }
        return widths.clone();
    }

    private static DenseMatrix[] copyChecked(int[] widths, DenseMatrix[] weights, double[][] biases) {
        int layers = widths.length - 1;
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(biases, "biases");
        if (weights.length != layers || biases.length != layers) {
            throw new IllegalArgumentException(layers + " layer(s) need " + layers + " weight matrices and bias vectors, got "
                    + weights.length + " and " + biases.length);
        }
        DenseMatrix[] out = new DenseMatrix[layers];
        for (int k = 0; k < layers; k++) {
            DenseMatrix w = weights[k];
            if (w == null || w.rows() != widths[k + 1] || w.cols() != widths[k]) {
                throw new IllegalArgumentException("weight " + k + " must have shape (" + widths[k + 1] + ", "
                        + widths[k] + ") (out, in), got " + (w == null ? "null" : w.shapeString()));
            }
            if (biases[k] == null || biases[k].length != widths[k + 1]) {
                throw new IllegalArgumentException("bias " + k + " must have length " + widths[k + 1] + ", got "
                        + (biases[k] == null ? "null" : biases[k].length));
            }
            out[k] = w.copy();
        }
        return out;
    }

    private static double[][] copyBiases(double[][] biases) {
        double[][] out = new double[biases.length][];
        for (int k = 0; k < biases.length; k++) {
            out[k] = biases[k].clone();
        }
        return out;
    }

    /**
     * A network of {@code inputs -> hidden[0] -> ... -> outputs} with the same activation on every hidden layer,
     * initialized as {@link #initialize(int[], Activation[], long)}.
     */
    public static Mlp initialize(int inputs, int[] hidden, Activation activation, int outputs, long seed) {
        int[] widths = new int[hidden.length + 2];
        widths[0] = inputs;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = outputs;
        Activation[] acts = new Activation[hidden.length];
        java.util.Arrays.fill(acts, activation);
        return initialize(widths, acts, seed);
    }

    /**
     * A freshly initialized model: biases 0, weights W_k ~ N(0, s^2) with He (Kaiming) scale
     * s = sqrt(2 / d_k) when the layer's output goes through {@link Activation#RELU} or
     * {@link Activation#SOFTPLUS}, and Xavier/Glorot scale s = sqrt(2 / (d_k + d_{k+1})) for tanh, sigmoid,
     * identity and the final linear layer. The normal draws use Box-Muller on a {@link SplittableRandom} seeded
     * with {@code seed} and {@link StrictMath}, so a seed gives the same model on every JVM.
     *
     * @param widths [input, h_1, ..., output]
     * @param hidden one activation per hidden layer
     */
    public static Mlp initialize(int[] widths, Activation[] hidden, long seed) {
        int[] w = checkedArchitecture(widths, hidden);
        int layers = w.length - 1;
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseMatrix[] weights = new DenseMatrix[layers];
        double[][] biases = new double[layers][];
        for (int k = 0; k < layers; k++) {
            Activation after = k < layers - 1 ? hidden[k] : Activation.IDENTITY;
            double scale = (after == Activation.RELU || after == Activation.SOFTPLUS)
                    ? Math.sqrt(2.0 / w[k])
                    : Math.sqrt(2.0 / (w[k] + w[k + 1]));
            DenseMatrix m = new DenseMatrix(w[k + 1], w[k]);
            double[] d = m.data();
            for (int i = 0; i < d.length; i += 2) {
                // Box-Muller: two independent standard normals from two uniforms in (0, 1].
                double u1 = 1.0 - rnd.nextDouble();
                double u2 = rnd.nextDouble();
                double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
                double th = 2.0 * Math.PI * u2;
                d[i] = scale * r * StrictMath.cos(th);
                if (i + 1 < d.length) {
                    d[i + 1] = scale * r * StrictMath.sin(th);
                }
            }
            weights[k] = m;
            biases[k] = new double[w[k + 1]];
        }
        return new Mlp(w, hidden.clone(), weights, biases);
    }

    // ------------------------------------------------------------------ architecture and parameters

    /** [d_0, ..., d_L] (a copy). */
    public int[] widths() {
        return widths.clone();
    }

    /** The hidden-layer activations, one per hidden layer (a copy; empty for a linear model). */
    public Activation[] activations() {
        return hidden.clone();
    }

    /** Number of dense layers L (hidden layers + the output layer). */
    public int layerCount() {
        return weights.length;
    }

    /** d_0. */
    @Override
    public int inputWidth() {
        return widths[0];
    }

    /** d_L, the number of logits. */
    @Override
    public int outputWidth() {
        return widths[widths.length - 1];
    }

    /** d_{L-1}, the width of {@link #features}. */
    public int featureWidth() {
        return widths[widths.length - 2];
    }

    /** A copy of W_k, shape (d_{k+1}, d_k). */
    public DenseMatrix weight(int k) {
        return weights[checkLayer(k)].copy();
    }

    /** A copy of b_k, length d_{k+1}. */
    public double[] bias(int k) {
        return biases[checkLayer(k)].clone();
    }

    /** A copy of the last layer's weight W_{L-1}, shape (c, p) with c logits and p = {@link #featureWidth()}. */
    public DenseMatrix lastLayerWeight() {
        return weight(layerCount() - 1);
    }

    /** A copy of the last layer's bias b_{L-1}, length c. */
    public double[] lastLayerBias() {
        return bias(layerCount() - 1);
    }

    private int checkLayer(int k) {
        if (k < 0 || k >= weights.length) {
            throw new IndexOutOfBoundsException("layer " + k + " outside [0, " + weights.length + ")");
        }
        return k;
    }

    /** Total number of parameters sum_k d_{k+1} (d_k + 1). */
    @Override
    public int parameterCount() {
        long p = 0;
        for (int k = 0; k < weights.length; k++) {
            p += (long) widths[k + 1] * (widths[k] + 1);
        }
        if (p > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("model has " + p + " parameters, more than one Java array holds");
        }
        return (int) p;
    }

    /** Offset of W_k in the flat parameter vector (b_k follows W_k directly). */
    public int weightOffset(int k) {
        checkLayer(k);
        int off = 0;
        for (int j = 0; j < k; j++) {
            off += widths[j + 1] * (widths[j] + 1);
        }
        return off;
    }

    /** Offset of b_k in the flat parameter vector. */
    public int biasOffset(int k) {
        return weightOffset(k) + widths[k + 1] * widths[k];
    }

    /** A flat copy of all parameters: W_0 row-major, b_0, W_1, b_1, ... */
    @Override
    public double[] parameters() {
        return concat(parameterBlocks(), parameterCount());
    }

    /**
     * Overwrites all parameters from a flat vector in the order of {@link #parameters()}.
     *
     * @throws IllegalArgumentException when the length is not {@link #parameterCount()}
     */
    @Override
    public void setParameters(double[] theta) {
        checkParameterLength(theta, "parameter vector");
        int off = 0;
        for (double[] block : parameterBlocks()) {
            System.arraycopy(theta, off, block, 0, block.length);
            off += block.length;
        }
    }

    /** An independent deep copy. */
    @Override
    public Mlp copy() {
        DenseMatrix[] w = new DenseMatrix[weights.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = weights[k].copy();
        }
        return new Mlp(widths.clone(), hidden.clone(), w, copyBiases(biases));
    }

    /** The live parameter arrays in flat order: [W_0.data, b_0, W_1.data, b_1, ...] (for the trainer). */
    double[][] parameterBlocks() {
        double[][] blocks = new double[2 * weights.length][];
        for (int k = 0; k < weights.length; k++) {
            blocks[2 * k] = weights[k].data();
            blocks[2 * k + 1] = biases[k];
        }
        return blocks;
    }

    private static double[] concat(double[][] blocks, int total) {
        double[] out = new double[total];
        int off = 0;
        for (double[] b : blocks) {
            System.arraycopy(b, 0, out, off, b.length);
            off += b.length;
        }
        return out;
    }

    private void checkParameterLength(double[] v, String what) {
        Objects.requireNonNull(v, what);
        if (v.length != parameterCount()) {
            throw new IllegalArgumentException(what + " has length " + v.length + " but the model has "
                    + parameterCount() + " parameters");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Mlp").append(Arrays.toString(widths)).append(' ');
        sb.append(Arrays.toString(Arrays.stream(hidden).map(Activation::externalName).toArray()));
        return sb.append(", ").append(parameterCount()).append(" parameters").toString();
    }

    // ------------------------------------------------------------------ forward pass

    /**
     * The cached forward pass of a batch: pre-activations z_k (k = 1..L) and activations a_k (k = 0..L, with
     * a_0 = x and a_L = z_L = logits). Matrices are shared with the cache, not copied; treat them as read-only.
     */
    public static final class Forward {
        private final DenseMatrix[] z;
        private final DenseMatrix[] a;

        private Forward(DenseMatrix[] z, DenseMatrix[] a) {
            this.z = z;
            this.a = a;
        }

        /** The input batch x = a_0. */
        public DenseMatrix input() {
            return a[0];
        }

        /** z_k, the pre-activation output of layer k - 1, for 1 &le; k &le; L; shape (n, d_k). */
        public DenseMatrix preActivation(int k) {
            if (k < 1 || k >= z.length) {
                throw new IndexOutOfBoundsException("pre-activation index " + k + " outside [1, " + (z.length - 1) + "]");
            }
            return z[k];
        }

        /** a_k for 0 &le; k &le; L (a_0 = x, a_L = logits); shape (n, d_k). */
        public DenseMatrix activation(int k) {
            if (k < 0 || k >= a.length) {
                throw new IndexOutOfBoundsException("activation index " + k + " outside [0, " + (a.length - 1) + "]");
            }
            return a[k];
        }

        /** Phi = a_L, shape (n, c). */
        public DenseMatrix logits() {
            return a[a.length - 1];
        }

        /** f(x) = a_{L-1}, shape (n, d_{L-1}). */
        public DenseMatrix features() {
            return a[a.length - 2];
        }
    }

    /** Runs the batch forward pass and keeps every layer's pre-activations and activations. */
    public Forward forward(DenseMatrix x) {
        checkInput(x);
        int layers = weights.length;
        DenseMatrix[] z = new DenseMatrix[layers + 1];
        DenseMatrix[] a = new DenseMatrix[layers + 1];
        a[0] = x;
        for (int k = 0; k < layers; k++) {
            z[k + 1] = affine(k, a[k]);
            if (k + 1 < layers) {
                DenseMatrix act = new DenseMatrix(x.rows(), widths[k + 1]);
                hidden[k].applyAll(z[k + 1].data(), act.data());
                a[k + 1] = act;
            } else {
                a[k + 1] = z[k + 1];
            }
        }
        return new Forward(z, a);
    }

    /** The logits Phi(x), shape (n, c); row i belongs to example x_i. */
    @Override
    public DenseMatrix logits(DenseMatrix x) {
        checkInput(x);
        DenseMatrix a = x;
        for (int k = 0; k < weights.length; k++) {
            DenseMatrix z = affine(k, a);
            if (k + 1 < weights.length) {
                hidden[k].applyAll(z.data(), z.data());
            }
            a = z;
        }
        return a;
    }

    /**
     * The features f(x) = a_{L-1}, the input of the last layer, shape (n, {@link #featureWidth()}); a copy of x
     * when the model has no hidden layer. {@code features(x) W_{L-1}^T + b_{L-1} = logits(x)}.
     */
    public DenseMatrix features(DenseMatrix x) {
        checkInput(x);
        DenseMatrix a = x.copy();
        for (int k = 0; k + 1 < weights.length; k++) {
            DenseMatrix z = affine(k, a);
            hidden[k].applyAll(z.data(), z.data());
            a = z;
        }
        return a;
    }

    /** a W_k^T + b_k through gemm (bias broadcast first, then beta = 1). */
    private DenseMatrix affine(int k, DenseMatrix a) {
        int n = a.rows();
        int out = widths[k + 1];
        DenseMatrix z = new DenseMatrix(n, out);
        double[] zd = z.data();
        double[] b = biases[k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(b, 0, zd, i * out, out);
        }
        Blas.gemm(Transpose.NO, Transpose.YES, 1.0, a, weights[k], 1.0, z);
        return z;
    }

    private void checkInput(DenseMatrix x) {
        Objects.requireNonNull(x, "input matrix");
        if (x.cols() != widths[0]) {
            throw new IllegalArgumentException("input has " + x.cols() + " columns but the model expects "
                    + widths[0] + " (shape " + x.shapeString() + ")");
        }
    }

    private void checkTargets(DenseMatrix x, DenseMatrix targets) {
        Objects.requireNonNull(targets, "targets");
        if (x.rows() == 0) {
            throw new IllegalArgumentException("the objective needs at least one example, got 0 rows");
        }
        if (targets.rows() != x.rows() || targets.cols() != outputWidth()) {
            throw new IllegalArgumentException("targets have shape " + targets.shapeString() + " but "
                    + x.rows() + " examples of a model with " + outputWidth() + " outputs need (" + x.rows()
                    + ", " + outputWidth() + ")");
        }
    }

    private static void checkCotangent(DenseMatrix x, DenseMatrix cot, int width, String what) {
        Objects.requireNonNull(cot, what);
        if (cot.rows() != x.rows() || cot.cols() != width) {
            throw new IllegalArgumentException(what + " has shape " + cot.shapeString() + ", expected ("
                    + x.rows() + ", " + width + ")");
        }
    }

    // ------------------------------------------------------------------ losses and first derivatives

    /**
     * Sum over rows of L(t_i, Phi_i); writes {@code scale * dL/dPhi} per row into {@code grad} when it is not
     * null.
     */
    private static double lossRows(DenseMatrix phi, DenseMatrix targets, Loss loss, double scale, DenseMatrix grad) {
        int n = phi.rows();
        int c = phi.cols();
        double[] p = phi.data();
        double[] t = targets.data();
        double sum = 0;
        if (grad == null) {
            for (int i = 0; i < n; i++) {
                sum += loss.value(p, i * c, t, i * c, c);
            }
            return sum;
        }
        double[] g = grad.data();
        for (int i = 0; i < n; i++) {
            sum += loss.valueAndGradient(p, i * c, t, i * c, g, i * c, c);
        }
        if (scale != 1.0) {
            for (int k = 0; k < g.length; k++) {
                g[k] *= scale;
            }
        }
        return sum;
    }

    /** The mean data loss (1/n) sum_i L(t_i, Phi(x_i)), without the regularizer. */
    @Override
    public double meanLoss(DenseMatrix x, DenseMatrix targets, Loss loss) {
        checkTargets(x, targets);
        return lossRows(logits(x), targets, loss, 1.0, null) / x.rows();
    }

    /** The objective (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2 (all parameters, biases included). */
    @Override
    public double objective(DenseMatrix x, DenseMatrix targets, Loss loss, double l2) {
        return meanLoss(x, targets, loss) + 0.5 * l2 * squaredNorm();
    }

    private double squaredNorm() {
        double s = 0;
        for (double[] block : parameterBlocks()) {
            for (double v : block) {
                s += v * v;
            }
        }
        return s;
    }

    /**
     * The gradient of {@link #objective} with respect to the flat parameters:
     * (1/n) sum_i grad L(t_i, Phi(x_i)) + l2 theta, by one batched backward pass.
     */
    @Override
    public double[] gradient(DenseMatrix x, DenseMatrix targets, Loss loss, double l2) {
        checkTargets(x, targets);
        double[][] g = new double[2 * weights.length][];
        lossAndGradientBlocks(x, targets, loss, 1.0 / x.rows(), g);
        double[] out = concat(g, parameterCount());
        if (l2 != 0) {
            double[] theta = parameters();
            for (int i = 0; i < out.length; i++) {
                out[i] += l2 * theta[i];
            }
        }
        return out;
    }

    /**
     * Forward and backward pass over a batch: fills {@code outBlocks} (length 2L, in flat order) with
     * {@code scale * sum_i grad L_i} and returns sum_i L_i (unscaled, no regularizer). No argument checks.
     */
    double lossAndGradientBlocks(DenseMatrix x, DenseMatrix targets, Loss loss, double scale, double[][] outBlocks) {
        Forward f = forward(x);
        DenseMatrix g = new DenseMatrix(x.rows(), outputWidth());
        double sum = lossRows(f.logits(), targets, loss, scale, g);
        backwardBlocks(f, g, outBlocks);
        return sum;
    }

    /**
     * Deltas dS/dz_k (k = 1..L) of the scalar S = sum_i (top_i . z_{L,i}), by batched back-propagation;
     * index 0 is null.
     */
    private DenseMatrix[] deltas(Forward f, DenseMatrix top) {
        int layers = weights.length;
        DenseMatrix[] d = new DenseMatrix[layers + 1];
        d[layers] = top;
        for (int k = layers - 1; k >= 1; k--) {
            DenseMatrix e = Blas.multiply(d[k + 1], weights[k]);
            hidden[k - 1].multiplyByDerivative(f.z[k].data(), e.data());
            d[k] = e;
        }
        return d;
    }

    /** Parameter gradient blocks of S = sum_i (top_i . Phi_i) into out (length 2L). */
    private void backwardBlocks(Forward f, DenseMatrix top, double[][] out) {
        int layers = weights.length;
        DenseMatrix d = top;
        for (int k = layers - 1; k >= 0; k--) {
            DenseMatrix gw = new DenseMatrix(widths[k + 1], widths[k]);
            Blas.gemm(Transpose.YES, Transpose.NO, 1.0, d, f.a[k], 0.0, gw);
            out[2 * k] = gw.data();
            out[2 * k + 1] = columnSums(d);
            if (k > 0) {
                DenseMatrix e = Blas.multiply(d, weights[k]);
                hidden[k - 1].multiplyByDerivative(f.z[k].data(), e.data());
                d = e;
            }
        }
    }

    private static double[] columnSums(DenseMatrix m) {
        int n = m.rows();
        int c = m.cols();
        double[] s = new double[c];
        double[] d = m.data();
        for (int i = 0; i < n; i++) {
            int off = i * c;
            for (int j = 0; j < c; j++) {
                s[j] += d[off + j];
            }
        }
        return s;
    }

    /**
     * Vector-Jacobian product with respect to the parameters: sum_i J_i^T u_i where J_i = dPhi(x_i)/dtheta
     * (c x P) and u_i is row i of {@code outputCotangent} (n x c). The gradient of the mean loss is this product
     * with u_i = (1/n) dL/dPhi_i.
     */
    @Override
    public double[] parameterVjp(DenseMatrix x, DenseMatrix outputCotangent) {
        checkInput(x);
        checkCotangent(x, outputCotangent, outputWidth(), "output cotangent");
        double[][] g = new double[2 * weights.length][];
        backwardBlocks(forward(x), outputCotangent, g);
        return concat(g, parameterCount());
    }

    /**
     * Jacobian-vector product with respect to the parameters, by a forward-mode pass: row i is
     * J_i v = d/d(eps) Phi(x_i; theta + eps v) at eps = 0, shape (n, c).
     */
    @Override
    public DenseMatrix parameterJvp(DenseMatrix x, double[] v) {
        checkParameterLength(v, "direction");
        Forward f = forward(x);
        return rForward(f, v).rz[weights.length];
    }

    /**
     * Exact per-example gradients of the data loss: row i is grad_theta L(t_i, Phi(x_i)) in flat parameter order
     * (no regularizer, no 1/n). Computed from one batched forward and backward pass: the weight block of layer k
     * in row i is the outer product delta_{k+1,i} a_{k,i}^T, the bias block is delta_{k+1,i}.
     *
     * @return an (n, {@link #parameterCount()}) matrix; n * P must fit in one Java array
     */
    @Override
    public DenseMatrix perExampleGradients(DenseMatrix x, DenseMatrix targets, Loss loss) {
        checkTargets(x, targets);
        int n = x.rows();
        int pCount = parameterCount();
        DenseMatrix out = new DenseMatrix(n, pCount);
        Forward f = forward(x);
        DenseMatrix g = new DenseMatrix(n, outputWidth());
        lossRows(f.logits(), targets, loss, 1.0, g);
        DenseMatrix[] d = deltas(f, g);
        double[] o = out.data();
        for (int k = 0; k < weights.length; k++) {
            int in = widths[k];
            int outW = widths[k + 1];
            int wOff = weightOffset(k);
            int bOff = wOff + in * outW;
            double[] dk = d[k + 1].data();
            double[] ak = f.a[k].data();
            for (int i = 0; i < n; i++) {
                int row = i * pCount;
                int aRow = i * in;
                int dRow = i * outW;
                for (int r = 0; r < outW; r++) {
                    double dv = dk[dRow + r];
                    int base = row + wOff + r * in;
                    if (dv == 0.0) {
                        continue; // row of zeros already in place
                    }
                    for (int j = 0; j < in; j++) {
                        o[base + j] = dv * ak[aRow + j];
                    }
                }
                System.arraycopy(dk, dRow, o, row + bOff, outW);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ input gradients

    /**
     * Input gradients of the logits: row i is d(v_i . Phi(x_i))/dx_i, with v_i row i of
     * {@code outputCotangent} (n x c); shape (n, d_0). With v_i = e_j it is the saliency of logit j.
     */
    public DenseMatrix inputGradient(DenseMatrix x, DenseMatrix outputCotangent) {
        checkInput(x);
        checkCotangent(x, outputCotangent, outputWidth(), "output cotangent");
        return backToInput(forward(x), weights.length, outputCotangent);
    }

    /**
     * Vector-Jacobian product of the features: row i is d(u_i . f(x_i))/dx_i with f = {@link #features} and u_i
     * row i of {@code featureCotangent} (n x d_{L-1}); shape (n, d_0). Sensitivity maps of representer
     * decompositions, d Phi_j(x)/dx = sum_i alpha_ij (df(x)/dx)^T f(x_i), are this product with u = sum_i alpha_ij
     * f(x_i).
     */
    public DenseMatrix featureInputVjp(DenseMatrix x, DenseMatrix featureCotangent) {
        checkInput(x);
        checkCotangent(x, featureCotangent, featureWidth(), "feature cotangent");
        return backToInput(forwardTo(x, weights.length - 1), weights.length - 1, featureCotangent);
    }

    /** Forward pass through layers 0..upTo-1 only (a_upTo is the last activation filled). */
    private Forward forwardTo(DenseMatrix x, int upTo) {
        DenseMatrix[] z = new DenseMatrix[weights.length + 1];
        DenseMatrix[] a = new DenseMatrix[weights.length + 1];
        a[0] = x;
        for (int k = 0; k < upTo; k++) {
            z[k + 1] = affine(k, a[k]);
            DenseMatrix act = new DenseMatrix(x.rows(), widths[k + 1]);
            hidden[k].applyAll(z[k + 1].data(), act.data());
            a[k + 1] = act;
        }
        return new Forward(z, a);
    }

    /** Given the cotangent of a_level (level = L: of the logits), returns the cotangent of a_0 = x. */
    private DenseMatrix backToInput(Forward f, int level, DenseMatrix cotangent) {
        if (level == 0) {
            return cotangent.copy();
        }
        DenseMatrix d;
        if (level == weights.length) {
            d = cotangent;
        } else {
            d = cotangent.copy();
            hidden[level - 1].multiplyByDerivative(f.z[level].data(), d.data());
        }
        for (int k = level - 1; k >= 0; k--) {
            DenseMatrix e = Blas.multiply(d, weights[k]);
            if (k > 0) {
                hidden[k - 1].multiplyByDerivative(f.z[k].data(), e.data());
            }
            d = e;
        }
        return d;
    }

    // ------------------------------------------------------------------ second derivatives

    /** Directional derivatives R{z_k}, R{a_k} of the forward pass along a parameter direction. */
    private record RPass(DenseMatrix[] rz, DenseMatrix[] ra, DenseMatrix[] dirW) {
    }

    /** Pearlmutter's forward R-pass: R{z_{k+1}} = R{a_k} W_k^T + a_k V_k^T + c_k, R{a_k} = sigma'(z_k) R{z_k}. */
    private RPass rForward(Forward f, double[] v) {
        int layers = weights.length;
        int n = f.a[0].rows();
        DenseMatrix[] dirW = new DenseMatrix[layers];
        DenseMatrix[] rz = new DenseMatrix[layers + 1];
        DenseMatrix[] ra = new DenseMatrix[layers + 1];
        for (int k = 0; k < layers; k++) {
            int in = widths[k];
            int out = widths[k + 1];
            int wOff = weightOffset(k);
            dirW[k] = new DenseMatrix(out, in, Arrays.copyOfRange(v, wOff, wOff + out * in));
            DenseMatrix r = new DenseMatrix(n, out);
            double[] rd = r.data();
            int bOff = wOff + out * in;
            for (int i = 0; i < n; i++) {
                System.arraycopy(v, bOff, rd, i * out, out);
            }
            Blas.gemm(Transpose.NO, Transpose.YES, 1.0, f.a[k], dirW[k], 1.0, r);
            if (k > 0) {
                Blas.gemm(Transpose.NO, Transpose.YES, 1.0, ra[k], weights[k], 1.0, r);
            }
            rz[k + 1] = r;
            if (k + 1 < layers) {
                DenseMatrix rak = r.copy();
                hidden[k].multiplyByDerivative(f.z[k + 1].data(), rak.data());
                ra[k + 1] = rak;
            } else {
                ra[k + 1] = r;
            }
        }
        return new RPass(rz, ra, dirW);
    }

    /** Rows of {@code scale * H_y(Phi_i) r_i} through {@link Loss#hessianVector}. */
    private static DenseMatrix outputHessianRows(DenseMatrix phi, DenseMatrix targets, Loss loss, DenseMatrix r,
                                                 double scale) {
        int n = phi.rows();
        int c = phi.cols();
        DenseMatrix out = new DenseMatrix(n, c);
        for (int i = 0; i < n; i++) {
            loss.hessianVector(phi.data(), i * c, targets.data(), i * c, r.data(), i * c, out.data(), i * c, c);
        }
        if (scale != 1.0) {
            out.scaleInPlace(scale);
        }
        return out;
    }

    /**
     * The exact Hessian of {@link #objective} times v, by Pearlmutter's R-operator: a forward R-pass gives the
     * directional derivatives of every pre-activation, then a backward R-pass differentiates back-propagation
     * itself, including the second-derivative terms of curved activations (tanh, sigmoid, softplus; ReLU's are
     * zero almost everywhere) and the output-space Hessian from {@link Loss#hessianVector}. Includes
     * {@code l2 v}. Cost: about twice a gradient.
     */
    @Override
    public double[] hessianVectorProduct(DenseMatrix x, DenseMatrix targets, Loss loss, double l2, double[] v) {
        checkTargets(x, targets);
        checkParameterLength(v, "direction");
        int layers = weights.length;
        int n = x.rows();
        double inv = 1.0 / n;
        Forward f = forward(x);
        RPass r = rForward(f, v);
        DenseMatrix d = new DenseMatrix(n, outputWidth());
        lossRows(f.logits(), targets, loss, inv, d);
        DenseMatrix rd = outputHessianRows(f.logits(), targets, loss, r.rz[layers], inv);
        double[][] out = new double[2 * layers][];
        for (int k = layers - 1; k >= 0; k--) {
            // R{grad W_k} = R{delta}^T a_k + delta^T R{a_k};  R{grad b_k} = colsum R{delta}
            DenseMatrix gw = new DenseMatrix(widths[k + 1], widths[k]);
            Blas.gemm(Transpose.YES, Transpose.NO, 1.0, rd, f.a[k], 0.0, gw);
            if (k > 0) {
                Blas.gemm(Transpose.YES, Transpose.NO, 1.0, d, r.ra[k], 1.0, gw);
            }
            out[2 * k] = gw.data();
            out[2 * k + 1] = columnSums(rd);
            if (k > 0) {
                // e = delta W_k, R{e} = R{delta} W_k + delta V_k
                DenseMatrix e = Blas.multiply(d, weights[k]);
                DenseMatrix re = Blas.multiply(rd, weights[k]);
                Blas.gemm(Transpose.NO, Transpose.NO, 1.0, d, r.dirW[k], 1.0, re);
                // delta_k = e * sigma'(z_k);  R{delta_k} = R{e} * sigma'(z_k) + e * sigma''(z_k) * R{z_k}
                Activation act = hidden[k - 1];
                double[] z = f.z[k].data();
                double[] ed = e.data();
                double[] red = re.data();
                double[] rzk = r.rz[k].data();
                if (act.isCurved()) {
                    for (int i = 0; i < z.length; i++) {
                        double s1 = act.derivative(z[i]);
                        red[i] = red[i] * s1 + ed[i] * act.secondDerivative(z[i]) * rzk[i];
                        ed[i] *= s1;
                    }
                } else {
                    act.multiplyByDerivative(z, red);
                    act.multiplyByDerivative(z, ed);
                }
                d = e;
                rd = re;
            }
        }
        return addScaled(concat(out, parameterCount()), l2, v);
    }

    /**
     * The generalized Gauss-Newton matrix of {@link #objective} times v:
     * (1/n) sum_i J_i^T H_y,i J_i v + l2 v, with J_i = dPhi(x_i)/dtheta and H_y,i the output-space Hessian of the
     * loss. J v comes from a forward-mode pass, H_y from {@link Loss#hessianVector}, J^T from back-propagation.
     * Positive semi-definite for convex losses (all losses in {@code org.exemplar.loss}) and l2 &ge; 0.
     */
    @Override
    public double[] gaussNewtonVectorProduct(DenseMatrix x, DenseMatrix targets, Loss loss, double l2, double[] v) {
        checkTargets(x, targets);
        checkParameterLength(v, "direction");
        Forward f = forward(x);
        DenseMatrix jv = rForward(f, v).rz[weights.length];
        DenseMatrix u = outputHessianRows(f.logits(), targets, loss, jv, 1.0 / x.rows());
        double[][] out = new double[2 * weights.length][];
        backwardBlocks(f, u, out);
        return addScaled(concat(out, parameterCount()), l2, v);
    }

    private static double[] addScaled(double[] y, double a, double[] x) {
        if (a != 0) {
            for (int i = 0; i < y.length; i++) {
                y[i] += a * x[i];
            }
        }
        return y;
    }
}
