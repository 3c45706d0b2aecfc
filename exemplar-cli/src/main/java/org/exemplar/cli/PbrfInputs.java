package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.influence.LabelTargets;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.response.PbrfSettings;
import org.exemplar.response.ResponseSettings;
import org.exemplar.response.SolverChoice;
import org.exemplar.response.TestLossTarget;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options shared by {@code exemplar pbrf} and {@code exemplar pbrf sweep}, and their translation into the
 * library's settings records and data. Every check runs before any training.
 */
final class PbrfInputs {
    @Option(names = "--model", paramLabel = "KIND",
            description = "logistic | softmax | linear | mlp:W1,W2,... (hidden widths, built and trained here) | "
                    + "mlp:PATH (a network from `exemplar mlp`, trained here from its saved parameters).")
    String model;

    @Option(names = "--loss", description = "Loss of an MLP: softmax | sigmoid | squared (default softmax).")
    String mlpLoss;

    @Option(names = "--activation", defaultValue = "relu",
            description = "Hidden activation of mlp:WIDTHS: relu | tanh | sigmoid | softplus (default ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--train-features", paramLabel = "X.npy", description = "Training inputs, shape (n, d).")
    Path trainFeatures;

    @Option(names = "--train-labels", paramLabel = "y.npy",
            description = "Training labels (n,): integers for softmax/sigmoid, real targets (n,) or (n, k) for squared loss.")
    Path trainLabels;

    @Option(names = "--test-features", paramLabel = "Xt.npy", description = "Test inputs, shape (n_test, d).")
    Path testFeatures;

    @Option(names = "--test-labels", paramLabel = "yt.npy", description = "Test labels or targets, as for training.")
    Path testLabels;

    @Option(names = "--classes", description = "Number of classes for softmax (default: max label + 1 over train and test).")
    Integer classes;

    @Option(names = "--optimizer", description = "sgd | lbfgs (default: lbfgs for logistic/softmax/linear, as the "
            + "paper's logistic regression; sgd for MLPs).")
    String optimizer;

    @Option(names = "--epochs", description = "K, base SGD epochs; responses run K/2, cold-start K + K/2 (required with sgd).")
    Integer epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "SGD mini-batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.1", description = "Base SGD learning rate; responses use lr/10 (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--l2", description = "Weight decay of J on every parameter (default 0.01 for linear models, 0 for MLPs).")
    Double l2;

    @Option(names = "--damping", defaultValue = "0.001", description = "lambda of the proximal terms and of G + lambda I (default ${DEFAULT-VALUE}).")
    double damping;

    @Option(names = "--points", defaultValue = "20", description = "P, random training points removed one at a time (default ${DEFAULT-VALUE}).")
    int points;

    @Option(names = "--removed-fraction", defaultValue = "0",
            description = "Remove random groups of this fraction of the training set instead of single points (default ${DEFAULT-VALUE}).")
    double removedFraction;

    @Option(names = "--solver", defaultValue = "lissa",
            description = "Influence solver(s), comma-separated: lissa | cg | exact; the first gives the solver gap (default ${DEFAULT-VALUE}).")
    String solvers;

    @CommandLine.Mixin
    SolverOptions solverOptions = new SolverOptions(1000);

    @Option(names = "--tolerance", defaultValue = "1e-10", description = "L-BFGS: stop at ||grad|| <= tol (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--max-iterations", defaultValue = "5000", description = "L-BFGS iteration cap per run (default ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--test-point", description = "Correlate the loss of this one test row (default: the mean loss over the test set).")
    Integer testPoint;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the batch order, the network initialization, "
            + "the removed points and LiSSA (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--allow-unconverged", description = "Write results even when an L-BFGS run or an influence solve "
            + "stops above its tolerance (reported); otherwise exit 3.")
    boolean allowUnconverged;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (written all-or-nothing).")
    Path out;

    @Option(names = "--progress", description = "Show progress bars even when stderr is not a terminal.")
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    /** What {@link #load} builds. */
    record Problem(Function<int[], DifferentiableModel> architecture, int[] hidden, DifferentiableModel initial,
                   String modelName, TrainingData train, DenseMatrix testX, DenseMatrix testT, PbrfSettings settings,
                   Map<String, Path> inputs) {
    }

    Problem load(PrintWriter log) {
        require(model, "--model");
        require(trainFeatures, "--train-features");
        require(trainLabels, "--train-labels");
        require(testFeatures, "--test-features");
        require(testLabels, "--test-labels");
        require(out, "--out");
        boolean linear = !model.startsWith("mlp:");
        LinearModels.Kind kind = null;
        Loss loss;
        if (linear) {
            kind = switch (model) {
                case "logistic" -> LinearModels.Kind.LOGISTIC;
                case "softmax" -> LinearModels.Kind.SOFTMAX;
                case "linear" -> LinearModels.Kind.LINEAR;
                default -> throw new IllegalArgumentException("--model must be logistic, softmax, linear, mlp:WIDTHS "
                        + "or mlp:PATH, got " + model);
            };
            if (mlpLoss != null) {
                throw new IllegalArgumentException("--loss applies to MLPs only (" + model + " uses "
                        + kind.loss().name() + ")");
            }
            loss = kind.loss();
        } else {
            loss = Loss.named(mlpLoss == null ? "softmax" : mlpLoss);
        }
        ResponseSettings.Optimizer opt = optimizer == null
                ? (linear ? ResponseSettings.Optimizer.LBFGS : ResponseSettings.Optimizer.SGD)
                : switch (optimizer) {
                    case "sgd" -> ResponseSettings.Optimizer.SGD;
                    case "lbfgs" -> ResponseSettings.Optimizer.LBFGS;
                    default -> throw new IllegalArgumentException("--optimizer must be sgd or lbfgs, got " + optimizer);
                };
        if (opt == ResponseSettings.Optimizer.SGD && epochs == null) {
            throw new IllegalArgumentException("--epochs is required with the sgd optimizer");
        }
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        }
        double l2v = l2 != null ? l2 : (linear ? 0.01 : 0.0);
        ResponseSettings rs = opt == ResponseSettings.Optimizer.SGD
                ? ResponseSettings.sgd(epochs, batchSize, lr, l2v, damping, seed)
                : new ResponseSettings(ResponseSettings.Optimizer.LBFGS, 0, batchSize, lr, l2v, damping, 0, 0.1, 0,
                tolerance, maxIterations, seed);
        List<SolverChoice> choices = new ArrayList<>();
        for (String s : solvers.split(",")) {
            choices.add(solverOptions.choice(SolverChoice.Kind.parse(s), seed));
        }
        TestLossTarget target = testPoint == null ? TestLossTarget.mean() : TestLossTarget.point(testPoint);
        PbrfSettings settings = new PbrfSettings(rs, points, removedFraction, seed, target, choices);

        DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training features");
        DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test features");
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has " + x.cols());
        }
        if (removedFraction == 0 && points > x.rows()) {
            throw new IllegalArgumentException("--points " + points + " exceeds the " + x.rows() + " training points");
        }
        if (testPoint != null && testPoint >= xt.rows()) {
            throw new IllegalArgumentException("--test-point " + testPoint + " outside [0, " + xt.rows() + ")");
        }
        PbrfData.Network net = linear ? PbrfData.Network.NONE
                : PbrfData.network(model.substring(4), activation, x.cols(), trainFeatures);
        Mlp saved = net.saved();
        Path mlpPath = net.mlpPath();
        int[] hidden = net.hidden();
        Activation act = net.activation();
        Integer outputsHint = saved != null ? saved.outputWidth() : null;
        boolean regression = loss.name().equals("squared");
        LabelTargets trainTargets = LabelTargets.read(Npy.read(trainLabels), trainLabels, x.rows(), trainFeatures, loss,
                regression, outputsHint, classes, null);
        DenseMatrix t = trainTargets.targets();
        DenseMatrix tt = LabelTargets.read(Npy.read(testLabels), testLabels, xt.rows(), testFeatures, loss, regression,
                outputsHint, classes, trainTargets).targets();
        if (tt.cols() != t.cols()) {
            throw new DataException(testLabels, "gives " + tt.cols() + " outputs but the training labels give " + t.cols());
        }
        int d = x.cols();
        int c = t.cols();
        Function<int[], DifferentiableModel> architecture;
        String name;
        if (linear) {
            architecture = h -> LinearModels.zeros(d, c);
            name = kind.externalName();
        } else if (saved != null) {
            Mlp s = saved;
            architecture = h -> s.copy();
            name = "mlp:" + mlpPath;
        } else {
            Activation a = act;
            architecture = h -> Mlp.initialize(d, h, a, c, seed);
            name = "mlp:" + PbrfData.spec(hidden);
        }
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("train_features", trainFeatures);
        inputs.put("train_labels", trainLabels);
        inputs.put("test_features", testFeatures);
        inputs.put("test_labels", testLabels);
        if (mlpPath != null) {
            inputs.put("mlp", mlpPath);
        }
        TrainingData train = new TrainingData(x, t, loss, l2v);
        DifferentiableModel initial = architecture.apply(hidden);
        if (!quiet) {
            log.printf("pbrf: %s, %d parameters, %d training / %d test points, loss %s, %s%n", name,
                    initial.parameterCount(), x.rows(), xt.rows(), loss.name(), opt.externalName());
        }
        return new Problem(architecture, hidden, initial, name, train, xt, tt, settings, inputs);
    }

    private static void require(Object v, String option) {
        if (v == null) {
            throw new IllegalArgumentException("missing required option " + option);
        }
    }

    /** The settings as they go into summary.json. */
    Map<String, Object> settingsMap(Problem p) {
        return PbrfOutputs.settings(p, activation, solvers, seed);
    }
}
