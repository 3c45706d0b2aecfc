package org.exemplar.influence;

import org.exemplar.linalg.Vectors;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelObjective;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainer;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.IterationListener;

/**
 * The parameters influence functions are evaluated at, with the stationarity facts that qualify them: Koh &amp;
 * Liang (2017, eq. 1-2) assume theta minimizes J(theta) = (1/n) sum_i L(z_i, theta) + (l2/2) ||theta||^2, so
 * ||grad J(theta)|| is reported relative to max(1, ||grad J(theta_0)||) at the initialization theta_0.
 *
 * @param initial              the initialization (zeros for linear models; the seeded initialization of an MLP);
 *                             leave-one-out cold starts begin there
 * @param trained              the parameters used
 * @param fit                  the training run, or null when the parameters were given
 * @param gradientScale        max(1, ||grad J(theta_0)||)
 * @param gradientNorm         ||grad J(trained)||
 */
public record ModelAtOptimum(DifferentiableModel initial, DifferentiableModel trained, OptimumFit fit,
                             double gradientScale, double gradientNorm) {

    /** ||grad J(trained)|| / gradientScale. */
    public double relativeGradientNorm() {
        return gradientNorm / gradientScale;
    }

    /** Whether training ran and stopped above its tolerance. */
    public boolean trainingFailed() {
        return fit != null && !fit.converged();
    }

    /**
     * A linear model (c outputs, d features, its own penalized bias) trained from {@code start} (null: zeros) to
     * ||grad J|| &lt;= tolerance * max(1, ||grad J(0)||) with {@link TightTrainer}. When the fit does not converge
     * the result holds the last iterate; the caller decides (see {@link #trainingFailed()}).
     */
    public static ModelAtOptimum trainLinear(TrainingData data, TightTrainingOptions training, double[] start,
                                             IterationListener listener) {
        Mlp initial = LinearModels.zeros(data.features().cols(), data.targets().cols());
        OptimumFit fit = new TightTrainer(training).fit(new ModelObjective(initial, data.features(), data.targets(),
                data.loss(), data.l2()), start != null ? start : initial.parameters(), listener);
        DifferentiableModel trained = initial.copy();
        trained.setParameters(fit.theta());
        return new ModelAtOptimum(initial, trained, fit, fit.gradientScale(), gradientNorm(trained, data));
    }

    /** A linear model used at the given parameters (not trained); the scale is that of the zero initialization. */
    public static ModelAtOptimum givenLinear(Mlp given, TrainingData data) {
        Mlp initial = LinearModels.zeros(data.features().cols(), data.targets().cols());
        return new ModelAtOptimum(initial, given, null, scale(initial, data), gradientNorm(given, data));
    }

    /** An MLP used at its saved parameters; the scale and the cold-start initialization come from {@code seed}. */
    public static ModelAtOptimum savedMlp(Mlp mlp, TrainingData data, long seed) {
        Mlp initial = Mlp.initialize(mlp.widths(), mlp.activations(), seed);
        return new ModelAtOptimum(initial, mlp, null, scale(initial, data), gradientNorm(mlp, data));
    }

    private static double scale(DifferentiableModel initial, TrainingData data) {
        return Math.max(1.0, gradientNorm(initial, data));
    }

    private static double gradientNorm(DifferentiableModel m, TrainingData data) {
        return Vectors.norm2(m.gradient(data.features(), data.targets(), data.loss(), data.l2()));
    }
}
