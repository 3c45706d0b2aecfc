package org.exemplar.ntk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class ComplexityAndNormalizationTest {

    /** The block-inverse shortcut equals eq. (19) computed by refactoring K without the group. */
    @Test
    void complexityMatchesDirectRefit() {
        DenseMatrix x = NtkTestData.sphere(30, 5, 21);
        double[] y = NtkTestData.targets(x, 22);
        double lambda = 0.2;
        DenseMatrix k = NtkKernel.gram(x);
        NtkInfluence fit = NtkInfluence.fit(k, y, lambda);
        int[] group = {3, 7, 8, 15, 29};
        int[] rest = java.util.stream.IntStream.range(0, 30).filter(i -> java.util.Arrays.binarySearch(group, i) < 0)
                .toArray();
        DenseMatrix m = k.selectRows(rest).transpose().selectRows(rest);
        for (int i = 0; i < rest.length; i++) {
            m.add(i, i, lambda);
        }
        double[] yr = new double[rest.length];
        for (int i = 0; i < rest.length; i++) {
            yr[i] = y[rest[i]];
        }
        double qRest = NtkInfluenceTest.dot(yr, Cholesky.factorize(m).solve(yr));
        double qFull = NtkInfluenceTest.dot(y, fit.beta());
        // Both routes are backward stable solves of a system with condition number < 1e3: 1e-10.
        assertEquals(Math.sqrt(qFull) - Math.sqrt(qRest), Complexity.of(fit, group), 1e-10);
    }

    @Test
    void groupsCoverTheTrainingSetInInfluenceOrder() {
        DenseMatrix x = NtkTestData.sphere(53, 5, 23);
        double[] y = NtkTestData.targets(x, 24);
        NtkInfluence fit = NtkInfluence.fit(NtkKernel.gram(x), y, 0.1);
        InfluenceScores s = fit.score(NtkKernel.matrix(NtkTestData.sphere(7, 5, 25), x),
                NtkTestData.targets(NtkTestData.sphere(7, 5, 25), 26));
        Complexity.Report r = Complexity.byInfluenceGroups(fit, s.meanOverTestPoints(), 10, 5, 1);
        assertEquals(10, r.groups().size());
        assertEquals(53, r.groups().stream().mapToInt(Complexity.Group::size).sum());
        for (int g = 1; g < 10; g++) {
            assertTrue(r.groups().get(g).minInfluence() >= r.groups().get(g - 1).maxInfluence());
        }
        for (Complexity.Group g : r.groups()) {
            assertTrue(g.complexity() > 0 && g.complexity() <= r.rkhsNorm(), g.toString());
        }
    }

    @Test
    void normalizationRoundTrips() {
        DenseMatrix x = DenseMatrix.fromRows(new double[][] {{3, 4}, {-1, 0}, {0.5, 0.5}});
        UnitSphere u = UnitSphere.fit(x);
        DenseMatrix n = u.apply(x);
        assertEquals(-1, UnitSphere.firstRowOffSphere(n, 1e-12));
        assertEquals(0, UnitSphere.firstRowOffSphere(x, 1e-12));
        assertArrayEquals(x.data(), u.invert(n).data(), 1e-15);
        double[] y = {2, 5, 8, 3.5};
        TargetScaling t = TargetScaling.fit(y);
        double[] s = t.apply(y);
        assertArrayEquals(new double[] {-1, 0, 1, -0.5}, s, 1e-15);
        assertArrayEquals(y, t.invert(s), 1e-15);
        assertEquals(9.0, t.influenceToOriginalUnits(1.0), 0.0);
        assertEquals(1, TargetScaling.firstOutsideUnitInterval(new double[] {0.5, -1.5}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> UnitSphere.fit(DenseMatrix.fromRows(new double[][] {{1, 0}, {0, 0}})));
        assertEquals(1.0, TargetScaling.fit(new double[] {2, 2}).halfRange(), 0.0);
    }
}
