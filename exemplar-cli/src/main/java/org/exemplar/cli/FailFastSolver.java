package org.exemplar.cli;

import java.util.Map;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.solver.BatchSolveResult;
import org.exemplar.solver.CurvatureOperator;
import org.exemplar.solver.InverseHessianSolver;

/**
 * Wraps a solver so that the first batch of right-hand sides with a solve that did not converge stops the run at
 * once with its residual (exit 3), instead of after every remaining batch (issue 15, item 5). Results of batches
 * that converge are unchanged: the wrapper only inspects them.
 */
final class FailFastSolver implements InverseHessianSolver {
    private final InverseHessianSolver inner;
    private final String advice;
    private String phase = "s_test";
    private int solved;

    /** @param advice appended to the error message (e.g. "use --hessian gauss-newton") */
    FailFastSolver(InverseHessianSolver inner, String advice) {
        this.inner = inner;
        this.advice = advice;
    }

    /** Names the phase (s_test, self-influence) in the message and restarts the right-hand-side count. */
    void phase(String name) {
        phase = name;
        solved = 0;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Map<String, Object> settings() {
        return inner.settings();
    }

    @Override
    public Prepared prepare(CurvatureOperator a) {
        Prepared p = inner.prepare(a);
        return new Prepared() {
            @Override
            public BatchSolveResult solve(DenseMatrix rhs) {
                BatchSolveResult r = p.solve(rhs);
                int first = solved;
                solved += rhs.rows();
                if (!r.allConverged()) {
                    throw new NotConvergedException(String.format(
                            "%s: %d of %d inverse-Hessian solves in the batch of right-hand sides %d..%d did not "
                                    + "converge (largest relative residual %.4g; %s); stopped after this first failed "
                                    + "batch. %s, or pass --allow-unconverged",
                            phase, r.notConvergedCount(), rhs.rows(), first, solved - 1, r.maxRelativeResidual(),
                            r.diagnostics(), advice));
                }
                return r;
            }

            @Override
            public Map<String, Object> diagnostics() {
                return p.diagnostics();
            }
        };
    }
}
