package org.exemplar.response;

import java.util.Objects;

import org.exemplar.linalg.Vectors;
import org.exemplar.solver.Lbfgs;
import org.exemplar.solver.LbfgsOptions;
import org.exemplar.solver.OptimizationResult;
import org.exemplar.solver.StationarityMeasure;

/**
 * The optimizers of the response functions: plain mini-batch SGD over a recorded {@link BatchSchedule},
 * theta := theta - lr g_B(theta) for every batch B of every recorded epoch in order (Bae et al. 2022, App. E.2), and
 * L-BFGS to a gradient tolerance on the full-batch objective (the paper's logistic-regression protocol, Sec. 6.1).
 * SGD is deterministic: the same objective, start, schedule and BLAS backend give bit-identical parameters.
 */
public final class ScheduledSgd {
    private ScheduledSgd() {
    }

    /**
     * Runs SGD from {@code start} over every batch of {@code schedule}.
     *
     * @throws ArithmeticException when an iterate becomes non-finite (the learning rate is too large)
     */
    public static OptimizerRun sgd(ResponseObjective objective, double[] start, BatchSchedule schedule,
                                   double learningRate, ResponseListener listener) {
        Objects.requireNonNull(schedule, "schedule");
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        if (start.length != objective.dim()) {
            throw new IllegalArgumentException("start has length " + start.length + ", objective dimension "
                    + objective.dim());
        }
        ResponseListener lis = listener == null ? ResponseListener.NONE : listener;
        long t0 = System.nanoTime();
        double[] theta = start.clone();
        double[] g = new double[theta.length];
        int steps = 0;
        int epochs = schedule.epochCount();
        int batches = schedule.batchesPerEpoch();
        for (int e = 0; e < epochs; e++) {
            for (int b = 0; b < batches; b++) {
                objective.batchGradient(theta, schedule.batch(e, b), g);
                for (int k = 0; k < theta.length; k++) {
                    theta[k] -= learningRate * g[k];
                }
                steps++;
            }
            if (!Double.isFinite(Vectors.norm2(theta))) {
                throw new ArithmeticException("SGD diverged in epoch " + (e + 1) + " of " + epochs + " ("
                        + objective.form() + ", learning rate " + learningRate + " is probably too large)");
            }
            lis.epoch(e + 1, epochs);
        }
        double[] full = new double[theta.length];
        double value = objective.valueAndGradient(theta, full);
        return new OptimizerRun(theta, "sgd", steps, Vectors.norm2(full), value, true,
                (System.nanoTime() - t0) * 1e-9);
    }

    /**
     * Minimizes the full-batch objective from {@code start} by L-BFGS until ||grad|| &lt;= tolerance (absolute: the
     * response objectives' gradients are O(1/N) near theta^s, so a relative rule would stop too early).
     */
    public static OptimizerRun lbfgs(ResponseObjective objective, double[] start, double tolerance, int maxIterations,
                                     ResponseListener listener) {
        ResponseListener lis = listener == null ? ResponseListener.NONE : listener;
        long t0 = System.nanoTime();
        StationarityMeasure absolute = (x, g) -> Vectors.norm2(g);
        OptimizationResult r = new Lbfgs(LbfgsOptions.defaults().withTolerance(tolerance)
                .withMaxIterations(maxIterations)).minimize(objective, start, absolute,
                (it, v, res) -> lis.epoch(it, maxIterations));
        return new OptimizerRun(r.x(), "lbfgs", r.iterations(), r.gradientNorm(), r.value(), r.converged(),
                (System.nanoTime() - t0) * 1e-9);
    }
}
