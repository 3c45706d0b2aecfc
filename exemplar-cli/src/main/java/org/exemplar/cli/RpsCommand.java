package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyRowWriter;
import org.exemplar.data.Validation;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.Fidelity;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoint;
import org.exemplar.representer.RepresenterPoints;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code exemplar rps}: representer points from feature files (Yeh et al. 2018). */
@Command(name = "rps", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Representer points for a model given by its last-layer features (Yeh et al. 2018).",
            "Fits the last layer to a stationary point of (1/n) sum_i L(y_i, Theta f_i) + lambda ||Theta||^2 "
                + "(eq. 3, on the labels) or, with --teacher-logits, of the same objective against a trained "
                + "model's outputs (eq. 4), then decomposes every test prediction into representer values "
                + "k(x_t, x_i) = alpha_i f_i^T f_t.",
            "Features are used as given: append a constant-1 column yourself if the last layer has a bias "
                + "(it is then regularized and decomposed like every other weight).",
            "Writes DIR/theta.npy (c x p), DIR/alpha.npy (n x c), DIR/values.npy (n_test x n, values for the "
                + "class the fitted last layer predicts, or --explain-class), DIR/topk.csv and DIR/summary.json."})
final class RpsCommand extends OutputCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--train-features", required = true, paramLabel = "F.npy",
            description = "Training features f_i, shape (n, p), .npy float32/float64 (with --model: the network's inputs, "
                    + ".npy, .csv or IDX).")
    Path trainFeatures;

    @Option(names = "--model", paramLabel = "MODEL.npz",
            description = "A network saved by 'exemplar mlp train': the feature files are then its INPUTS; features are its "
                    + "last hidden layer plus a ones column, the teacher logits its outputs (eq. 4) and the start its last "
                    + "layer, unless given explicitly.")
    Path model;

    @Option(names = "--input-scale", defaultValue = "1",
            description = "With --model: multiply inputs by this first, as in training (e.g. 0.00392156862745098).")
    double inputScale;

    @Option(names = "--train-labels", paramLabel = "y.npy",
            description = "Training labels, shape (n,), integers in [0, c) (0/1 for --loss sigmoid). "
                    + "Required unless --teacher-logits is given.")
    Path trainLabels;

    @Option(names = "--teacher-logits", paramLabel = "L.npy",
            description = "The trained model's outputs Phi(x_i), shape (n, c): fit eq. (4) against them instead of the labels.")
    Path teacherLogits;

    @Option(names = "--last-layer-weights", paramLabel = "W.npy",
            description = "Optional start for the fit, shape (c, p) like PyTorch's Linear.weight (with the bias as the last column if you appended a ones feature).")
    Path lastLayerWeights;

    @Option(names = "--test-features", required = true, paramLabel = "T.npy",
            description = "Test features f_t, shape (n_test, p).")
    Path testFeatures;

    @Option(names = "--test-teacher-logits", paramLabel = "Lt.npy",
            description = "The trained model's outputs on the test points, shape (n_test, c): reference for pearson_test.")
    Path testTeacherLogits;

    @Option(names = "--test-labels", paramLabel = "yt.npy", description = "Optional test labels: accuracy of the fitted last layer.")
    Path testLabels;

    @Option(names = "--lambda", defaultValue = "0.003", description = "L2 strength lambda of eq. (3) (default ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--loss", defaultValue = "softmax",
            description = "softmax | sigmoid | relu: the suitable loss (Prop. 3.1) (default ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--classes", description = "Number of classes c when fitting on labels (default: max label + 1).")
    Integer classes;

    @Option(names = "--top-k", defaultValue = "10", description = "Excitatory and inhibitory points per test point in topk.csv (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--explain-class", description = "Explain this class for every test point instead of the predicted one.")
    Integer explainClass;

    @Option(names = "--tolerance", defaultValue = "1e-10",
            description = "Target stationarity residual ||Theta - sum_i alpha_i f_i^T|| / ||Theta|| (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--max-iterations", defaultValue = "5000", description = "L-BFGS iteration cap (default ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--allow-unconverged",
            description = "Write results even when the fit stops above the tolerance (the residual is reported); otherwise exit 3.")
    boolean allowUnconverged;

    @Option(names = "--block-rows", defaultValue = "256", description = "Test points scored per BLAS block (default ${DEFAULT-VALUE}).")
    int blockRows;

    @CommandLine.Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();


    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        if (!quiet) {
            log.println(Blas.backendNotice());
        }
        Loss lossFn = Loss.named(loss);
        if (!List.of("softmax", "sigmoid", "relu").contains(lossFn.name())) {
            throw new IllegalArgumentException("--loss must be softmax, sigmoid or relu, got " + loss);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        DenseMatrix f;
        DenseMatrix ft;
        Mlp net = null;
        DenseMatrix netLogitsTrain = null;
        DenseMatrix netLogitsTest = null;
        if (model != null) {
            net = MlpFiles.load(model);
            DenseMatrix x = MlpCommand.readInputs(trainFeatures, inputScale, log);
            DenseMatrix xt = MlpCommand.readInputs(testFeatures, inputScale, log);
            for (Object[] check : new Object[][] {{trainFeatures, x}, {testFeatures, xt}}) {
                DenseMatrix m = (DenseMatrix) check[1];
                if (m.cols() != net.inputWidth()) {
                    throw new DataException((Path) check[0], "has " + m.cols() + " columns but the network " + model
                            + " takes " + net.inputWidth() + " inputs");
                }
            }
            f = net.features(x).withOnesColumn();
            ft = net.features(xt).withOnesColumn();
            netLogitsTrain = net.logits(x);
            netLogitsTest = net.logits(xt);
        } else {
            f = Npy.read(trainFeatures).toMatrix();
            Validation.requireFinite(f, trainFeatures, "training features");
            ft = Npy.read(testFeatures).toMatrix();
            Validation.requireFinite(ft, testFeatures, "test features");
        }
        if (ft.cols() != f.cols()) {
            throw new DataException(testFeatures, "has " + ft.cols() + " feature columns but " + trainFeatures
                    + " has " + f.cols());
        }
        int[] labels = null;
        if (trainLabels != null) {
            labels = Npy.read(trainLabels).toIntArray();
            if (labels.length != f.rows()) {
                throw new DataException(trainLabels, "has " + labels.length + " labels but " + trainFeatures + " has "
                        + f.rows() + " rows");
            }
        }
        DenseMatrix targets;
        DenseMatrix teacher = null;
        if (teacherLogits == null && netLogitsTrain != null) {
            teacher = netLogitsTrain;
            targets = lossFn.targetsFromLogits(teacher);
        } else if (teacherLogits != null) {
            teacher = Npy.read(teacherLogits).toMatrix();
            Validation.requireFinite(teacher, teacherLogits, "teacher logits");
            if (teacher.rows() != f.rows()) {
                throw new DataException(teacherLogits, "has " + teacher.rows() + " rows but " + trainFeatures
                        + " has " + f.rows());
            }
            targets = lossFn.targetsFromLogits(teacher);
        } else {
            if (labels == null) {
                throw new IllegalArgumentException("give --train-labels (eq. 3) or --teacher-logits (eq. 4)");
            }
            int c = classes != null ? classes : Validation.classCount(labels, trainLabels, "training labels");
            int outputs = lossFn.outputsForClasses(c);
            try {
                targets = lossFn.targetsFromLabels(labels, outputs);
            } catch (IllegalArgumentException e) {
                throw new DataException(trainLabels, e.getMessage());
            }
        }
        if (f.rows() == 0) {
            throw new DataException(trainFeatures, "has 0 rows; at least one training point is needed");
        }
        int explainable = Math.max(2, targets.cols());
        if (explainClass != null && (explainClass < 0 || explainClass >= explainable)) {
            throw new IllegalArgumentException("--explain-class " + explainClass + " is outside [0, " + explainable
                    + ") (the model has " + explainable + " classes)");
        }
        DenseMatrix start = null;
        if (lastLayerWeights == null && net != null && net.outputWidth() == targets.cols()) {
            start = LinearModels.withBiasColumn(net.lastLayerWeight(), net.lastLayerBias());
        }
        if (lastLayerWeights != null) {
            start = Npy.read(lastLayerWeights).toMatrix();
            if (start.rows() != targets.cols() || start.cols() != f.cols()) {
                throw new DataException(lastLayerWeights, "has shape " + start.shapeString() + ", expected ("
                        + targets.cols() + ", " + f.cols() + ") = (outputs, features)");
            }
        }
        DenseMatrix testTeacher = netLogitsTest;
        if (testTeacherLogits != null) {
            testTeacher = Npy.read(testTeacherLogits).toMatrix();
            if (testTeacher.rows() != ft.rows() || testTeacher.cols() != targets.cols()) {
                throw new DataException(testTeacherLogits, "has shape " + testTeacher.shapeString() + ", expected ("
                        + ft.rows() + ", " + targets.cols() + ")");
            }
        }
        int[] yt = null;
        if (testLabels != null) {
            yt = Npy.read(testLabels).toIntArray();
            if (yt.length != ft.rows()) {
                throw new DataException(testLabels, "has " + yt.length + " labels but " + testFeatures + " has "
                        + ft.rows() + " rows");
            }
        }

        boolean showProgress = Progress.defaultEnabled(progress, quiet);
        FitOptions options = new FitOptions(lambda, tolerance, maxIterations, true);
        LastLayerFit fit;
        try (Progress bar = Progress.start(showProgress, "fit", maxIterations, "it")) {
            fit = new LastLayerFitter(options).fit(f, targets, lossFn, start, (it, value, residual) -> {
                bar.stepTo(it);
                bar.extra(String.format("residual %.2e", residual));
            });
        }
        if (!quiet) {
            log.printf("fit: %s, %d iterations, stationarity residual %.3e (%s), %.2f s%n", fit.method(),
                    fit.iterations(), fit.stationarityResidual(), fit.converged() ? "converged" : "NOT converged",
                    fit.seconds());
        }
        if (!fit.converged() && !allowUnconverged) {
            throw new NotConvergedException("last-layer fit did not reach the tolerance " + tolerance
                    + ": stationarity residual " + fit.stationarityResidual() + " (" + fit.message()
                    + "); raise --max-iterations, increase --lambda, or pass --allow-unconverged");
        }

        long t0 = System.nanoTime();
        RepresenterPoints rp = RepresenterPoints.of(f, targets, lossFn, lambda, fit.theta());
        int[] predicted = rp.predictedClasses(ft);
        int[] explained = predicted.clone();
        if (explainClass != null) {
            java.util.Arrays.fill(explained, explainClass);
        }
        DenseMatrix recTrain = rp.reconstruct(f);
        DenseMatrix recTest = rp.reconstruct(ft);
        double pearsonTrain = Fidelity.pearson(lossFn, teacher != null ? teacher : rp.outputs(f), recTrain);
        // without the network's test outputs there is nothing independent to compare with: the fitted last layer
        // against its own reconstruction is 1 by construction (issue 15, item 2), so report n/a
        Double pearsonTest = testTeacher != null ? Fidelity.pearson(lossFn, testTeacher, recTest) : null;

        List<Object[]> rows = new ArrayList<>();
        final int[] labelsFinal = labels;
        try (OutputDirectory dir = new OutputDirectory(out);
             NpyRowWriter values = NpyRowWriter.open(dir.file("values.npy"), ft.rows(), f.rows());
             ResultFiles common = attributionFiles.open(dir, RepresenterAttributor.convention(explainClass == null
                     ? "predicted class c" : "class " + explainClass), ft.rows(), f.rows(), topK);
             Progress bar = Progress.start(showProgress, "score", ft.rows(), "test points")) {
            rp.values(ft, explained, blockRows, (first, block) -> {
                values.writeRows(block.data(), 0, block.rows());
                common.acceptRaw(first, block.data(), 0, block.rows());
                for (int r = 0; r < block.rows(); r++) {
                    int t = first + r;
                    Explanation e = rp.explain(t, explained[t], block.data(), r * block.cols(), topK);
                    addRows(rows, e, "excitatory", e.excitatory(), labelsFinal);
                    addRows(rows, e, "inhibitory", e.inhibitory(), labelsFinal);
                }
                bar.step(block.rows());
            });
            values.commit();
            double secondsScore = (System.nanoTime() - t0) / 1e9;
            Npy.write(dir.file("theta.npy"), fit.theta());
            Npy.write(dir.file("alpha.npy"), rp.alpha());
            Csv.write(dir.file("topk.csv"), new String[] {"test_index", "class", "kind", "rank", "train_index",
                "value", "alpha", "similarity", "train_label"}, rows);

            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("lambda", lambda);
            settings.put("loss", lossFn.name());
            settings.put("objective", teacher != null ? "eq4-teacher-logits" : "eq3-labels");
            settings.put("model", model == null ? "features from files" : "network " + model
                    + " (features = last hidden layer + ones column)");
            settings.put("top_k", topK);
            settings.put("explain_class", explainClass == null ? "predicted" : explainClass);
            settings.put("tolerance", tolerance);
            settings.put("max_iterations", maxIterations);
            settings.put("initialization", lastLayerWeights != null ? "last-layer-weights"
                    : start != null ? "network-last-layer" : "zeros");
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("model", model);
            inputs.put("train_features", trainFeatures);
            inputs.put("train_labels", trainLabels);
            inputs.put("teacher_logits", teacherLogits);
            inputs.put("last_layer_weights", lastLayerWeights);
            inputs.put("test_features", testFeatures);
            inputs.put("test_teacher_logits", testTeacherLogits);
            inputs.put("test_labels", testLabels);
            inputs.values().removeIf(java.util.Objects::isNull);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", "representer-points (Yeh et al. 2018)");
            summary.put("n_train", f.rows());
            summary.put("n_test", ft.rows());
            summary.put("features", f.cols());
            summary.put("outputs", targets.cols());
            summary.put("stationarity_residual", fit.stationarityResidual());
            summary.put("identity_residual", rp.identityResidual());
            summary.put("converged", fit.converged());
            summary.put("fit_method", fit.method());
            summary.put("fit_iterations", fit.iterations());
            summary.put("fit_message", fit.message());
            summary.put("objective_value", fit.objective());
            summary.put("pearson_train", pearsonTrain);
            summary.put("pearson_test", pearsonTest);
            summary.put("fidelity_reference_train", teacher != null ? "teacher-logits" : "fitted-last-layer");
            summary.put("fidelity_reference_test", testTeacher != null ? "teacher-logits"
                    : "none (pass --test-teacher-logits; comparing the fitted last layer with itself would give 1)");
            if (yt != null) {
                int correct = 0;
                for (int t = 0; t < yt.length; t++) {
                    correct += predicted[t] == yt[t] ? 1 : 0;
                }
                summary.put("test_accuracy", correct / (double) yt.length);
            }
            summary.put("seconds_fit", fit.seconds());
            summary.put("seconds_score", secondsScore);
            summary.put("backend", Blas.backend().description());
            summary.put("values_orientation", "values.npy rows = test points, columns = training points; entry (t, i) "
                    + "= alpha_{i,c_t} f_i^T f_t for the explained class c_t; positive = excitatory");
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("rps", settings, inputs, null));
            common.finish(TrustDiagnostics.ofFit(fit.stationarityResidual(), fit.converged(), null),
                    summary.get("provenance"), Map.of("identity_residual", rp.identityResidual()));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!quiet) {
            log.printf("pearson_train %.6f, pearson_test %s; wrote %s/{theta,alpha,values}.npy, topk.csv, "
                    + "summary.json%n", pearsonTrain, pearsonTest == null ? "n/a (no --test-teacher-logits)"
                    : String.format("%.6f", pearsonTest), out);
        }
        return 0;
    }

    private static void addRows(List<Object[]> rows, Explanation e, String kind, List<RepresenterPoint> points,
                                int[] labels) {
        int rank = 1;
        for (RepresenterPoint p : points) {
            rows.add(new Object[] {e.testIndex(), e.explainedClass(), kind, rank++, p.trainIndex(), p.value(),
                p.alpha(), p.similarity(), labels == null ? "" : labels[p.trainIndex()]});
        }
    }
}
