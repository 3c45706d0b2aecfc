package org.exemplar.ntk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * Values worked out by hand or by brute force for the ntk helpers whose mutants PIT found surviving (issue 15):
 * aggregate influence, the Prop. 2 residual, the gradient-flow schedule and the complexity groups of Fig. 5.
 */
class NtkFixturesTest {

    @Test
    void meanOverTestPointsAndProp2Residual() {
        DenseMatrix exact = DenseMatrix.fromRows(new double[][] {{1, 2, 3}, {3, -2, 5}});
        InfluenceScores s = new InfluenceScores(exact, exact, new DenseMatrix(2, 3), new double[2], new double[2],
                new double[3], new double[3], 0, 0);
        assertArrayEquals(new double[] {2, 0, 4}, s.meanOverTestPoints(), 0.0);
        InfluenceScores none = new InfluenceScores(new DenseMatrix(0, 3), new DenseMatrix(0, 3), new DenseMatrix(0, 3),
                new double[0], new double[0], new double[3], new double[3], 0, 0);
        assertArrayEquals(new double[3], none.meanOverTestPoints(), 0.0);
        // |1 + 0 - 1.5| / 1.5 = 1/3 and |0.5 + 0.25 - 0.5| / max(1, 0.5) = 1/4: the maximum is 1/3
        InfluenceScores.Prop2Decomposition d = new InfluenceScores.Prop2Decomposition(
                DenseMatrix.fromRows(new double[][] {{1, 0.5}}), DenseMatrix.fromRows(new double[][] {{0, 0.25}}));
        assertEquals(1.0 / 3, d.maxRelativeResidual(DenseMatrix.fromRows(new double[][] {{1.5, 0.5}})), 1e-16);
        assertEquals(0.25, d.maxRelativeResidual(DenseMatrix.fromRows(new double[][] {{1, 0.5}})), 1e-16);
    }

    @Test
    void gradientFlowScheduleByHand() {
        // lr = 1 / (lmax + lambda) = 1/4; steps = ceil(ln(1/decay) (lmax + lambda) / (lmin + lambda))
        TrainingSchedule s = TrainingSchedule.gradientFlow(3, 1, 1, 0.25); // ln 4 * 4 / 2 = 2.77 -> 3
        assertEquals(TrainingSchedule.Method.GRADIENT_DESCENT, s.method());
        assertEquals(0.25, s.learningRate(), 0.0);
        assertEquals(3, s.maxSteps());
        assertEquals(0.0, s.gradientTolerance(), 0.0);
        assertEquals(6, TrainingSchedule.gradientFlow(3, -0.5, 1, 0.25).maxSteps()); // lmin clipped at 0: 5.55 -> 6
        assertEquals(1, TrainingSchedule.gradientFlow(1, 1, 1, 0.5).maxSteps()); // ln 2 = 0.69 -> 1
        assertThrows(IllegalArgumentException.class, () -> TrainingSchedule.gradientFlow(1e12, 0, 1e-3, 0.5));
        assertThrows(IllegalArgumentException.class, () -> TrainingSchedule.gradientFlow(3, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> TrainingSchedule.gradientFlow(3, 1, 1, 0));
        TrainingSchedule gn = TrainingSchedule.gaussNewton(7, 1e-9);
        assertEquals(TrainingSchedule.Method.GAUSS_NEWTON, gn.method());
        assertEquals(7, gn.maxSteps());
        assertEquals(1e-9, gn.gradientTolerance(), 0.0);
        assertEquals(1, TrainingSchedule.gaussNewton(1, 0).maxSteps()); // the smallest valid settings
        assertThrows(IllegalArgumentException.class, () -> TrainingSchedule.gaussNewton(0, 1e-9));
        assertThrows(IllegalArgumentException.class, () -> TrainingSchedule.gaussNewton(5, -1e-9));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingSchedule(TrainingSchedule.Method.GRADIENT_DESCENT, 0, 5, 0));
        assertEquals(5, new TrainingSchedule(TrainingSchedule.Method.GRADIENT_DESCENT, 1e-300, 5, 0).maxSteps());
    }

    /** Fig. 5 groups against brute force: C(X_I) = sqrt(Y^T M^-1 Y) - sqrt(Y_\I^T M_\I^-1 Y_\I), M = K + lambda I. */
    @Test
    void complexityGroupsMatchBruteForce() {
        DenseMatrix x = NtkTestData.sphere(7, 3, 21);
        double[] y = NtkTestData.targets(x, 22);
        double lambda = 0.2;
        DenseMatrix k = NtkKernel.gram(x);
        NtkInfluence fit = NtkInfluence.fit(k, y, lambda);
        double[] influence = {0.3, -1, 2, 0.1, -0.5, 5, 0};
        // ascending: 1 (-1), 4 (-0.5), 6 (0), 3 (0.1), 0 (0.3), 2 (2), 5 (5); 3 groups of 7: [0,2), [2,4), [4,7)
        int[][] expected = {{1, 4}, {6, 3}, {0, 2, 5}};
        Complexity.Report r = Complexity.byInfluenceGroups(fit, influence, 3, 40, 5);
        double full = quadratic(k, y, lambda, new int[0]);
        assertEquals(Math.sqrt(full), r.rkhsNorm(), 1e-12);
        assertEquals(lambda, r.lambda(), 0.0);
        assertEquals(3, r.groups().size());
        for (int g = 0; g < 3; g++) {
            Complexity.Group grp = r.groups().get(g);
            int[] idx = expected[g];
            double sum = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i : idx) {
                sum += influence[i];
                lo = Math.min(lo, influence[i]);
                hi = Math.max(hi, influence[i]);
            }
            assertEquals(g, grp.group());
            assertEquals(idx.length, grp.size());
            assertEquals(sum / idx.length, grp.meanInfluence(), 1e-15);
            assertEquals(lo, grp.minInfluence(), 0.0);
            assertEquals(hi, grp.maxInfluence(), 0.0);
            double brute = Math.sqrt(full) - Math.sqrt(quadratic(k, y, lambda, idx));
            assertEquals(brute, grp.complexity(), 1e-10, "group " + g);
        }
        // random subsets of size n / groups = 2: their mean lies within the range over all 21 pairs
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < 7; a++) {
            for (int b = a + 1; b < 7; b++) {
                double c = Math.sqrt(full) - Math.sqrt(quadratic(k, y, lambda, new int[] {a, b}));
                min = Math.min(min, c);
                max = Math.max(max, c);
            }
        }
        assertTrue(r.randomMean() >= min - 1e-12 && r.randomMean() <= max + 1e-12, r.toString());
        assertTrue(r.randomStd() > 0 && r.randomStd() <= (max - min), r.toString());
        assertEquals(40, r.randomDraws());
        assertTrue(Double.isNaN(Complexity.byInfluenceGroups(fit, influence, 3, 0, 5).randomMean()));
        assertTrue(Double.isNaN(Complexity.byInfluenceGroups(fit, influence, 3, 1, 5).randomStd()));
        assertEquals(Complexity.byInfluenceGroups(fit, influence, 3, 1, 5).randomMean(),
                Complexity.byInfluenceGroups(fit, influence, 3, 1, 5).randomMean(), 0.0); // seeded
        assertEquals(7, Complexity.byInfluenceGroups(fit, influence, 7, 0, 5).groups().size());
        assertThrows(IllegalArgumentException.class, () -> Complexity.byInfluenceGroups(fit, influence, 8, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> Complexity.byInfluenceGroups(fit, influence, 0, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> Complexity.byInfluenceGroups(fit, new double[6], 2, 0, 5));
    }

    /** Y_\I^T (K + lambda I)_\I^{-1} Y_\I by Gauss-Jordan on the explicit submatrix. */
    static double quadratic(DenseMatrix k, double[] y, double lambda, int[] removed) {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        for (int i : removed) {
            out.add(i);
        }
        int[] keep = java.util.stream.IntStream.range(0, y.length).filter(i -> !out.contains(i)).toArray();
        double[][] m = new double[keep.length][keep.length];
        double[] yk = new double[keep.length];
        for (int a = 0; a < keep.length; a++) {
            yk[a] = y[keep[a]];
            for (int b = 0; b < keep.length; b++) {
                m[a][b] = k.get(keep[a], keep[b]) + (a == b ? lambda : 0);
            }
        }
        double[] sol = NtkInfluenceReferenceTest.mul(NtkInfluenceReferenceTest.invert(m), yk);
        return NtkInfluenceReferenceTest.dot(yk, sol);
    }
}
