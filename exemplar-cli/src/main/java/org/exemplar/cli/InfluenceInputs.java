package org.exemplar.cli;

import java.nio.file.Path;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.influence.LabelTargets;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import picocli.CommandLine.Option;

/** The model and data options of {@code exemplar influence}, read and checked before any long work. */
final class InfluenceInputs {
    @Option(names = "--model", required = true, paramLabel = "KIND",
            description = "logistic | softmax | linear | mlp:PATH (an .npz from `exemplar mlp`).")
    String model;

    @Option(names = "--loss", description = "Loss of an mlp:PATH model: softmax | sigmoid | squared (default softmax).")
    String mlpLoss;

    @Option(names = "--train-features", required = true, paramLabel = "X.npy", description = "Training inputs, shape (n, d).")
    Path trainFeatures;

    @Option(names = "--train-labels", required = true, paramLabel = "y.npy",
            description = "Training labels (n,): integers for classification, real targets (n,) or (n, k) for --model linear.")
    Path trainLabels;

    @Option(names = "--test-features", required = true, paramLabel = "Xt.npy", description = "Test inputs, shape (n_test, d).")
    Path testFeatures;

    @Option(names = "--test-labels", required = true, paramLabel = "yt.npy", description = "Test labels or targets, as for training.")
    Path testLabels;

    @Option(names = "--classes", description = "Number of classes for softmax (default: max label + 1 over train and test).")
    Integer classes;

    /** The inputs as read: features, the model family (a linear kind, or an MLP file), loss and targets. */
    record Read(DenseMatrix x, DenseMatrix xt, LinearModels.Kind kind, Mlp mlp, Path mlpPath, Loss loss,
                LabelTargets train, LabelTargets test, TrainingData data) {
    }

    /** Reads and checks the inputs; {@code l2} is the strength of the objective's penalty. */
    Read read(double l2) {
        DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training features");
        DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test features");
        if (x.rows() == 0) {
            throw new DataException(trainFeatures, "has 0 rows; at least one training point is needed");
        }
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has " + x.cols());
        }

        LinearModels.Kind kind = null;
        Mlp mlp = null;
        Path mlpPath = null;
        Loss loss;
        if (model.startsWith("mlp:")) {
            mlpPath = Path.of(model.substring(4));
            mlp = MlpFiles.load(mlpPath);
            loss = Loss.named(mlpLoss == null ? "softmax" : mlpLoss);
        } else {
            kind = switch (model) {
                case "logistic" -> LinearModels.Kind.LOGISTIC;
                case "softmax" -> LinearModels.Kind.SOFTMAX;
                case "linear" -> LinearModels.Kind.LINEAR;
                default -> throw new IllegalArgumentException("--model must be logistic, softmax, linear or mlp:PATH, got "
                        + model);
            };
            if (mlpLoss != null) {
                throw new IllegalArgumentException("--loss applies to mlp:PATH models only (" + model + " uses "
                        + kind.loss().name() + ")");
            }
            loss = kind.loss();
        }
        LabelTargets train = targets(trainLabels, x.rows(), trainFeatures, loss, mlp, kind, null);
        LabelTargets test = targets(testLabels, xt.rows(), testFeatures, loss, mlp, kind, train);
        int outputs = train.targets().cols();
        if (test.targets().cols() != outputs) {
            throw new DataException(testLabels, "gives " + test.targets().cols() + " outputs but the training labels give "
                    + outputs);
        }
        TrainingData data = new TrainingData(x, train.targets(), loss, l2);
        return new Read(x, xt, kind, mlp, mlpPath, loss, train, test, data);
    }

    private LabelTargets targets(Path file, int rows, Path featuresFile, Loss loss, Mlp mlp, LinearModels.Kind kind,
                                 LabelTargets trainTargets) {
        boolean regression = kind == LinearModels.Kind.LINEAR || (kind == null && loss.name().equals("squared"));
        return LabelTargets.read(Npy.read(file), file, rows, featuresFile, loss, regression,
                mlp == null ? null : mlp.outputWidth(), classes, trainTargets);
    }
}
