package org.exemplar.influence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.IterationListener;
import org.junit.jupiter.api.Test;

class ModelAtOptimumTest {
    private static final double L2 = 0.1;
    /** Non-separable, so the unregularized optimum would be finite too; six points in two dimensions. */
    private static final double[][] X = {{1, 2}, {-1, 0.5}, {0.3, -1}, {2, 1}, {-0.5, -2}, {0.1, 0.2}};
    private static final int[] Y = {1, 0, 0, 1, 1, 0};

    private static TrainingData data() {
        return new TrainingData(DenseMatrix.fromRows(X), LinearModels.Kind.LOGISTIC.loss().targetsFromLabels(Y, 1),
                LinearModels.Kind.LOGISTIC.loss(), L2);
    }

    /**
     * grad J of J(w, b) = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + (l2/2)(|w|^2 + b^2), z_i = w.x_i + b, written
     * out here: ((1/n) sum_i (sigmoid(z_i) - y_i) (x_i, 1)) + l2 (w, b).
     */
    private static double[] handGradient(double[] w, double b) {
        int n = X.length;
        double[] g = new double[3];
        for (int i = 0; i < n; i++) {
            double z = w[0] * X[i][0] + w[1] * X[i][1] + b;
            double r = 1 / (1 + Math.exp(-z)) - Y[i];
            g[0] += r * X[i][0] / n;
            g[1] += r * X[i][1] / n;
            g[2] += r / n;
        }
        g[0] += L2 * w[0];
        g[1] += L2 * w[1];
        g[2] += L2 * b;
        return g;
    }

    private static double norm(double[] v) {
        return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }

    @Test
    void trainedLogisticModelIsStationaryByAHandWrittenGradient() {
        ModelAtOptimum at = ModelAtOptimum.trainLinear(data(), new TightTrainingOptions(1e-12, 5000, 100), null,
                IterationListener.NONE);
        assertTrue(at.fit().converged());
        assertTrue(!at.trainingFailed());
        DenseMatrix theta = LinearModels.theta((Mlp) at.trained());
        double[] g = handGradient(new double[] {theta.get(0, 0), theta.get(0, 1)}, theta.get(0, 2));
        // the stopping rule: ||grad J|| <= 1e-12 * max(1, ||grad J(0)||); ||grad J(0)|| < 1 here, so 1e-12 (plus the
        // rounding of an O(1) sum, ~1e-16)
        assertTrue(norm(g) <= 1e-12, "hand gradient norm " + norm(g));
        assertEquals(norm(g), at.gradientNorm(), 1e-14);
        // the scale: at zero every sigmoid is 1/2
        assertEquals(Math.max(1.0, norm(handGradient(new double[2], 0))), at.gradientScale(), 1e-15);
        assertArrayEquals(new double[3], at.initial().parameters(), 0.0);
    }

    @Test
    void givenParametersAreUsedAsTheyAreAndTheirGradientReported() {
        double[] w = {0.7, -0.3};
        double b = 0.25;
        Mlp given = LinearModels.fromTheta(DenseMatrix.fromRows(new double[][] {{w[0], w[1], b}}));
        ModelAtOptimum at = ModelAtOptimum.givenLinear(given, data());
        assertSame(given, at.trained());
        assertNull(at.fit());
        double expected = norm(handGradient(w, b));
        assertEquals(expected, at.gradientNorm(), 1e-15);
        double scale = Math.max(1.0, norm(handGradient(new double[2], 0)));
        assertEquals(expected / scale, at.relativeGradientNorm(), 1e-15);
    }

    @Test
    void savedMlpStartsColdFromItsSeededInitialization() {
        Mlp mlp = Mlp.initialize(2, new int[] {3}, Activation.TANH, 1, 7);
        ModelAtOptimum at = ModelAtOptimum.savedMlp(mlp, data(), 11);
        assertSame(mlp, at.trained());
        assertArrayEquals(Mlp.initialize(2, new int[] {3}, Activation.TANH, 1, 11).parameters(),
                at.initial().parameters(), 0.0);
        assertTrue(at.gradientScale() >= 1.0);
    }
}
