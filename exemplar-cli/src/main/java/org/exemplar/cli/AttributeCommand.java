package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.KfacAttributor;
import org.exemplar.attribution.MethodCatalog;
import org.exemplar.attribution.NpyScoreSink;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.SelfInfluence;
import org.exemplar.attribution.TopK;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.curvature.FisherKind;
import org.exemplar.curvature.KroneckerFactors;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Validation;
import org.exemplar.influence.TestFunction;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.exemplar.model.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar attribute}: the scalable attributors through the attribution API: K-FAC / EK-FAC influence and
 * TracInCP for networks. Options -> {@link Settings} -> {@link #prepare} (the one place a method name becomes a
 * builder) -> scores, top-k and summary writers.
 */
@Command(name = "attribute", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Attribute test predictions to training points through the attribution API:",
            "  rps: representer points (Yeh et al. 2018, eq. 2-3) of a softmax/sigmoid last layer fitted here on the "
                + "features as given (lambda ||Theta||^2, --lambda), explaining the predicted class's logit;",
            "  influence: influence functions (Koh & Liang 2017, eq. 2) of a softmax/logistic model trained here "
                + "(--l2, --damping, --solver exact|cg|lissa|arnoldi);",
            "  kfac / ekfac: influence (1/n) grad f_t^T (F + damping I)^{-1} grad L_i with the K-FAC / EK-FAC Fisher "
                + "(Grosse et al. 2023, eq. 16-20); the factors are written to DIR/factors and reused with --factors;",
            "  tracin: TracInCP sum_c eta_c grad f_t(theta_c) . grad L_i(theta_c) over the checkpoints of an MLP "
                + "trained here by SGD (Pruthi et al. 2020, eq. 3);",
            "  trak: TRAK (Park et al. 2023) over --models independently trained models (softmax/logistic with --l2, "
                + "or an MLP with --hidden), gradients projected to --projection-dim dimensions.",
            "Sign: positive = the training point supports the explained output (-test loss, or the margin/logit); "
                + "rows = test points, columns = training points.",
            "Writes DIR/scores.npy (n_test x n_train, float64), DIR/self_influence.npy (n_train), DIR/topk.csv "
                + "(test_index, kind, rank, train_index, train_id, score, train_label) and DIR/summary.json "
                + "(convention, settings, diagnostics, provenance)."})
final class AttributeCommand extends OutputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", required = true, description = "rps | influence | kfac | ekfac | tracin | trak.")
    String method;

    @Option(names = "--train-features", required = true, paramLabel = "X.npy", description = "Training inputs (n, d).")
    Path trainFeatures;

    @Option(names = "--train-labels", required = true, paramLabel = "y.npy",
            description = "Training class labels (n,): integers in [0, c) (logistic: 0/1).")
    Path trainLabels;

    @Option(names = "--test-features", required = true, paramLabel = "Xt.npy", description = "Test inputs (n_test, d).")
    Path testFeatures;

    @Option(names = "--test-labels", required = true, paramLabel = "yt.npy", description = "Test class labels (n_test,).")
    Path testLabels;

    @Option(names = "--train-ids", paramLabel = "ids.npy",
            description = "Integer id of every training row (n,), written to topk.csv (default: the row index).")
    Path trainIds;

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

    @Option(names = "--save-artifact", description = "Also save the prepared attributor to DIR/artifact (reloadable "
            + "without refitting; `exemplar index build --from DIR/artifact` serves it).")
    boolean saveArtifact;

    @picocli.CommandLine.Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();

    @Option(names = "--skip-self-influence", description = "Do not write self_influence.npy.")
    boolean skipSelf;

    /** The methods this command knows: the library's catalogue. */
    static final List<String> METHODS = MethodCatalog.NAMES;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        // ---- options -> settings, every check before any work
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("--method must be one of " + String.join(", ", METHODS) + ", got "
                    + method);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        boolean kfac = !method.equals("tracin") && !method.equals("rps") && !method.equals("trak");
        if (models < 1 || projectionDim < 1) {
            throw new IllegalArgumentException("--models and --projection-dim must be >= 1, got " + models + " and "
                    + projectionDim);
        }
        boolean linearOnly = method.equals("influence");
        org.exemplar.attribution.Solver solverKind;
        try {
            solverKind = org.exemplar.attribution.Solver.valueOf(solver.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--solver must be exact, cg, lissa or arnoldi, got " + solver);
        }
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("--lambda must be finite and > 0, got " + lambda);
        }
        TestFunction testFunction = TestFunction.parse(measure);
        FisherKind fisherKind = FisherKind.parse(fisher);
        DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training features");
        DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test features");
        if (x.rows() == 0) {
            throw new DataException(trainFeatures, "has 0 rows; at least one training point is needed");
        }
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has "
                    + x.cols());
        }
        int[] y = Validation.classLabels(trainLabels, x.rows(), trainFeatures);
        int[] yt = Validation.classLabels(testLabels, xt.rows(), testFeatures);
        long[] ids = ids(x.rows());
        LinearModels.Kind kind = null;
        Mlp mlp = null;
        Loss loss = Loss.named(lossName);
        if (!loss.name().equals("softmax") && !loss.name().equals("sigmoid")) {
            throw new IllegalArgumentException("--loss must be softmax or sigmoid for class labels, got " + lossName);
        }
        Path mlpPath = null;
        if (kfac) {
            if (model.startsWith("mlp:") && linearOnly) {
                throw new IllegalArgumentException("--method influence takes --model softmax or logistic here (use "
                        + "`exemplar influence --model mlp:PATH` for a network)");
            }
            if (model.startsWith("mlp:")) {
                mlpPath = Path.of(model.substring(4));
                mlp = MlpFiles.load(mlpPath);
                if (mlp.inputWidth() != x.cols()) {
                    throw new DataException(trainFeatures, "has " + x.cols() + " columns but the MLP " + mlpPath
                            + " expects " + mlp.inputWidth());
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
        int c = Math.max(2, max(y) + 1);
        if (max(yt) >= c) {
            throw new DataException(testLabels, "has label " + max(yt) + " but the training labels have only " + c
                    + " classes");
        }
        if ((kind == LinearModels.Kind.LOGISTIC || loss.name().equals("sigmoid")) && c > 2) {
            throw new DataException(trainLabels, "labels must be 0/1 for a logistic/sigmoid model, found " + c
                    + " classes");
        }
        int outputs = mlp != null ? mlp.outputWidth() : loss.outputsForClasses(c);
        if (mlp != null && loss.outputsForClasses(c) > outputs) {
            throw new DataException(trainLabels, "has " + c + " classes but the MLP " + mlpPath + " has " + outputs
                    + " outputs");
        }
        int[] hiddenWidths = parseWidths(hidden);
        Activation act = Activation.fromName(activation);
        TrainingOptions training = kfac || method.equals("rps") ? null : TrainingOptions.sgd(learningRate, 0.0).withEpochs(epochs)
                .withBatchSize(batchSize).withSeed(seed);
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
        MethodCatalog.Spec s = new MethodCatalog.Spec(kind, mlp, trakRecipe(loss, c, hiddenWidths, act, training),
                loss, testFunction, lambda, l2, damping, solverKind, fisherKind, reuse, hiddenWidths, act, training,
                checkpointEvery, lastLayerOnly, models, projectionDim, seed);
        Examples train = Examples.labeled(x, y);
        Examples test = Examples.labeled(xt, yt);

        // ---- library
        if (!quiet) {
            log.println(Blas.backendNotice());
        }
        long t1 = System.nanoTime();
        PreparedAttributor<Examples> prepared = MethodCatalog.prepare(method, s, train);
        double prepareSeconds = (System.nanoTime() - t1) / 1e9;
        if (!quiet) {
            log.printf(Locale.ROOT, "prepare: %s on %d training points, %.2f s%n", prepared.name(), x.rows(),
                    prepareSeconds);
        }
        if (!prepared.diagnostics().converged()) {
            throw new NotConvergedException("the preparation did not converge (stationarity residual "
                    + prepared.diagnostics().stationarityResidual() + "; " + String.join("; ",
                    prepared.diagnostics().notes()) + "); raise --l2");
        }

        // ---- writers
        try (OutputDirectory dir = new OutputDirectory(out);
             org.exemplar.attribution.ResultFiles common = attributionFiles.open(dir, prepared.convention(),
                     xt.rows(), x.rows(), topK)) {
            long t2 = System.nanoTime();
            TrustDiagnostics d;
            try (NpyScoreSink npy = new NpyScoreSink(dir.file("scores.npy"), xt.rows(), x.rows())) {
                d = prepared.score(test, Math.max(1, prepared.defaultBlockRows()), (first, block) -> {
                    npy.accept(first, block);
                    common.accept(first, block);
                });
                npy.commit();
            }
            common.finish(d, prepared.provenance(), Map.of("artifact_key", prepared.key()));
            if (saveArtifact) {
                prepared.save(dir.file("artifact"));
            }
            double scoreSeconds = (System.nanoTime() - t2) / 1e9;
            SelfInfluence self = null;
            long t3 = System.nanoTime();
            if (!skipSelf && prepared.hasSelfInfluence()) {
                self = prepared.selfInfluence();
                Npy.write(dir.file("self_influence.npy"), self.scores());
            }
            double selfSeconds = (System.nanoTime() - t3) / 1e9;
            if (prepared instanceof KfacAttributor k) {
                k.factors().save(dir.file("factors"));
            }
            TopK tk = common.ranking();
            List<Object[]> rows = new ArrayList<>();
            for (int t = 0; t < xt.rows(); t++) {
                addRows(rows, t, "supporting", tk.supporting(t), ids, y);
                addRows(rows, t, "opposing", tk.opposing(t), ids, y);
            }
            Csv.write(dir.file("topk.csv"), new String[] {"test_index", "kind", "rank", "train_index", "train_id",
                "score", "train_label"}, rows);

            Map<String, Object> settings = new LinkedHashMap<>(prepared.provenance().settings());
            settings.put("top_k", topK);
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("train_features", trainFeatures);
            inputs.put("train_labels", trainLabels);
            inputs.put("test_features", testFeatures);
            inputs.put("test_labels", testLabels);
            inputs.put("train_ids", trainIds);
            inputs.put("mlp", mlpPath);
            inputs.values().removeIf(Objects::isNull);
            if (factors != null) {
                inputs.put("factors", factors.resolve("factors.json"));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", prepared.method());
            summary.put("artifact", Map.of("name", prepared.name(), "key", prepared.key()));
            summary.put("convention", prepared.convention());
            summary.put("orientation", org.exemplar.attribution.Convention.ORIENTATION);
            summary.put("sign", org.exemplar.attribution.Convention.SIGN);
            summary.put("n_train", x.rows());
            summary.put("n_test", xt.rows());
            summary.put("features", x.cols());
            summary.put("diagnostics", d);
            if (prepared instanceof KfacAttributor k) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("name", k.factors().name());
                f.put("key", k.factors().key());
                f.put("reused", factors != null);
                f.put("folder", "factors");
                summary.put("factors", f);
            }
            Map<String, Object> timings = new LinkedHashMap<>();
            timings.put("seconds_prepare", prepareSeconds);
            timings.put("seconds_scores", scoreSeconds);
            timings.put("seconds_self_influence", selfSeconds);
            timings.put("seconds_total", (System.nanoTime() - t0) / 1e9);
            summary.put("timings", timings);
            summary.put("backend", Blas.backend().description());
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of(prepared.method(), settings, inputs, seed));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
            if (!quiet) {
                log.printf(Locale.ROOT, "scores: %d x %d in %.2f s; self-influence %.2f s%n", xt.rows(), x.rows(),
                        scoreSeconds, selfSeconds);
                log.printf("wrote %s/{scores.npy,%stopk.csv,summary.json%s}%n", out, self != null
                        ? "self_influence.npy," : "", prepared instanceof KfacAttributor ? ",factors/" : "");
            }
        }
        return 0;
    }

    /** The TRAK training recipe: a linear softmax/logistic model (--l2) without --hidden, else an MLP. */
    private org.exemplar.model.ModelRecipe trakRecipe(Loss loss, int classes, int[] hiddenWidths, Activation act,
                                                      TrainingOptions training) {
        if (!method.equals("trak")) {
            return null;
        }
        if (hiddenWidths.length == 0) {
            LinearModels.Kind k = loss.name().equals("sigmoid") || classes == 2 && model.equals("logistic")
                    ? LinearModels.Kind.LOGISTIC : LinearModels.Kind.SOFTMAX;
            return org.exemplar.model.ModelRecipe.linear(k, l2, org.exemplar.model.TightTrainingOptions.defaults());
        }
        return org.exemplar.model.ModelRecipe.mlp(hiddenWidths, act, training);
    }

    private static void addRows(List<Object[]> rows, int t, String kind, List<RankedPoint> pts, long[] ids, int[] y) {
        int rank = 1;
        for (RankedPoint p : pts) {
            rows.add(new Object[] {t, kind, rank++, p.trainIndex(), ids[p.trainIndex()], p.score(), y[p.trainIndex()]});
        }
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private long[] ids(int n) {
        long[] ids = new long[n];
        if (trainIds == null) {
            for (int i = 0; i < n; i++) {
                ids[i] = i;
            }
            return ids;
        }
        NpyArray arr = Npy.read(trainIds);
        if (arr.ndim() != 1 || arr.rows() != n) {
            throw new DataException(trainIds, "must be a 1-D array of " + n + " ids (one per training row), got shape "
                    + arr.shapeString());
        }
        double[] v = arr.toDoubleArray();
        for (int i = 0; i < n; i++) {
            if (v[i] != Math.rint(v[i])) {
                throw new DataException(trainIds, "id " + v[i] + " at row " + i + " is not an integer");
            }
            ids[i] = (long) v[i];
        }
        return ids;
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
