package org.exemplar.model;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;

/**
 * Random initial layers of an {@link Mlp}: biases 0 and weights W_k ~ N(0, s^2), with He (Kaiming) scale
 * s = sqrt(2 / d_k) before a ReLU or softplus (He et al. 2015, "Delving deep into rectifiers", eq. 10) and
 * Xavier/Glorot scale s = sqrt(2 / (d_k + d_{k+1})) before tanh, sigmoid, identity and for the final linear
 * layer (Glorot and Bengio 2010, eq. 12 with a normal instead of a uniform draw). The normals come from
 * Box-Muller on a {@link SplittableRandom} and {@link StrictMath}, so a seed gives the same layers on every JVM.
 */
final class WeightInitialization {
    private WeightInitialization() {
    }

    /** L freshly initialized layers for validated widths [d_0, ..., d_L] and L - 1 hidden activations. */
    static DenseLayer[] layers(int[] widths, Activation[] hidden, long seed) {
        int layers = widths.length - 1;
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseLayer[] out = new DenseLayer[layers];
        for (int k = 0; k < layers; k++) {
            Activation after = k < layers - 1 ? hidden[k] : Activation.IDENTITY;
            double scale = (after == Activation.RELU || after == Activation.SOFTPLUS)
                    ? Math.sqrt(2.0 / widths[k])
                    : Math.sqrt(2.0 / (widths[k] + widths[k + 1]));
            DenseMatrix m = new DenseMatrix(widths[k + 1], widths[k]);
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
            out[k] = new DenseLayer(m, new double[widths[k + 1]]);
        }
        return out;
    }
}
