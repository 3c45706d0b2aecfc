package org.exemplar.representer;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Mlp;

/**
 * Sensitivity-map decomposition (Yeh et al. 2018, Sec. 4.4): for a network whose last layer was replaced by
 * the representer fit Theta = sum_i alpha_i f_i^T (features f = [h(x); 1] when a bias column is appended),
 * d Phi_j(x_t)/d x_t = sum_i alpha_ij (d h_t/d x_t)^T h_i: one input-space map per training point i, each a
 * vector-Jacobian product of the feature extractor with the cotangent alpha_ij h_i. The constant bias feature
 * has zero input derivative, so its column drops out.
 */
public final class SensitivityMaps {
    private final Mlp network;
    private final RepresenterPoints points;
    private final boolean biasColumn;

    /**
     * @param biasColumn whether the representer features are the network's features with a ones column appended
     */
    public SensitivityMaps(Mlp network, RepresenterPoints points, boolean biasColumn) {
        int hidden = network.widths()[network.widths().length - 2];
        int expected = hidden + (biasColumn ? 1 : 0);
        if (points.trainFeatures().cols() != expected) {
            throw new IllegalArgumentException("representer features have " + points.trainFeatures().cols()
                    + " columns; the network's last hidden layer gives " + expected);
        }
        this.network = network;
        this.points = points;
        this.biasColumn = biasColumn;
    }

    /** Maps for the listed training points (rows, each of the input's dimension) for class {@code cls}. */
    public DenseMatrix maps(double[] testInput, int cls, int[] trainIndices) {
        int hidden = network.widths()[network.widths().length - 2];
        int d = testInput.length;
        DenseMatrix x = new DenseMatrix(trainIndices.length, d);
        DenseMatrix cot = new DenseMatrix(trainIndices.length, hidden);
        DenseMatrix f = points.trainFeatures();
        DenseMatrix alpha = points.alpha();
        int c = alpha.cols();
        double sign = c == 1 && cls == 0 ? -1 : 1;
        int j = c == 1 ? 0 : cls;
        for (int k = 0; k < trainIndices.length; k++) {
            int i = trainIndices[k];
            System.arraycopy(testInput, 0, x.data(), k * d, d);
            double a = sign * alpha.get(i, j);
            for (int u = 0; u < hidden; u++) {
                cot.set(k, u, a * f.get(i, u));
            }
        }
        return network.featureInputVjp(x, cot);
    }

    /**
     * SmoothGrad variant (Smilkov et al. 2017, as used in Sec. 4.4): each training point's map averaged over
     * {@code samples} noisy copies x_t + N(0, sigma^2 I) of the test input, seeded. With sigma = 0 it equals
     * {@link #maps}; the decomposition still sums to the averaged gradient map.
     */
    public DenseMatrix smoothMaps(double[] testInput, int cls, int[] trainIndices, int samples, double sigma,
                                  long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("sigma must be >= 0, got " + sigma);
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        DenseMatrix sum = new DenseMatrix(trainIndices.length, testInput.length);
        double[] noisy = new double[testInput.length];
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < noisy.length; j++) {
                noisy[j] = testInput[j] + sigma * rnd.nextGaussian();
            }
            DenseMatrix m = maps(noisy, cls, trainIndices);
            org.exemplar.linalg.Vectors.axpy(1.0 / samples, m.data(), sum.data());
        }
        return sum;
    }

    /** The test point's own gradient map d Phi_cls / d x under the representer last layer Theta. */
    public double[] gradientMap(double[] testInput, int cls) {
        int hidden = network.widths()[network.widths().length - 2];
        DenseMatrix theta = points.representerTheta();
        int c = theta.rows();
        double sign = c == 1 && cls == 0 ? -1 : 1;
        int j = c == 1 ? 0 : cls;
        DenseMatrix cot = new DenseMatrix(1, hidden);
        for (int u = 0; u < hidden; u++) {
            cot.set(0, u, sign * theta.get(j, u));
        }
        return network.featureInputVjp(new DenseMatrix(1, testInput.length, testInput.clone()), cot).row(0);
    }

    /**
     * The check of the decomposition (Sec. 4.4): ||sum_i map_i - d Phi_cls/d x|| / ||d Phi_cls/d x|| over every
     * training point i. The maps are linear in the cotangent and the cotangents sum to the representer last layer's
     * row, so it is zero up to rounding; a larger value means the maps do not decompose this network's gradient.
     */
    public double decompositionError(double[] testInput, int cls) {
        double[] grad = gradientMap(testInput, cls);
        int[] all = new int[points.trainFeatures().rows()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        DenseMatrix every = maps(testInput, cls, all);
        double[] sum = new double[testInput.length];
        for (int i = 0; i < every.rows(); i++) {
            for (int j = 0; j < testInput.length; j++) {
                sum[j] += every.get(i, j);
            }
        }
        return org.exemplar.linalg.Vectors.norm2(org.exemplar.linalg.Vectors.subtract(sum, grad))
                / org.exemplar.linalg.Vectors.norm2(grad);
    }

    public boolean biasColumn() {
        return biasColumn;
    }
}
