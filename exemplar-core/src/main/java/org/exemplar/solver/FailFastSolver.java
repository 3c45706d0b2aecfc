package org.exemplar.solver;

import java.util.Map;
import org.exemplar.linalg.DenseMatrix;

/**
 * Wraps a solver so that the first batch of right-hand sides with a solve that did not converge stops the run at
 * once with a {@link NotConvergedException} naming the batch and its largest residual, instead of after every
 * remaining batch: an indefinite Hessian can otherwise cost minutes before the run fails. Results of batches
 * that converge are unchanged: the wrapper only inspects them.
 */
public final class FailFastSolver implements InverseHessianSolver {
    private final InverseHessianSolver inner;
    private final String advice;
    private String phase = "s_test";
    private int solved;

    /** @param advice appended to the error message (e.g. "use --hessian gauss-newton") */
    public FailFastSolver(InverseHessianSolver inner, String advice) {
        this.inner = inner;
        this.advice = advice;
    }

    /** Names the phase (s_test, self-influence) in the message and restarts the right-hand-side count. */
    public void phase(String name) {
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
