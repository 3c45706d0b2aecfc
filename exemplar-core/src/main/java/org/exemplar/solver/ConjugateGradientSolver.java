package org.exemplar.solver;

import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.linalg.DenseMatrix;

/**
 * Inverse-Hessian-vector products by conjugate gradient on (H + damping I) x = b (Bae et al. 2022, App. D;
 * Martens 2010), one curvature-vector product per iteration. Stops when ||r|| &lt;= relativeTolerance ||b|| or
 * after maxIterations; a solve that stops early, or meets non-positive curvature d^T A d &lt;= 0 (A not positive
 * definite), is reported with {@code converged = false} and its true residual.
 */
public final class ConjugateGradientSolver implements InverseHessianSolver {
    private final double relativeTolerance;
    private final int maxIterations;

    public ConjugateGradientSolver(double relativeTolerance, int maxIterations) {
        new ConjugateGradient(relativeTolerance, maxIterations); // validates
        this.relativeTolerance = relativeTolerance;
        this.maxIterations = maxIterations;
    }

    @Override
    public String name() {
        return "cg";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("relative_tolerance", relativeTolerance);
        s.put("max_iterations", maxIterations);
        return s;
    }

    @Override
    public Prepared prepare(CurvatureOperator a) {
        ConjugateGradient cg = new ConjugateGradient(relativeTolerance, maxIterations);
        return rhs -> {
            InverseHessianSolver.checkRhs(a, rhs);
            int k = rhs.rows();
            int p = a.dim();
            DenseMatrix x = new DenseMatrix(k, p);
            int[] its = new int[k];
            boolean[] ok = new boolean[k];
            for (int r = 0; r < k; r++) {
                SolveResult s = cg.solve(a, rhs.row(r));
                System.arraycopy(s.x(), 0, x.data(), r * p, p);
                its[r] = s.iterations();
                ok[r] = s.converged();
            }
            double[] abs = new double[k];
            double[] rel = new double[k];
            BatchSolveResult.trueResiduals(a, rhs, x, abs, rel);
            int bad = 0;
            for (boolean b : ok) {
                bad += b ? 0 : 1;
            }
            return new BatchSolveResult(x, its, abs, rel, ok, bad == 0 ? "converged"
                    : bad + " of " + k + " solves stopped above the tolerance " + relativeTolerance
                    + " (iteration cap " + maxIterations + " or non-positive curvature)");
        };
    }
}
