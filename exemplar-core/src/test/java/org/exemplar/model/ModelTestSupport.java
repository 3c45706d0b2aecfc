package org.exemplar.model;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.ReluMatchingLoss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.loss.SquaredLoss;

/** Shared fixtures and independent finite-difference references for the model tests. */
final class ModelTestSupport {
    private ModelTestSupport() {
    }

    static DenseMatrix uniform(int rows, int cols, double lo, double hi, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseMatrix m = new DenseMatrix(rows, cols);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextDouble(lo, hi);
        }
        return m;
    }

    static double[] uniform(int n, double lo, double hi, long seed) {
        return uniform(1, n, lo, hi, seed).data();
    }

    /** The four losses of org.exemplar.loss with the number of outputs used for them in the tiny nets. */
    static Loss[] losses() {
        return new Loss[] {new SoftmaxCrossEntropy(), new SigmoidCrossEntropy(), new SquaredLoss(), new ReluMatchingLoss()};
    }

    static int outputsFor(Loss loss) {
        return loss instanceof SigmoidCrossEntropy ? 1 : 3;
    }

    /**
     * Non-trivial targets in each loss's target space: soft labels from random logits for the cross-entropies
     * and the ReLU loss, 0/1 labels for the binary sigmoid, real vectors for the squared loss.
     */
    static DenseMatrix targets(Loss loss, int n, int c, long seed) {
        DenseMatrix raw = uniform(n, c, -2, 2, seed);
        if (loss instanceof SigmoidCrossEntropy && c == 1) {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = raw.data()[i] > 0 ? 1 : 0;
            }
            return loss.targetsFromLabels(labels, 1);
        }
        return loss instanceof SquaredLoss ? raw : loss.targetsFromLogits(raw);
    }

    /**
     * Smallest |pre-activation| over all layers, logits included. Central differences with steps of 1e-5 move a
     * pre-activation by far less than 1e-3, so a margin above 1e-3 keeps every ReLU (and the ReLU loss's kink at
     * Phi = 0) on one side during a finite-difference check.
     */
    static double kinkMargin(Mlp model, DenseMatrix x) {
        Mlp.Forward f = model.forward(x);
        double m = Double.POSITIVE_INFINITY;
        for (int k = 1; k <= model.layerCount(); k++) {
            for (double z : f.preActivation(k).data()) {
                m = Math.min(m, Math.abs(z));
            }
        }
        return m;
    }

    /** A tiny net 4-5-3-c with the given hidden activation, its seed chosen so that no kink is within 1e-3. */
    static Mlp tinyNet(Activation act, int c, DenseMatrix x, long seed) {
        for (long s = seed; ; s++) {
            Mlp m = Mlp.initialize(new int[] {4, 5, 3, c}, new Activation[] {act, act}, s);
            // random nonzero biases, so that the bias paths are exercised
            double[] theta = m.parameters();
            SplittableRandom rnd = new SplittableRandom(s ^ 0x5DEECE66DL);
            for (int k = 0; k < m.layerCount(); k++) {
                for (int j = 0; j < m.bias(k).length; j++) {
                    theta[m.biasOffset(k) + j] = rnd.nextDouble(-0.5, 0.5);
                }
            }
            m.setParameters(theta);
            if (kinkMargin(m, x) > 1e-3) {
                return m;
            }
        }
    }

    /** Central-difference gradient of f at theta with step h. */
    static double[] fdGradient(ToDoubleFunction<double[]> f, double[] theta, double h) {
        double[] g = new double[theta.length];
        double[] t = theta.clone();
        for (int p = 0; p < t.length; p++) {
            double keep = t[p];
            t[p] = keep + h;
            double up = f.applyAsDouble(t);
            t[p] = keep - h;
            double down = f.applyAsDouble(t);
            t[p] = keep;
            g[p] = (up - down) / (2 * h);
        }
        return g;
    }

    /** Central-difference directional derivative of a vector-valued function along v. */
    static double[] fdDirectional(Function<double[], double[]> f, double[] theta, double[] v, double h) {
        double[] up = theta.clone();
        double[] down = theta.clone();
        for (int i = 0; i < theta.length; i++) {
            up[i] += h * v[i];
            down[i] -= h * v[i];
        }
        double[] fu = f.apply(up);
        double[] fd = f.apply(down);
        double[] out = new double[fu.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (fu[i] - fd[i]) / (2 * h);
        }
        return out;
    }

    /** ||a - b|| / max(||a||, ||b||) (0 when both are 0). */
    static double relErr(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length " + a.length + " vs " + b.length);
        }
        double diff = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        double scale = Math.sqrt(Math.max(na, nb));
        return scale == 0 ? 0 : Math.sqrt(diff) / scale;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** The model with parameters theta (the original is left alone). */
    static Mlp at(Mlp model, double[] theta) {
        Mlp m = model.copy();
        m.setParameters(theta);
        return m;
    }
}
