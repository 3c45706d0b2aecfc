package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.influence.SelfInfluenceInspection;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpTrainer;
import org.exemplar.model.TrainingHistory;
import org.exemplar.model.TrainingOptions;
import org.exemplar.representer.DatasetDebugging;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.Fidelity;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.InspectionRanking;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;
import org.exemplar.representer.SameLabelInhibitors;
import org.exemplar.representer.SensitivityMaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar demo}: the main job on the shipped MNIST slice. Trains an MLP, fits its last layer to a
 * stationary point against the network's own logits (eq. 4), explains test digits by their excitatory and
 * inhibitory training digits, checks fidelity, runs the dataset-debugging experiment and decomposes
 * sensitivity maps; writes DIR/report.html, DIR/summary.json and CSV tables.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Representer points end to end on the MNIST slice shipped with Exemplar; writes a self-contained "
                + "HTML report (DIR/report.html), DIR/summary.json, DIR/explanations.csv, DIR/debugging.csv and "
                + "DIR/debugging_runs.csv (every repeat of the dataset-debugging experiment)."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of initialization, shuffling and label flips (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--hidden", defaultValue = "128,64", split = ",", description = "Hidden widths (default ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--epochs", defaultValue = "8", description = "Training epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lambda", defaultValue = "0.003", description = "Representer L2 strength lambda (default ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--explain", defaultValue = "6", description = "Test digits to explain in the report (default ${DEFAULT-VALUE}).")
    int explainCount;

    @Option(names = "--top-k", defaultValue = "5", description = "Excitatory and inhibitory digits shown per test digit (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--debug-repeats", defaultValue = "5", description = "Random label-flip repeats of the debugging experiment (default ${DEFAULT-VALUE}, as the paper's 5 splits).")
    int debugRepeats;

    @Option(names = "--debug-lambda", defaultValue = "0.01", description = "lambda of eq. 3 in the debugging experiment (default ${DEFAULT-VALUE}, the paper's weight decay).")
    double debugLambda;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @picocli.CommandLine.Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();

    private PrintWriter log;

    /** The four orders of Fig. 2: representer |alpha|, influence (self-influence), training loss, random. */
    static final List<InspectionRanking> DEBUG_ORDERINGS = List.of(InspectionRanking.REPRESENTER,
            new SelfInfluenceInspection(), InspectionRanking.LOSS, InspectionRanking.RANDOM);

    /** The paper's fractions 0 to 0.4 in steps of 0.05, then on to everything inspected. */
    static final double[] DEBUG_FRACTIONS = {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.0};

    /** Shares of the training set fixed from the absorbed / resisted / all flipped labels. */
    static final double[] SUBSET_FRACTIONS = {0.025, 0.05, 0.1};

    private void say(String fmt, Object... args) {
        if (!quiet) {
            log.printf(Locale.ROOT, fmt + "%n", args);
            log.flush();
        }
    }

    @Override
    public Integer call() {
        OutputDirectory.check(out); // before any work (issue 15, item 10)
        log = spec.commandLine().getErr();
        long tStart = System.nanoTime();
        say("%s", Blas.backendNotice());
        ShippedMnist data = ShippedMnist.load();
        say("data: shipped MNIST slice, %d training and %d test digits", data.trainLabels().length,
                data.testLabels().length);

        // 1. train the network
        Mlp net = Mlp.initialize(784, hidden, Activation.RELU, 10, seed);
        int[] widths = net.widths();
        Loss ce = new SoftmaxCrossEntropy();
        TrainingOptions topt = TrainingOptions.adam(1e-3).withBatchSize(64).withEpochs(epochs).withSeed(seed);
        TrainingHistory hist = new MlpTrainer().train(net, data.trainImages(), ce.targetsFromLabels(data.trainLabels(), 10),
                ce, topt, (epoch, loss) -> say("train: epoch %d/%d, mean loss %.4f", epoch, epochs, loss));
        DenseMatrix logitsTrain = net.logits(data.trainImages());
        DenseMatrix logitsTest = net.logits(data.testImages());
        double accTrain = ShippedMnist.accuracy(logitsTrain, data.trainLabels());
        double accTest = ShippedMnist.accuracy(logitsTest, data.testLabels());
        say("network %s: train accuracy %.4f, test accuracy %.4f (%.1f s)", java.util.Arrays.toString(widths), accTrain,
                accTest, hist.seconds());

        // 2. representer points: fit the last layer against the network's logits (eq. 4), started from its weights
        DenseMatrix f = net.features(data.trainImages()).withOnesColumn();
        DenseMatrix ft = net.features(data.testImages()).withOnesColumn();
        DenseMatrix start = LinearModels.withBiasColumn(net.lastLayerWeight(), net.lastLayerBias());
        LastLayerFit fit = new LastLayerFitter(FitOptions.of(lambda)).fit(f, ce.targetsFromLogits(logitsTrain), ce,
                start, null);
        say("fit: %s, %d iterations, stationarity residual %.3e (%s), %.2f s", fit.method(), fit.iterations(),
                fit.stationarityResidual(), fit.converged() ? "converged" : "NOT converged", fit.seconds());
        RepresenterPoints rp = RepresenterPoints.of(f, ce.targetsFromLogits(logitsTrain), ce, lambda, fit.theta());
        DenseMatrix recTrain = rp.reconstruct(f);
        DenseMatrix recTest = rp.reconstruct(ft);
        double pearsonTrain = Fidelity.pearson(ce, logitsTrain, recTrain);
        double pearsonTest = Fidelity.pearson(ce, logitsTest, recTest);
        double identity = rp.identityResidual();
        say("fidelity: Pearson(network softmax, representer softmax) train %.5f, test %.5f; identity residual %.2e",
                pearsonTrain, pearsonTest, identity);

        // 3. explanations of chosen test digits
        int[] predicted = rp.predictedClasses(ft);
        int[] chosen = ShippedMnist.chooseTestDigits(predicted, data.testLabels(), explainCount);
        List<Explanation> explanations = new ArrayList<>();
        List<Object[]> csvRows = new ArrayList<>();
        for (int t : chosen) {
            Explanation e = rp.explain(t, ft.row(t), predicted[t], topK);
            explanations.add(e);
            DemoOutputs.addExplanationRows(csvRows, e, data, predicted);
        }

        // 4. sensitivity maps for the first two explained digits
        SensitivityMaps maps = new SensitivityMaps(net, rp, true);
        double worstMapError = 0;
        List<String> mapHtml = new ArrayList<>();
        for (int s = 0; s < Math.min(2, explanations.size()); s++) {
            Explanation e = explanations.get(s);
            double[] x = data.testImages().row(e.testIndex());
            double[] grad = maps.gradientMap(x, e.explainedClass());
            double err = maps.decompositionError(x, e.explainedClass());
            worstMapError = Math.max(worstMapError, err);
            mapHtml.add(DemoReport.sensitivityRow(e, x, grad, maps, data, err));
        }
        say("sensitivity maps: sum over all %d training maps equals the gradient map to %.2e (relative)", f.rows(),
                worstMapError);

        // 5. dataset debugging on a binary task (4 vs 9), logistic regression on pixels (Fig. 2 of the paper)
        long tDebug = System.nanoTime();
        BinaryTask task = BinaryTask.of(data, 4, 9);
        DatasetDebugging.Result debug = DatasetDebugging.run(task.train(), task.trainLabels(), task.test(),
                task.testLabels(), DEBUG_ORDERINGS,
                new DatasetDebugging.Settings(0.4, debugLambda, DEBUG_FRACTIONS, debugRepeats, seed, 1e-8));
        say("debugging (4 vs 9, %d training digits, 40%% flipped, %d repeats): clean accuracy %.3f, corrupted %.3f, "
                + "%.1f s", task.trainLabels().length, debugRepeats, debug.cleanAccuracy(), debug.corruptedAccuracy(),
                (System.nanoTime() - tDebug) / 1e9);
        DatasetDebugging.SubsetFixes subsets = DatasetDebugging.fixSubsets(task.train(), task.trainLabels(), task.test(),
                task.testLabels(), new DatasetDebugging.Settings(0.4, debugLambda, SUBSET_FRACTIONS, debugRepeats, seed, 1e-8));
        List<DatasetDebugging.PairedDifference> diffs = new ArrayList<>();
        for (InspectionRanking o : DEBUG_ORDERINGS) {
            if (o != InspectionRanking.RANDOM) {
                diffs.add(DatasetDebugging.accuracyDifference(debug, o.name(), InspectionRanking.RANDOM.name()));
            }
        }
        SameLabelInhibitors sameLabel = SameLabelInhibitors.of(explanations, data.trainLabels(), logitsTrain, recTrain);

        // 6. report and files
        double seconds = (System.nanoTime() - tStart) / 1e9;
        Map<String, Object> settings = DemoOutputs.settings(this, widths, topt);
        Provenance prov = new Provenance("demo", settings, data.sha256(), seed, Provenance.currentLibraryVersion(),
                System.getProperty("java.version"), Blas.backend().description(), java.time.Instant.now());
        Map<String, Object> summary = DemoOutputs.summary(new DemoOutputs.Numbers(accTrain, accTest, fit, identity,
                pearsonTrain, pearsonTest, worstMapError, hist.seconds(), seconds), debug, debugRepeats, diffs, subsets,
                sameLabel, prov);

        String html = DemoReport.report(this, data, widths, hist, accTrain, accTest, fit, identity, pearsonTrain, pearsonTest,
                logitsTest, recTest, explanations, predicted, mapHtml, worstMapError, debug, diffs, subsets, sameLabel, task, prov,
                seconds);
        // the common result files: representer values of the explained digits (rows in the order of `chosen`)
        DenseMatrix chosenFeatures = new DenseMatrix(chosen.length, ft.cols());
        int[] chosenClasses = new int[chosen.length];
        for (int q = 0; q < chosen.length; q++) {
            System.arraycopy(ft.data(), chosen[q] * ft.cols(), chosenFeatures.data(), q * ft.cols(), ft.cols());
            chosenClasses[q] = predicted[chosen[q]];
        }
        DenseMatrix chosenValues = rp.values(chosenFeatures, chosenClasses);
        try (OutputDirectory dir = new OutputDirectory(out);
             ResultFiles common = attributionFiles.open(dir, RepresenterAttributor.convention("predicted class c"),
                     chosen.length, f.rows(), topK)) {
            common.acceptRaw(chosenValues);
            common.finish(TrustDiagnostics.ofFit(fit.stationarityResidual(), fit.converged(), null), prov,
                    Map.of("test_rows", chosen, "test_rows_meaning", "row r of scores.npy and test_index r of "
                            + "topk.csv is test digit test_rows[r] of the shipped slice"));
            AtomicFiles.writeString(dir.file("report.html"), html);
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            DemoOutputs.writeTables(dir, csvRows, debug, debugRepeats);
            dir.commit();
        }
        say("wrote %s/report.html, summary.json, explanations.csv, debugging.csv, debugging_runs.csv (%.1f s in all)",
                out, seconds);
        if (!fit.converged()) {
            throw new NotConvergedException("demo fit stopped at stationarity residual " + fit.stationarityResidual());
        }
        return 0;
    }
}
