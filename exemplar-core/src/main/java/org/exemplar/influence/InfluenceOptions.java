package org.exemplar.influence;

import org.exemplar.model.Curvature;

/**
 * Settings of {@link InfluenceFunctions}.
 *
 * @param curvature      the Hessian or the Gauss-Newton matrix
 * @param damping        lambda of A = C + lambda I (Bae et al. eq. 5; the paper uses 0.001)
 * @param testBatchSize  test points whose s_test vectors are solved together (a memory/speed knob only: scores do
 *                       not depend on it)
 * @param trainBlockRows training points whose per-example gradients are held at once (block x P doubles)
 */
public record InfluenceOptions(Curvature curvature, double damping, int testBatchSize, int trainBlockRows) {
    public InfluenceOptions {
        java.util.Objects.requireNonNull(curvature, "curvature");
        if (!(damping >= 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("damping must be finite and >= 0, got " + damping);
        }
        if (testBatchSize < 1) {
            throw new IllegalArgumentException("test batch size must be >= 1, got " + testBatchSize);
        }
        if (trainBlockRows < 1) {
            throw new IllegalArgumentException("training block rows must be >= 1, got " + trainBlockRows);
        }
    }

    /** Hessian, the given damping, 256 test points per batch, 1024 training rows per block. */
    public static InfluenceOptions of(Curvature curvature, double damping) {
        return new InfluenceOptions(curvature, damping, 256, 1024);
    }

    public InfluenceOptions withTestBatchSize(int b) {
        return new InfluenceOptions(curvature, damping, b, trainBlockRows);
    }

    public InfluenceOptions withTrainBlockRows(int b) {
        return new InfluenceOptions(curvature, damping, testBatchSize, b);
    }
}
