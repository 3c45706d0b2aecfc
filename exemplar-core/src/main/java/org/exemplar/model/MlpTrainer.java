package org.exemplar.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * Mini-batch training of an {@link Mlp} in place, on the objective
 * (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2 (all parameters penalized).
 *
 * <p>Each epoch reshuffles the examples with a {@link SplittableRandom} seeded once from
 * {@link TrainingOptions#seed()} and walks them in consecutive batches of {@link TrainingOptions#batchSize()}
 * (the last one possibly smaller). A batch's step uses the gradient of its own mean loss plus {@code l2 theta},
 * computed by one batched forward and backward pass through BLAS. Training is deterministic: the same model,
 * data, options and BLAS backend give bit-identical parameters.
 *
 * <p>The class is stateless; one instance may be shared.
 */
public final class MlpTrainer {

    /**
     * Trains {@code model} in place.
     *
     * @param x        inputs, one example per row, {@code model.inputWidth()} columns, at least one row
     * @param targets  targets in the loss's target space, shape (n, {@code model.outputWidth()})
     * @param listener called after every epoch; may be null
     * @return the per-epoch mean training loss and the wall-clock time
     * @throws IllegalArgumentException on mismatched shapes
     * @throws ArithmeticException      when an epoch's mean loss is not finite (the learning rate is too large);
     *                                  the model then holds the diverged parameters
     */
    public TrainingHistory train(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, TrainingOptions options,
                                 TrainingListener listener) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(x, "inputs");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(options, "options");
        if (x.cols() != model.inputWidth()) {
            throw new IllegalArgumentException("inputs have " + x.cols() + " columns but the model expects "
                    + model.inputWidth());
        }
        if (x.rows() == 0) {
            throw new IllegalArgumentException("training needs at least one example, got 0 rows");
        }
        if (targets.rows() != x.rows() || targets.cols() != model.outputWidth()) {
            throw new IllegalArgumentException("targets have shape " + targets.shapeString() + ", expected ("
                    + x.rows() + ", " + model.outputWidth() + ")");
        }
        long start = System.nanoTime();
        int n = x.rows();
        int batch = Math.min(options.batchSize(), n);
        boolean adam = options.optimizer() == TrainingOptions.Optimizer.ADAM;
        double lr = options.learningRate();
        double l2 = options.l2();
        double mu = options.momentum();
        double b1 = options.beta1();
        double b2 = options.beta2();
        double eps = options.epsilon();

        double[][] params = model.parameterBlocks();
        double[][] first = new double[params.length][];
        double[][] second = adam ? new double[params.length][] : null;
        boolean needFirst = adam || mu != 0;
        for (int b = 0; b < params.length; b++) {
            if (needFirst) {
                first[b] = new double[params[b].length];
            }
            if (adam) {
                second[b] = new double[params[b].length];
            }
        }

        SplittableRandom rnd = new SplittableRandom(options.seed());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double[] history = new double[options.epochs()];
        double[][] grad = new double[params.length][];
        double b1t = 1.0;
        double b2t = 1.0;
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            shuffle(order, rnd);
            double lossSum = 0;
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                int[] idx = Arrays.copyOfRange(order, from, to);
                DenseMatrix xb = x.selectRows(idx);
                DenseMatrix tb = targets.selectRows(idx);
                lossSum += model.lossAndGradientBlocks(xb, tb, loss, 1.0 / (to - from), grad);
                if (adam) {
                    b1t *= b1;
                    b2t *= b2;
                    double c1 = 1.0 / (1.0 - b1t);
                    double c2 = 1.0 / (1.0 - b2t);
                    for (int b = 0; b < params.length; b++) {
                        double[] p = params[b];
                        double[] g = grad[b];
                        double[] m = first[b];
                        double[] v = second[b];
                        for (int j = 0; j < p.length; j++) {
                            double gj = g[j] + l2 * p[j];
                            m[j] = b1 * m[j] + (1 - b1) * gj;
                            v[j] = b2 * v[j] + (1 - b2) * gj * gj;
                            p[j] -= lr * (m[j] * c1) / (Math.sqrt(v[j] * c2) + eps);
                        }
                    }
                } else if (mu != 0) {
                    for (int b = 0; b < params.length; b++) {
                        double[] p = params[b];
                        double[] g = grad[b];
                        double[] m = first[b];
                        for (int j = 0; j < p.length; j++) {
                            m[j] = mu * m[j] + g[j] + l2 * p[j];
                            p[j] -= lr * m[j];
                        }
                    }
                } else {
                    for (int b = 0; b < params.length; b++) {
                        double[] p = params[b];
                        double[] g = grad[b];
                        for (int j = 0; j < p.length; j++) {
                            p[j] -= lr * (g[j] + l2 * p[j]);
                        }
                    }
                }
            }
            double mean = lossSum / n;
            history[epoch] = mean;
            if (!Double.isFinite(mean)) {
                throw new ArithmeticException("training diverged: mean loss " + mean + " in epoch " + (epoch + 1)
                        + " (learning rate " + lr + " is probably too large)");
            }
            if (listener != null) {
                listener.onEpoch(epoch + 1, mean);
            }
        }
        return new TrainingHistory(history, (System.nanoTime() - start) * 1e-9);
    }

    /** Fisher-Yates shuffle driven by {@code rnd}. */
    private static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
