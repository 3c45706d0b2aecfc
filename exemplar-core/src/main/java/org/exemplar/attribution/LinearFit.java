package org.exemplar.attribution;

import org.exemplar.influence.ModelAtOptimum;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainingOptions;

/**
 * The linear model that an attributor built from a model kind trains for itself: (1/n) sum_i L + (l2/2) ||theta||^2
 * minimized from zeros to the tight stopping rule ({@link ModelAtOptimum#trainLinear}), with the loss targets of
 * the examples and the fit's diagnostics. Shared by the influence and K-FAC builders.
 *
 * @param model       the trained linear model
 * @param targets     the loss targets of the training examples
 * @param diagnostics relative gradient norm and convergence of the fit
 */
record LinearFit(Mlp model, DenseMatrix targets, TrustDiagnostics diagnostics) {

    static LinearFit train(LinearModels.Kind kind, Examples train, Loss loss, double l2,
                           TightTrainingOptions training) {
        int outputs = switch (kind) {
            case LOGISTIC -> 1;
            case SOFTMAX -> train.classes();
            case LINEAR -> train.targets() == null ? 1 : train.targets().cols();
        };
        DenseMatrix targets = train.lossTargets(loss, outputs);
        ModelAtOptimum m = ModelAtOptimum.trainLinear(new TrainingData(train.features(), targets, loss, l2), training,
                null, null);
        OptimumFit fit = m.fit();
        return new LinearFit((Mlp) m.trained(), targets, TrustDiagnostics.ofFit(fit.relativeGradientNorm(),
                fit.converged(), fit.converged() ? null : "training did not converge: " + fit.message()));
    }
}
