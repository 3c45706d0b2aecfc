package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.influence.ModelAtOptimum;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainingOptions;

/**
 * The model step of {@code exemplar influence}: the parameters influence is evaluated at (trained, given or from an
 * MLP file, see {@link ModelAtOptimum}), with the progress bar, the log lines, the exit-3 rule and the warnings.
 */
final class InfluenceModelStep {
    /** Relative gradient norm above which an MLP is reported as not at a stationary point. */
    static final double STATIONARY_WARNING = 1e-3;

    private InfluenceModelStep() {
    }

    static ModelAtOptimum setUp(InfluenceCommand c, InfluenceInputs.Read in, TightTrainingOptions training,
                                Curvature curvature, boolean showProgress, PrintWriter log) {
        DenseMatrix x = in.x();
        LinearModels.Kind kind = in.kind();
        Mlp mlp = in.mlp();
        Path mlpPath = in.mlpPath();
        int outputs = in.train().targets().cols();
        TrainingData data = in.data();
        Mlp given = null;
        if (c.lastLayerWeights != null) {
            if (kind == null) {
                throw new IllegalArgumentException("--last-layer-weights applies to --model logistic, softmax or linear "
                        + "(an mlp: file holds its own parameters)");
            }
            given = givenLinearModel(c.lastLayerWeights, outputs, x.cols());
        } else if (c.fineTune) {
            throw new IllegalArgumentException("--fine-tune needs --last-layer-weights");
        }
        if (kind != null) {
            warnAboutOnesColumn(x, log);
        }
        boolean useGiven = given != null && !c.fineTune;
        ModelAtOptimum at;
        if (useGiven) {
            at = ModelAtOptimum.givenLinear(given, data);
        } else if (kind != null) {
            try (Progress bar = Progress.start(showProgress, "train", c.maxIterations, "it")) {
                at = ModelAtOptimum.trainLinear(data, training, given != null ? given.parameters() : null,
                        (it, value, residual) -> {
                            bar.stepTo(it);
                            bar.extra(String.format("rel. gradient %.2e", residual));
                        });
            }
            OptimumFit fit = at.fit();
            if (!c.quiet) {
                log.printf("train: %d L-BFGS + %d Newton-CG iterations, ||grad J|| = %.3e (relative %.3e, %s), %.2f s%n",
                        fit.lbfgsIterations(), fit.newtonIterations(), fit.gradientNorm(), fit.relativeGradientNorm(),
                        fit.converged() ? "converged" : "NOT converged", fit.seconds());
            }
            if (!fit.converged() && !c.allowUnconverged) {
                throw new NotConvergedException("training stopped at relative gradient norm " + fit.relativeGradientNorm()
                        + " > --tolerance " + c.tolerance + " (" + fit.message() + "); raise --max-iterations or --l2, "
                        + "or pass --allow-unconverged");
            }
        } else {
            if (mlp.inputWidth() != x.cols()) {
                throw new DataException(c.inputs.trainFeatures, "has " + x.cols() + " columns but the MLP " + mlpPath + " expects "
                        + mlp.inputWidth());
            }
            at = ModelAtOptimum.savedMlp(mlp, data, c.seed);
        }
                double relGradNorm = at.relativeGradientNorm();
        if (useGiven && !c.quiet) {
            log.printf(Locale.ROOT, "model: parameters from %s as given (not trained), ||grad J|| = %.3e (relative %.3e)%n",
                    c.lastLayerWeights, at.gradientNorm(), relGradNorm);
        }
        if ((mlp != null || useGiven) && relGradNorm > STATIONARY_WARNING) {
            // said up front (issue 15, item 5): the derivation assumes an optimum, and CG on an indefinite Hessian
            // can run for minutes before failing
            log.printf(Locale.ROOT, "warning: %s is not at a stationary point of J (relative gradient norm %.3g > %.0e): "
                    + "influence functions assume one%s%n", mlp != null ? mlpPath : c.lastLayerWeights, relGradNorm,
                    STATIONARY_WARNING,
                    curvature == Curvature.HESSIAN ? "; the full Hessian there may be indefinite, so an iterative solver "
                    + "may not converge: --hessian gauss-newton (positive semi-definite) is the usual remedy" : "");
        }
        return at;
    }

    /** A linear model from W.npy of shape (outputs, d + 1): weight, then the bias as the last column. */
    private static Mlp givenLinearModel(Path file, int outputs, int d) {
        DenseMatrix w = Validation.requireFinite(Npy.read(file).toMatrix(), file, "last-layer weights");
        if (w.rows() != outputs || w.cols() != d + 1) {
            throw new DataException(file, "has shape " + w.shapeString() + ", expected (" + outputs + ", " + (d + 1)
                    + ") = (outputs, features + 1): the weight with the bias as last column, for features without a "
                    + "ones column");
        }
        return LinearModels.fromTheta(w);
    }

    /** Linear models have their own bias: a constant-1 feature column would be a second one (issue 15, item 6). */
    private static void warnAboutOnesColumn(DenseMatrix x, PrintWriter log) {
        int j = Validation.constantOneColumn(x);
        if (j >= 0) {
            log.printf("warning: feature column %d is constant 1; linear models here have their own bias, so this "
                    + "adds a second, penalized one: drop the ones column (and give the bias as the last column of "
                    + "--last-layer-weights)%n", j);
        }
    }
}
