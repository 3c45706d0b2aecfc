package org.exemplar.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.exemplar.attribution.MethodCatalog;
import org.exemplar.attribution.Solver;
import org.exemplar.curvature.FisherKind;
import org.exemplar.curvature.KroneckerFactors;
import org.exemplar.data.DataException;
import org.exemplar.influence.TestFunction;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.exemplar.model.ModelRecipe;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.model.TrainingOptions;
import picocli.CommandLine.Option;

/**
 * The method settings of {@code exemplar attribute} (model, curvature, training of TracInCP / TRAK, top-k) and
 * their translation into the library's {@link MethodCatalog.Spec}, checked before any long work.
 */
final class AttributeMethodOptions {
    @Option(names = "--model", defaultValue = "softmax",
            description = "kfac/ekfac: softmax | logistic (trained here with --l2) | mlp:PATH (an .npz from "
                    + "`exemplar mlp`, used as given) (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--loss", defaultValue = "softmax",
            description = "Loss of an mlp:PATH model and of tracin: softmax | sigmoid (default ${DEFAULT-VALUE}).")
    String lossName;

    @Option(names = "--measure", defaultValue = "loss",
            description = "What is explained at a test point: loss | margin | logit:J (default ${DEFAULT-VALUE}).")
    String measure;

    @Option(names = "--fisher", defaultValue = "sampled",
            description = "kfac/ekfac: sampled (pseudo-labels from the model, --seed) | expected (exact expectation) "
                    + "| empirical (true labels) (default ${DEFAULT-VALUE}).")
    String fisher;

    @Option(names = "--damping", defaultValue = "0.001", description = "kfac/ekfac damping (default ${DEFAULT-VALUE}).")
    double damping;

    @Option(names = "--l2", defaultValue = "0.01", description = "kfac/ekfac with softmax|logistic: L2 of the training "
            + "(default ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--factors", paramLabel = "DIR",
            description = "kfac/ekfac: reuse factors saved by an earlier run (its DIR/factors); refused unless they "
                    + "were fitted on the same model, data, loss, --fisher and --seed.")
    Path factors;

    @Option(names = "--hidden", defaultValue = "", description = "tracin: hidden widths, comma-separated (default: none, "
            + "a linear softmax model).")
    String hidden;

    @Option(names = "--activation", defaultValue = "relu", description = "tracin: hidden activation (default ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--epochs", defaultValue = "10", description = "tracin: SGD epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "0.1", description = "tracin: SGD learning rate, recorded per "
            + "checkpoint (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--batch-size", defaultValue = "32", description = "tracin: SGD batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--checkpoint-every", defaultValue = "1", description = "tracin: epochs between checkpoints "
            + "(default ${DEFAULT-VALUE}; the last epoch is always kept).")
    int checkpointEvery;

    @Option(names = "--last-layer-only", description = "tracin: gradients of the last layer only.")
    boolean lastLayerOnly;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the pseudo-labels (kfac/ekfac sampled) or of "
            + "the initialization and batch order (tracin) (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--top-k", defaultValue = "10", description = "Supporting and opposing training points per test "
            + "point in topk.csv (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--lambda", defaultValue = "0.003", description = "rps: L2 strength lambda of eq. (3), lambda "
            + "||Theta||^2 as in `exemplar rps` (default ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--solver", defaultValue = "exact", description = "influence: exact | cg | lissa | arnoldi "
            + "(library defaults for each solver's settings) (default ${DEFAULT-VALUE}).")
    String solver;

    @Option(names = "--models", defaultValue = "1", description = "trak: models in the ensemble (default "
            + "${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--projection-dim", defaultValue = "512", description = "trak: projection dimension k (default "
            + "${DEFAULT-VALUE}).")
    int projectionDim;

    /** The MLP file of --model mlp:PATH (for the provenance), or null. */
    Path mlpPath() {
        return model.startsWith("mlp:") ? Path.of(model.substring(4)) : null;
    }

    /** The checks that need no input file (run before reading the data). */
    void checkOptions(String method) {
        if (!MethodCatalog.NAMES.contains(method)) {
            throw new IllegalArgumentException("--method must be one of " + String.join(", ", MethodCatalog.NAMES)
                    + ", got " + method);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        if (models < 1 || projectionDim < 1) {
            throw new IllegalArgumentException("--models and --projection-dim must be >= 1, got " + models + " and "
                    + projectionDim);
        }
        solverKind();
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("--lambda must be finite and > 0, got " + lambda);
        }
        TestFunction.parse(measure);
        FisherKind.parse(fisher);
    }

    private Solver solverKind() {
        try {
            return Solver.valueOf(solver.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--solver must be exact, cg, lissa or arnoldi, got " + solver);
        }
    }

    /** The library's settings record for {@code method} on the inputs as read (model files loaded and checked). */
    MethodCatalog.Spec spec(String method, AttributeInputs in, AttributeInputs.Read data) {
        boolean kfac = !method.equals("tracin") && !method.equals("rps") && !method.equals("trak");
        LinearModels.Kind kind = null;
        Mlp mlp = null;
        Loss loss = Loss.named(lossName);
        if (!loss.name().equals("softmax") && !loss.name().equals("sigmoid")) {
            throw new IllegalArgumentException("--loss must be softmax or sigmoid for class labels, got " + lossName);
        }
        if (kfac) {
            if (model.startsWith("mlp:") && method.equals("influence")) {
                throw new IllegalArgumentException("--method influence takes --model softmax or logistic here (use "
                        + "`exemplar influence --model mlp:PATH` for a network)");
            }
            if (model.startsWith("mlp:")) {
                mlp = MlpFiles.load(mlpPath());
                if (mlp.inputWidth() != data.x().cols()) {
                    throw new DataException(in.trainFeatures, "has " + data.x().cols() + " columns but the MLP "
                            + mlpPath() + " expects " + mlp.inputWidth());
                }
            } else {
                kind = switch (model) {
                    case "softmax" -> LinearModels.Kind.SOFTMAX;
                    case "logistic" -> LinearModels.Kind.LOGISTIC;
                    default -> throw new IllegalArgumentException("--model must be softmax, logistic or mlp:PATH, got "
                            + model);
                };
                loss = kind.loss();
            }
        }
        int c = Math.max(2, max(data.y()) + 1);
        if (max(data.yt()) >= c) {
            throw new DataException(in.testLabels, "has label " + max(data.yt()) + " but the training labels have only "
                    + c + " classes");
        }
        if ((kind == LinearModels.Kind.LOGISTIC || loss.name().equals("sigmoid")) && c > 2) {
            throw new DataException(in.trainLabels, "labels must be 0/1 for a logistic/sigmoid model, found " + c
                    + " classes");
        }
        int outputs = mlp != null ? mlp.outputWidth() : loss.outputsForClasses(c);
        if (mlp != null && loss.outputsForClasses(c) > outputs) {
            throw new DataException(in.trainLabels, "has " + c + " classes but the MLP " + mlpPath() + " has "
                    + outputs + " outputs");
        }
        int[] hiddenWidths = parseWidths(hidden);
        Activation act = Activation.fromName(activation);
        TrainingOptions training = kfac || method.equals("rps") ? null : TrainingOptions.sgd(learningRate, 0.0)
                .withEpochs(epochs).withBatchSize(batchSize).withSeed(seed);
        if (!kfac && checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 1, got " + checkpointEvery);
        }
        if (!kfac && epochs < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1 for TracInCP, got " + epochs);
        }
        KroneckerFactors reuse = null;
        if (factors != null) {
            if (!kfac) {
                throw new IllegalArgumentException("--factors applies to kfac and ekfac only");
            }
            reuse = KroneckerFactors.load(factors);
        }
        if (!(damping >= 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("--damping must be finite and >= 0, got " + damping);
        }
        ModelRecipe recipe = method.equals("trak") ? trakRecipe(loss, c, hiddenWidths, act, training) : null;
        return new MethodCatalog.Spec(kind, mlp, recipe, loss, TestFunction.parse(measure), lambda, l2, damping,
                solverKind(), FisherKind.parse(fisher), reuse, hiddenWidths, act, training, checkpointEvery,
                lastLayerOnly, models, projectionDim, seed);
    }

    /** The TRAK training recipe: a linear softmax/logistic model (--l2) without --hidden, else an MLP. */
    private ModelRecipe trakRecipe(Loss loss, int classes, int[] hiddenWidths, Activation act,
                                   TrainingOptions training) {
        if (hiddenWidths.length == 0) {
            LinearModels.Kind k = loss.name().equals("sigmoid") || classes == 2 && model.equals("logistic")
                    ? LinearModels.Kind.LOGISTIC : LinearModels.Kind.SOFTMAX;
            return ModelRecipe.linear(k, l2, TightTrainingOptions.defaults());
        }
        return ModelRecipe.mlp(hiddenWidths, act, training);
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    static int[] parseWidths(String s) {
        if (s == null || s.isBlank()) {
            return new int[0];
        }
        String[] parts = s.split(",");
        int[] w = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            try {
                w[k] = Integer.parseInt(parts[k].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--hidden must be comma-separated widths, got '" + s + "'");
            }
            if (w[k] < 1) {
                throw new IllegalArgumentException("--hidden widths must be >= 1, got '" + s + "'");
            }
        }
        return w;
    }
}
