package org.exemplar.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.Vectors;
import org.exemplar.model.Mlp;
import org.junit.jupiter.api.Test;

class ResponseObjectiveTest {
    private static final TrainingData DATA = ResponseTestData.softmax(40, 4, 3, 0.01, 11L);
    private static final Mlp NET = ResponseTestData.mlp(4, 5, 3, 3L);
    private static final double[] THETA_S = NET.parameters();
    private static final int[] REMOVED = {7};

    private static ResponseObjective[] objectives() {
        double eps = 1.0 / DATA.size();
        return new ResponseObjective[] {
            ResponseObjective.retraining(NET, DATA, REMOVED, eps),
            ResponseObjective.proximal(NET, DATA, REMOVED, eps, 0.05, THETA_S),
            ResponseObjective.bregman(NET, DATA, REMOVED, eps, 0.05, THETA_S),
            ResponseObjective.linearizedBregman(NET, DATA, REMOVED, eps, 0.05, THETA_S)};
    }

    @Test
    void bregmanDivergenceAndItsGradientVanishAtThetaS() {
        ResponseObjective q = ResponseObjective.bregman(NET, DATA, REMOVED, 1.0 / DATA.size(), 0.05, THETA_S);
        double[] g = new double[q.dim()];
        // y = y^s reproduces the same logits, so L(y) - L(y^s) - grad^T (y - y^s) and the cotangent
        // grad L(y) - grad L(y^s) are exactly 0
        assertEquals(0.0, q.bregmanDivergence(THETA_S, g), 0.0);
        assertEquals(0.0, Vectors.norm2(g), 0.0);
        // elsewhere it is positive (the loss is strictly convex in the logits along this direction)
        double[] theta = THETA_S.clone();
        Vectors.axpy(1.0, ResponseTestData.randomVector(theta.length, 0.3, 5L), theta);
        assertTrue(q.bregmanDivergence(theta, g) > 1e-4);
    }

    @Test
    void everyObjectivesGradientMatchesCentralDifferences() {
        // Central differences along 3 random directions: truncation error O(h^2 |Q'''|) ~ 1e-10 and rounding
        // ~ 1e-16 |Q| / h ~ 1e-11 for h = 1e-5, so 1e-6 relative to the directional derivative is ample and a
        // wrong factor (a missing 1/2, a sign, a dropped term) is off by far more.
        double[] theta = THETA_S.clone();
        Vectors.axpy(1.0, ResponseTestData.randomVector(theta.length, 0.2, 9L), theta);
        for (ResponseObjective q : objectives()) {
            double[] g = new double[q.dim()];
            q.valueAndGradient(theta, g);
            for (long s = 0; s < 3; s++) {
                double[] v = ResponseTestData.randomVector(theta.length, 1.0, 100 + s);
                double h = 1e-5;
                double[] tp = theta.clone();
                double[] tm = theta.clone();
                Vectors.axpy(h, v, tp);
                Vectors.axpy(-h, v, tm);
                double[] scratch = new double[q.dim()];
                double fd = (q.valueAndGradient(tp, scratch) - q.valueAndGradient(tm, scratch)) / (2 * h);
                double an = Vectors.dot(g, v);
                assertEquals(an, fd, 1e-6 * Math.max(1.0, Math.abs(an)), q.form() + " direction " + s);
            }
        }
    }

    @Test
    void aBatchHoldingEveryRowGivesTheFullGradient() {
        // the mini-batch estimate divides by the batch size; with all N rows it is the full-batch gradient up to
        // summation order (1e-12 relative)
        double[] theta = THETA_S.clone();
        Vectors.axpy(1.0, ResponseTestData.randomVector(theta.length, 0.2, 4L), theta);
        int[] all = new int[DATA.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        for (ResponseObjective q : objectives()) {
            double[] full = new double[q.dim()];
            double[] batch = new double[q.dim()];
            q.valueAndGradient(theta, full);
            q.batchGradient(theta, all, batch);
            double err = Vectors.norm2(Vectors.subtract(full, batch)) / Vectors.norm2(full);
            assertTrue(err < 1e-12, q.form() + ": relative difference " + err);
        }
    }

    @Test
    void thePbrfGradientAtThetaSIsMinusTheRemovalGradient() {
        // at theta^s only the removal term is left: grad Q = -eps grad L_z(theta^s)
        double eps = 1.0 / DATA.size();
        ResponseObjective q = ResponseObjective.bregman(NET, DATA, REMOVED, eps, 0.05, THETA_S);
        double[] g = new double[q.dim()];
        q.valueAndGradient(THETA_S, g);
        double[] expected = Vectors.scaled(GaussNewtonInfluence.removalGradient(NET, DATA, REMOVED), -eps);
        assertTrue(Vectors.norm2(Vectors.subtract(g, expected)) <= 1e-15 * Math.max(1, Vectors.norm2(expected)));
        assertTrue(Vectors.norm2(expected) > 1e-4);
    }
}
