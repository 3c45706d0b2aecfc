package org.exemplar.model;

import java.util.Arrays;
import java.util.Objects;
import org.exemplar.linalg.DenseMatrix;
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
 * <p>Every batch computation runs on whole matrices through {@link org.exemplar.linalg.Blas#gemm}; rows are examples. Accessors
 * return copies, so a model only changes through {@link #setParameters} (or an {@link MlpTrainer}). An
 * instance is not safe for concurrent mutation, but concurrent read-only calls are fine.
 *
 * <p><b>Where the work is done.</b> This class is the facade: it owns the parameters, checks arguments and
 * delegates each concept to a package-private class: {@code DenseLayer} (one layer z = a W^T + b and its
 * back-propagation products), {@code ParameterLayout} (the flat order), {@code WeightInitialization},
 * {@code ForwardPass}, {@code OutputLoss} (the loss per row of logits), {@code Backpropagation} (gradients and
 * vector-Jacobian products), {@code PerExampleGradients}, {@code RForwardPass} (Jacobian-vector products) and
 * {@code CurvatureVectorProducts} (Hessian- and Gauss-Newton-vector products).
 */
public final class Mlp implements DifferentiableModel {
    private final int[] widths;
    private final Activation[] hidden;
    private final DenseLayer[] layers;
    private final ParameterLayout layout;

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
        return new Mlp(w, hidden.clone(), copyChecked(w, weights, biases));
    }

    private Mlp(int[] widths, Activation[] hidden, DenseLayer[] layers) {
        this.widths = widths;
        this.hidden = hidden;
        this.layers = layers;
        this.layout = new ParameterLayout(widths);
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

    private static DenseLayer[] copyChecked(int[] widths, DenseMatrix[] weights, double[][] biases) {
        int count = widths.length - 1;
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(biases, "biases");
        if (weights.length != count || biases.length != count) {
            throw new IllegalArgumentException(count + " layer(s) need " + count + " weight matrices and bias vectors, got "
                    + weights.length + " and " + biases.length);
        }
        DenseLayer[] out = new DenseLayer[count];
        for (int k = 0; k < count; k++) {
            out[k] = DenseLayer.copyOf(k, widths[k], widths[k + 1], weights[k], biases[k]);
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
        Arrays.fill(acts, activation);
        return initialize(widths, acts, seed);
    }

    /**
     * A freshly initialized model: biases 0, weights W_k ~ N(0, s^2) with He (Kaiming) scale
     * s = sqrt(2 / d_k) when the layer's output goes through {@link Activation#RELU} or
     * {@link Activation#SOFTPLUS}, and Xavier/Glorot scale s = sqrt(2 / (d_k + d_{k+1})) for tanh, sigmoid,
     * identity and the final linear layer. The normal draws use Box-Muller on a {@link java.util.SplittableRandom}
     * seeded with {@code seed} and {@link StrictMath}, so a seed gives the same model on every JVM
     * (see {@code WeightInitialization}).
     *
     * @param widths [input, h_1, ..., output]
     * @param hidden one activation per hidden layer
     */
    public static Mlp initialize(int[] widths, Activation[] hidden, long seed) {
        int[] w = checkedArchitecture(widths, hidden);
        return new Mlp(w, hidden.clone(), WeightInitialization.layers(w, hidden, seed));
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
        return layers.length;
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
        return layers[checkLayer(k)].weight().copy();
    }

    /** A copy of b_k, length d_{k+1}. */
    public double[] bias(int k) {
        return layers[checkLayer(k)].bias().clone();
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
        if (k < 0 || k >= layers.length) {
            throw new IndexOutOfBoundsException("layer " + k + " outside [0, " + layers.length + ")");
        }
        return k;
    }

    /** Total number of parameters sum_k d_{k+1} (d_k + 1). */
    @Override
    public int parameterCount() {
        return layout.count();
    }

    /** Offset of W_k in the flat parameter vector (b_k follows W_k directly). */
    public int weightOffset(int k) {
        return layout.weightOffset(checkLayer(k));
    }

    /** Offset of b_k in the flat parameter vector. */
    public int biasOffset(int k) {
        return layout.biasOffset(checkLayer(k));
    }

    /** A flat copy of all parameters: W_0 row-major, b_0, W_1, b_1, ... */
    @Override
    public double[] parameters() {
        return ParameterLayout.flatten(parameterBlocks(), parameterCount());
    }

    /**
     * Overwrites all parameters from a flat vector in the order of {@link #parameters()}.
     *
     * @throws IllegalArgumentException when the length is not {@link #parameterCount()}
     */
    @Override
    public void setParameters(double[] theta) {
        layout.checkLength(theta, "parameter vector");
        ParameterLayout.unflatten(theta, parameterBlocks());
    }

    /** An independent deep copy. */
    @Override
    public Mlp copy() {
        DenseLayer[] l = new DenseLayer[layers.length];
        for (int k = 0; k < l.length; k++) {
            l[k] = layers[k].copy();
        }
        return new Mlp(widths.clone(), hidden.clone(), l);
    }

    /** The live parameter arrays in flat order: [W_0.data, b_0, W_1.data, b_1, ...] (for the trainer). */
    double[][] parameterBlocks() {
        double[][] blocks = new double[2 * layers.length][];
        for (int k = 0; k < layers.length; k++) {
            blocks[2 * k] = layers[k].weight().data();
            blocks[2 * k + 1] = layers[k].bias();
        }
        return blocks;
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
     * Computed by {@code ForwardPass}.
     */
    public static final class Forward {
        final DenseMatrix[] z;
        final DenseMatrix[] a;

        Forward(DenseMatrix[] z, DenseMatrix[] a) {
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
        return ForwardPass.run(layers, hidden, x);
    }

    /** The logits Phi(x), shape (n, c); row i belongs to example x_i. */
    @Override
    public DenseMatrix logits(DenseMatrix x) {
        checkInput(x);
        return ForwardPass.logits(layers, hidden, x);
    }

    /**
     * The features f(x) = a_{L-1}, the input of the last layer, shape (n, {@link #featureWidth()}); a copy of x
     * when the model has no hidden layer. {@code features(x) W_{L-1}^T + b_{L-1} = logits(x)}.
     */
    public DenseMatrix features(DenseMatrix x) {
        checkInput(x);
        return ForwardPass.features(layers, hidden, x);
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

    /** The mean data loss (1/n) sum_i L(t_i, Phi(x_i)), without the regularizer. */
    @Override
    public double meanLoss(DenseMatrix x, DenseMatrix targets, Loss loss) {
        checkTargets(x, targets);
        return OutputLoss.rows(logits(x), targets, loss, 1.0, null) / x.rows();
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
        double[][] g = new double[2 * layers.length][];
        lossAndGradientBlocks(x, targets, loss, 1.0 / x.rows(), g);
        double[] out = ParameterLayout.flatten(g, parameterCount());
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
        Forward f = ForwardPass.run(layers, hidden, x);
        DenseMatrix g = new DenseMatrix(x.rows(), outputWidth());
        double sum = OutputLoss.rows(f.logits(), targets, loss, scale, g);
        Backpropagation.parameterGradientBlocks(layers, hidden, f, g, outBlocks);
        return sum;
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
        double[][] g = new double[2 * layers.length][];
        Backpropagation.parameterGradientBlocks(layers, hidden, forward(x), outputCotangent, g);
        return ParameterLayout.flatten(g, parameterCount());
    }

    /**
     * Jacobian-vector product with respect to the parameters, by a forward-mode pass: row i is
     * J_i v = d/d(eps) Phi(x_i; theta + eps v) at eps = 0, shape (n, c).
     */
    @Override
    public DenseMatrix parameterJvp(DenseMatrix x, double[] v) {
        layout.checkLength(v, "direction");
        Forward f = forward(x);
        return RForwardPass.along(layers, hidden, layout, f, v).logits();
    }

    /**
     * Exact per-example gradients of the data loss: row i is grad_theta L(t_i, Phi(x_i)) in flat parameter order
     * (no regularizer, no 1/n). Computed from one batched forward and backward pass: the weight block of layer k
     * in row i is the outer product delta_{k+1,i} a_{k,i}^T, the bias block is delta_{k+1,i}
     * (see {@code PerExampleGradients}).
     *
     * @return an (n, {@link #parameterCount()}) matrix; n * P must fit in one Java array
     */
    @Override
    public DenseMatrix perExampleGradients(DenseMatrix x, DenseMatrix targets, Loss loss) {
        checkTargets(x, targets);
        DenseMatrix out = new DenseMatrix(x.rows(), parameterCount());
        Forward f = forward(x);
        DenseMatrix g = new DenseMatrix(x.rows(), outputWidth());
        OutputLoss.rows(f.logits(), targets, loss, 1.0, g);
        PerExampleGradients.fill(layers, hidden, layout, f, g, out);
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
        return Backpropagation.toInput(layers, hidden, forward(x), layers.length, outputCotangent);
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
        int level = layers.length - 1;
        return Backpropagation.toInput(layers, hidden, ForwardPass.runTo(layers, hidden, x, level), level,
                featureCotangent);
    }

    // ------------------------------------------------------------------ second derivatives

    /**
     * The exact Hessian of {@link #objective} times v, by Pearlmutter's R-operator: a forward R-pass gives the
     * directional derivatives of every pre-activation, then a backward R-pass differentiates back-propagation
     * itself, including the second-derivative terms of curved activations (tanh, sigmoid, softplus; ReLU's are
     * zero almost everywhere) and the output-space Hessian from {@link Loss#hessianVector}. Includes
     * {@code l2 v}. Cost: about twice a gradient. See {@code CurvatureVectorProducts.hessian}.
     */
    @Override
    public double[] hessianVectorProduct(DenseMatrix x, DenseMatrix targets, Loss loss, double l2, double[] v) {
        checkTargets(x, targets);
        layout.checkLength(v, "direction");
        checkInput(x);
        return CurvatureVectorProducts.hessian(layers, hidden, layout, x, targets, loss, l2, v);
    }

    /**
     * The generalized Gauss-Newton matrix of {@link #objective} times v:
     * (1/n) sum_i J_i^T H_y,i J_i v + l2 v, with J_i = dPhi(x_i)/dtheta and H_y,i the output-space Hessian of the
     * loss. J v comes from a forward-mode pass, H_y from {@link Loss#hessianVector}, J^T from back-propagation.
     * Positive semi-definite for convex losses (all losses in {@code org.exemplar.loss}) and l2 &ge; 0.
     * See {@code CurvatureVectorProducts.gaussNewton}.
     */
    @Override
    public double[] gaussNewtonVectorProduct(DenseMatrix x, DenseMatrix targets, Loss loss, double l2, double[] v) {
        checkTargets(x, targets);
        layout.checkLength(v, "direction");
        checkInput(x);
        return CurvatureVectorProducts.gaussNewton(layers, hidden, layout, x, targets, loss, l2, v);
    }
}
