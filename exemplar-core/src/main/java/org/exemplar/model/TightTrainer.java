package org.exemplar.model;

import org.exemplar.linalg.Vectors;
import org.exemplar.solver.IterationListener;
import org.exemplar.solver.Lbfgs;
import org.exemplar.solver.LbfgsOptions;
import org.exemplar.solver.NewtonCg;
import org.exemplar.solver.OptimizationResult;
import org.exemplar.solver.StationarityMeasure;

/**
 * Full-batch training to a tight optimum, as influence functions and leave-one-out ground truth need (Bae et al.
 * 2022, Sec. 3: the influence estimate assumes theta^s is a stationary point; SPEC section 5: gradient norm
 * &lt;= 1e-10 relative). L-BFGS with a strong-Wolfe line search runs first; if it stops above the tolerance,
 * truncated Newton-CG on exact Hessian-vector products polishes (quadratically convergent near a strict minimum).
 *
 * <p>Stopping rule: ||grad J(theta)|| &lt;= tolerance * scale, scale = max(1, ||grad J(theta_0)||). Leave-one-out
 * retraining passes the base fit's scale so every retrained model meets the same absolute bar.
 */
public final class TightTrainer {
    private final TightTrainingOptions options;

    public TightTrainer(TightTrainingOptions options) {
        this.options = options;
    }

    /** Fits from {@code start} with scale max(1, ||grad J(start)||). */
    public OptimumFit fit(ModelObjective f, double[] start, IterationListener listener) {
        double[] g = new double[f.dim()];
        f.valueAndGradient(start, g);
        return fit(f, start, Math.max(1.0, Vectors.norm2(g)), listener);
    }

    /** Fits from {@code start}, stopping when ||grad J|| &lt;= tolerance * gradientScale. */
    public OptimumFit fit(ModelObjective f, double[] start, double gradientScale, IterationListener listener) {
        if (!(gradientScale > 0)) {
            throw new IllegalArgumentException("gradient scale must be > 0, got " + gradientScale);
        }
        long t0 = System.nanoTime();
        StationarityMeasure measure = (x, grad) -> Vectors.norm2(grad) / gradientScale;
        LbfgsOptions lo = LbfgsOptions.defaults().withTolerance(options.tolerance())
                .withMaxIterations(options.maxLbfgsIterations());
        OptimizationResult r = new Lbfgs(lo).minimize(f, start, measure, listener);
        int lbfgsIt = r.iterations();
        int newtonIt = 0;
        if (!r.converged() && options.maxNewtonIterations() > 0) {
            OptimizationResult p = new NewtonCg(options.maxNewtonIterations(), options.tolerance())
                    .minimize(f, r.x(), measure, listener);
            newtonIt = p.iterations();
            if (p.residual() <= r.residual()) {
                r = p;
            }
        }
        double[] g = new double[f.dim()];
        double value = f.valueAndGradient(r.x(), g);
        double gn = Vectors.norm2(g);
        double rel = gn / gradientScale;
        return new OptimumFit(r.x(), value, gn, gradientScale, rel, lbfgsIt, newtonIt, rel <= options.tolerance(),
                r.message(), (System.nanoTime() - t0) / 1e9);
    }
}
