package org.exemplar.solver;

/**
 * How far a point is from stationarity, on a scale the caller chooses. The optimizers stop when this measure
 * falls to their tolerance. For the representer fit it is ||grad J|| / (2 lambda ||Theta||) =
 * ||Theta - sum_i alpha_i f_i^T|| / ||Theta|| (Yeh et al. 2018, Thm 3.1).
 */
@FunctionalInterface
public interface StationarityMeasure {
    double residual(double[] x, double[] grad);

    /** ||g|| / max(1, ||g0||): relative to the gradient at the start. */
    static StationarityMeasure relativeToInitialGradient(double initialGradientNorm) {
        double scale = Math.max(1.0, initialGradientNorm);
        return (x, g) -> org.exemplar.linalg.Vectors.norm2(g) / scale;
    }
}
