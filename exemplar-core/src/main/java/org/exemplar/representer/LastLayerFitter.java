package org.exemplar.representer;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.solver.IterationListener;
import org.exemplar.solver.Lbfgs;
import org.exemplar.solver.LbfgsOptions;
import org.exemplar.solver.NewtonCg;
import org.exemplar.solver.OptimizationResult;

/**
 * Fits the last layer to a stationary point of eq. (3) (targets from labels) or eq. (4) (targets from a given
 * model's logits, started from the given weights), Yeh et al. 2018. L-BFGS with a strong-Wolfe line search
 * runs to the stationarity tolerance; if it stops short, Newton-CG on exact Hessian-vector products finishes.
 * The iteration cap counts L-BFGS and Newton iterations together. A fit that does not reach the tolerance is
 * returned with {@code converged = false} and its residual.
 */
public final class LastLayerFitter {
    private final FitOptions options;

    public LastLayerFitter(FitOptions options) {
        this.options = options;
    }

    /**
     * @param features training features F (n x p), used as given (append a ones column for a bias)
     * @param targets  loss targets (n x c), from {@link Loss#targetsFromLabels} or {@link Loss#targetsFromLogits}
     * @param start    initial Theta (c x p), e.g. the given model's last layer; null for zeros
     */
    public LastLayerFit fit(DenseMatrix features, DenseMatrix targets, Loss loss, DenseMatrix start,
                            IterationListener listener) {
        LastLayerObjective objective = new LastLayerObjective(features, targets, loss, options.lambda());
        return fit(objective, targets.cols(), features.cols(), start, listener);
    }

    /**
     * The same fit on any implementation of eq. (3)'s objective J(Theta) over c x p weights, e.g. a
     * {@link SummedLastLayerObjective} whose data terms a distributed engine sums over its partitions; the
     * stationarity residual is {@link LastLayerObjective#stationarityResidual(double, double[], double[])}.
     */
    public LastLayerFit fit(org.exemplar.solver.TwiceDifferentiableFunction objective, int c, int p, DenseMatrix start,
                            IterationListener listener) {
        long t0 = System.nanoTime();
        if (objective.dim() != c * p) {
            throw new IllegalArgumentException("objective has dimension " + objective.dim() + ", expected " + c
                    + " x " + p);
        }
        double lambda = options.lambda();
        org.exemplar.solver.StationarityMeasure measure =
                (x, g) -> LastLayerObjective.stationarityResidual(lambda, x, g);
        double[] x0;
        if (start == null) {
            x0 = new double[c * p];
        } else {
            if (start.rows() != c || start.cols() != p) {
                throw new IllegalArgumentException("initial last-layer weights have shape " + start.shapeString()
                        + ", expected (" + c + ", " + p + ") = (outputs, features)");
            }
            x0 = start.data().clone();
        }
        LbfgsOptions lo = LbfgsOptions.defaults().withTolerance(options.tolerance())
                .withMaxIterations(options.maxIterations());
        OptimizationResult r = new Lbfgs(lo).minimize(objective, x0, measure, listener);
        String method = "lbfgs";
        int iterations = r.iterations();
        int remaining = options.maxIterations() - r.iterations();
        if (!r.converged() && options.newtonPolish() && remaining > 0) {
            OptimizationResult polished = new NewtonCg(Math.min(100, remaining), options.tolerance())
                    .minimize(objective, r.x(), measure, listener);
            iterations += polished.iterations();
            method = "lbfgs+newton-cg";
            if (polished.residual() <= r.residual()) {
                r = polished;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new LastLayerFit(new DenseMatrix(c, p, r.x()), r.value(), r.residual(), iterations, r.converged(),
                method, r.message(), seconds);
    }
}
