package org.exemplar.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/** Solver choice by name and LiSSA's automatic scale against hand-known eigenvalues. */
class SolverSpecTest {
    private static SolverSpec spec(String name, Double lissaScale) {
        return new SolverSpec(name, 1e-10, 1000, 100, 1, lissaScale, 2, 1e-2, 10, 3, 7L);
    }

    @Test
    void automaticLissaScaleIsOneAndAHalfTimesTheLargestEigenvalue() {
        // symmetric with eigenvalues 1, 2 (the 2 x 2 block [[1.5, .5], [.5, 1.5]]: 1.5 -+ 0.5) and 4
        DenseMatrix a = DenseMatrix.fromRows(new double[][] {{1.5, 0.5, 0}, {0.5, 1.5, 0}, {0, 0, 4}});
        SolverSpec.Built b = spec("lissa", null).build(() -> CurvatureOperator.of(a));
        assertInstanceOf(Lissa.class, b.solver());
        // 50 power iterations at ratio 2/4: error ~ 0.5^100
        assertEquals(6.0, b.automaticLissaScale(), 1e-9);
    }

    @Test
    void aGivenScaleIsUsedAndTheOperatorIsNotTouched() {
        SolverSpec.Built b = spec("LiSSA", 10.0).build(() -> {
            throw new AssertionError("the operator is needed only for the automatic scale");
        });
        assertInstanceOf(Lissa.class, b.solver());
        assertNull(b.automaticLissaScale());
    }

    @Test
    void aNegativeLargestEigenvalueIsRefusedWithTheRemedy() {
        DenseMatrix a = DenseMatrix.fromRows(new double[][] {{-3, 0}, {0, -1}});
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> spec("lissa", null).build(() -> CurvatureOperator.of(a)));
        assertTrue(e.getMessage().contains("--damping"), e.getMessage());
    }

    @Test
    void namesMapToTheirSolversAndAnUnknownNameIsRefused() {
        assertInstanceOf(ExactSolver.class, spec("exact", null).build(() -> null).solver());
        assertInstanceOf(ConjugateGradientSolver.class, spec("cg", null).build(() -> null).solver());
        assertInstanceOf(Arnoldi.class, spec("arnoldi", null).build(() -> null).solver());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec("newton", null));
        assertTrue(e.getMessage().contains("newton") && e.getMessage().contains("arnoldi"), e.getMessage());
    }
}
