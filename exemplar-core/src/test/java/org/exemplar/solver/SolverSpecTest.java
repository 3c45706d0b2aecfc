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

    @Test
    void theAutomaticScaleIsOneFunctionThatEveryLissaBuilderUses() {
        // diag(1, 3, 10): largest eigenvalue 10 by hand, so sigma = 15; power iteration error ~ (3/10)^100
        DenseMatrix a = DenseMatrix.fromRows(new double[][] {{1, 0, 0}, {0, 3, 0}, {0, 0, 10}});
        assertEquals(15.0, SolverSpec.automaticLissaScale(CurvatureOperator.of(a), 3L, "x"), 1e-9);
        // the response package's solver choice (pbrf) resolves its automatic (NaN) scale through the same function
        InverseHessianSolver pbrf = org.exemplar.response.SolverChoice.of(
                org.exemplar.response.SolverChoice.Kind.LISSA, 3L).create(CurvatureOperator.of(a));
        assertEquals(15.0, ((Number) pbrf.settings().get("scale")).doubleValue(), 1e-9);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> SolverSpec.automaticLissaScale(
                CurvatureOperator.of(DenseMatrix.fromRows(new double[][] {{-2, 0}, {0, 1}})), 3L, "add damping"));
        assertTrue(e.getMessage().contains("add damping") && e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void failFastStopsAtTheFirstUnconvergedBatchWithTheSolversOwnAdvice() {
        // an ill-conditioned SPD system (eigenvalues 1e-6 .. 1): one CG iteration cannot reach 1e-10
        DenseMatrix a = DenseMatrix.fromRows(new double[][] {{1, 0, 0}, {0, 1e-3, 0}, {0, 0, 1e-6}});
        SolverSpec cg = new SolverSpec("cg", 1e-10, 1, 100, 1, null, 2, 1e-2, 10, 3, 7L);
        FailFastSolver ff = cg.failFast(cg.build(() -> null).solver(), true);
        ff.phase("self-influence");
        InverseHessianSolver.Prepared p = ff.prepare(CurvatureOperator.of(a));
        DenseMatrix rhs = DenseMatrix.fromRows(new double[][] {{1, 1, 1}});
        NotConvergedException e = assertThrows(NotConvergedException.class, () -> p.solve(rhs));
        assertTrue(e.getMessage().startsWith("self-influence:"), e.getMessage());
        assertTrue(e.getMessage().contains("Raise --cg-max-iterations or --damping, use --hessian gauss-newton"),
                e.getMessage());
        // a converging solve passes through unchanged: the exact solution of the diagonal system
        SolverSpec exact = new SolverSpec("exact", 1e-10, 1, 100, 1, null, 2, 1e-2, 10, 3, 7L);
        DenseMatrix x = exact.failFast(new ExactSolver(), false).prepare(CurvatureOperator.of(a)).solve(rhs).solutions();
        assertEquals(1e6, x.get(0, 2), 1e-3);
        assertEquals("Raise --lissa-depth, --lissa-repeats or --lissa-batch-size, or loosen --lissa-tolerance",
                spec("lissa", null).nonConvergenceAdvice(false));
    }
}
