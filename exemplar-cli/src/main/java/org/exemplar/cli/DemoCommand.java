package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpTrainer;
import org.exemplar.model.TrainingHistory;
import org.exemplar.model.TrainingOptions;
import org.exemplar.report.Charts;
import org.exemplar.report.HtmlReport;
import org.exemplar.report.Images;
import org.exemplar.representer.DatasetDebugging;
import org.exemplar.representer.DebuggingCurve;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.Fidelity;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.InspectionRanking;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoint;
import org.exemplar.representer.RepresenterPoints;
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
                + "HTML report (DIR/report.html), DIR/summary.json, DIR/explanations.csv and DIR/debugging.csv."})
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

    @Option(names = "--debug-repeats", defaultValue = "3", description = "Random label-flip repeats of the debugging experiment (default ${DEFAULT-VALUE}).")
    int debugRepeats;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    private PrintWriter log;

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
        double accTrain = accuracy(logitsTrain, data.trainLabels());
        double accTest = accuracy(logitsTest, data.testLabels());
        say("network %s: train accuracy %.4f, test accuracy %.4f (%.1f s)", java.util.Arrays.toString(widths), accTrain,
                accTest, hist.seconds());

        // 2. representer points: fit the last layer against the network's logits (eq. 4), started from its weights
        DenseMatrix f = net.features(data.trainImages()).withOnesColumn();
        DenseMatrix ft = net.features(data.testImages()).withOnesColumn();
        DenseMatrix start = lastLayerWithBias(net);
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
        int[] chosen = chooseTestDigits(predicted, data.testLabels(), explainCount);
        List<Explanation> explanations = new ArrayList<>();
        List<Object[]> csvRows = new ArrayList<>();
        for (int t : chosen) {
            Explanation e = rp.explain(t, ft.row(t), predicted[t], topK);
            explanations.add(e);
            for (String kind : new String[] {"excitatory", "inhibitory"}) {
                List<RepresenterPoint> pts = kind.equals("excitatory") ? e.excitatory() : e.inhibitory();
                for (int r = 0; r < pts.size(); r++) {
                    RepresenterPoint p = pts.get(r);
                    csvRows.add(new Object[] {t, data.testLabels()[t], predicted[t], kind, r + 1, p.trainIndex(),
                        data.trainLabels()[p.trainIndex()], p.value(), p.alpha(), p.similarity()});
                }
            }
        }

        // 4. sensitivity maps for the first two explained digits
        SensitivityMaps maps = new SensitivityMaps(net, rp, true);
        double worstMapError = 0;
        List<String> mapHtml = new ArrayList<>();
        for (int s = 0; s < Math.min(2, explanations.size()); s++) {
            Explanation e = explanations.get(s);
            double[] x = data.testImages().row(e.testIndex());
            double[] grad = maps.gradientMap(x, e.explainedClass());
            int[] all = new int[f.rows()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            DenseMatrix every = maps.maps(x, e.explainedClass(), all);
            double[] sum = new double[x.length];
            for (int i = 0; i < every.rows(); i++) {
                for (int j = 0; j < x.length; j++) {
                    sum[j] += every.get(i, j);
                }
            }
            double err = Vectors.norm2(Vectors.subtract(sum, grad)) / Vectors.norm2(grad);
            worstMapError = Math.max(worstMapError, err);
            mapHtml.add(sensitivityRow(e, x, grad, maps, data, err));
        }
        say("sensitivity maps: sum over all %d training maps equals the gradient map to %.2e (relative)", f.rows(),
                worstMapError);

        // 5. dataset debugging on a binary task (4 vs 9), logistic regression on pixels
        long tDebug = System.nanoTime();
        BinaryTask task = BinaryTask.of(data, 4, 9);
        double[] fractions = {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0};
        DatasetDebugging.Result debug = DatasetDebugging.run(task.train(), task.trainLabels(), task.test(),
                task.testLabels(), List.of(InspectionRanking.REPRESENTER, InspectionRanking.LOSS, InspectionRanking.RANDOM),
                new DatasetDebugging.Settings(0.4, 0.01, fractions, debugRepeats, seed, 1e-8));
        say("debugging (4 vs 9, %d training digits, 40%% flipped): clean accuracy %.3f, corrupted %.3f, %.1f s",
                task.trainLabels().length, debug.cleanAccuracy(), debug.corruptedAccuracy(),
                (System.nanoTime() - tDebug) / 1e9);

        // 6. report and files
        double seconds = (System.nanoTime() - tStart) / 1e9;
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("network", java.util.Arrays.toString(widths) + " relu, softmax cross-entropy");
        settings.put("training", topt.toString());
        settings.put("lambda", lambda);
        settings.put("representer_objective", "eq4-teacher-logits, softmax loss, features = last hidden layer + ones column");
        settings.put("debugging", "digits 4 vs 9, logistic regression on pixels + ones, lambda 0.01, 40% flipped, "
                + debugRepeats + " repeats");
        Provenance prov = new Provenance("demo", settings, data.sha256(), seed, Provenance.currentLibraryVersion(),
                System.getProperty("java.version"), Blas.backend().description(), java.time.Instant.now());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", "representer-points demo (Yeh et al. 2018) on the shipped MNIST slice");
        summary.put("train_accuracy", accTrain);
        summary.put("test_accuracy", accTest);
        summary.put("stationarity_residual", fit.stationarityResidual());
        summary.put("identity_residual", identity);
        summary.put("converged", fit.converged());
        summary.put("fit_iterations", fit.iterations());
        summary.put("pearson_train", pearsonTrain);
        summary.put("pearson_test", pearsonTest);
        summary.put("sensitivity_sum_relative_error", worstMapError);
        summary.put("debug_clean_accuracy", debug.cleanAccuracy());
        summary.put("debug_corrupted_accuracy", debug.corruptedAccuracy());
        summary.put("debug_curves", debug.curves());
        summary.put("seconds_train", hist.seconds());
        summary.put("seconds_fit", fit.seconds());
        summary.put("seconds_total", seconds);
        summary.put("backend", Blas.backend().description());
        summary.put("provenance", prov);

        String html = report(data, widths, hist, accTrain, accTest, fit, identity, pearsonTrain, pearsonTest,
                logitsTest, recTest, explanations, predicted, mapHtml, worstMapError, debug, task, prov, seconds);
        List<Object[]> debugRows = new ArrayList<>();
        for (DebuggingCurve c : debug.curves()) {
            for (int k = 0; k < c.fractions().length; k++) {
                debugRows.add(new Object[] {c.ordering(), c.fractions()[k], c.foundMean()[k], c.foundStd()[k],
                    c.accuracyMean()[k], c.accuracyStd()[k]});
            }
        }
        try (OutputDirectory dir = new OutputDirectory(out)) {
            AtomicFiles.writeString(dir.file("report.html"), html);
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            Csv.write(dir.file("explanations.csv"), new String[] {"test_index", "test_label", "predicted", "kind", "rank",
                "train_index", "train_label", "value", "alpha", "similarity"}, csvRows);
            Csv.write(dir.file("debugging.csv"), new String[] {"ordering", "fraction_inspected", "found_mean", "found_std",
                "test_accuracy_mean", "test_accuracy_std"}, debugRows);
            dir.commit();
        }
        say("wrote %s/report.html, summary.json, explanations.csv, debugging.csv (%.1f s in all)", out, seconds);
        if (!fit.converged()) {
            throw new NotConvergedException("demo fit stopped at stationarity residual " + fit.stationarityResidual());
        }
        return 0;
    }

    /** The network's last layer [W, b] as the (c x (p+1)) start of the representer fit. */
    static DenseMatrix lastLayerWithBias(Mlp net) {
        DenseMatrix w = net.lastLayerWeight();
        double[] b = net.lastLayerBias();
        DenseMatrix s = new DenseMatrix(w.rows(), w.cols() + 1);
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                s.set(i, j, w.get(i, j));
            }
            s.set(i, w.cols(), b[i]);
        }
        return s;
    }

    static double accuracy(DenseMatrix logits, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            ok += Vectors.argmax(logits.data(), i * logits.cols(), logits.cols()) == labels[i] ? 1 : 0;
        }
        return ok / (double) labels.length;
    }

    /** Correctly classified digits of distinct classes first, then up to two misclassified ones. */
    static int[] chooseTestDigits(int[] predicted, int[] labels, int count) {
        List<Integer> out = new ArrayList<>();
        int wrongWanted = Math.min(2, count / 3);
        boolean[] seen = new boolean[10];
        for (int t = 0; t < labels.length && out.size() < count - wrongWanted; t++) {
            if (predicted[t] == labels[t] && !seen[labels[t]]) {
                seen[labels[t]] = true;
                out.add(t);
            }
        }
        for (int t = 0; t < labels.length && out.size() < count; t++) {
            if (predicted[t] != labels[t]) {
                out.add(t);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A binary sub-task of the slice: digit a (label 0) vs digit b (label 1), pixels plus a ones column. */
    record BinaryTask(DenseMatrix train, int[] trainLabels, DenseMatrix test, int[] testLabels, int a, int b) {
        static BinaryTask of(ShippedMnist d, int a, int b) {
            int[] tr = select(d.trainLabels(), a, b);
            int[] te = select(d.testLabels(), a, b);
            return new BinaryTask(d.trainImages().selectRows(tr).withOnesColumn(), relabel(d.trainLabels(), tr, b),
                    d.testImages().selectRows(te).withOnesColumn(), relabel(d.testLabels(), te, b), a, b);
        }

        private static int[] select(int[] y, int a, int b) {
            return java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == a || y[i] == b).toArray();
        }

        private static int[] relabel(int[] y, int[] idx, int b) {
            int[] out = new int[idx.length];
            for (int k = 0; k < idx.length; k++) {
                out[k] = y[idx[k]] == b ? 1 : 0;
            }
            return out;
        }
    }

    private static String digit(double[] pixels, String css, String caption) {
        return "<div class=\"cell\">" + HtmlReport.img(Images.grayscalePng(invert(pixels), 28, 28, 2, 0, 1), caption,
                caption).replace("<img ", "<img class=\"" + css + "\" ") + "<br>" + HtmlReport.escape(caption) + "</div>";
    }

    /** Dark ink on white paper reads better in a report. */
    private static double[] invert(double[] p) {
        double[] q = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            q[i] = 1 - p[i];
        }
        return q;
    }

    private String sensitivityRow(Explanation e, double[] x, double[] grad, SensitivityMaps maps, ShippedMnist data,
                                  double err) {
        StringBuilder sb = new StringBuilder("<div class=\"row\">");
        sb.append(digit(x, "test", "test #" + e.testIndex()));
        double bound = Vectors.maxAbs(grad);
        sb.append("<div class=\"cell\">").append(HtmlReport.img(Images.divergingPng(grad, 28, 28, 2, 0), "gradient", "gradient"))
                .append("<br>d&Phi;<sub>").append(e.explainedClass()).append("</sub>/dx</div>");
        List<RepresenterPoint> pts = new ArrayList<>();
        pts.addAll(e.excitatory().subList(0, Math.min(3, e.excitatory().size())));
        pts.addAll(e.inhibitory().subList(0, Math.min(3, e.inhibitory().size())));
        int[] idx = pts.stream().mapToInt(RepresenterPoint::trainIndex).toArray();
        DenseMatrix m = maps.maps(x, e.explainedClass(), idx);
        double mb = Vectors.maxAbs(m.data());
        for (int k = 0; k < idx.length; k++) {
            RepresenterPoint p = pts.get(k);
            String css = p.value() > 0 ? "exc" : "inh";
            sb.append(digit(data.trainImages().row(idx[k]), css, "train #" + idx[k] + " (" + data.trainLabels()[idx[k]] + ")"));
            sb.append("<div class=\"cell\">").append(HtmlReport.img(Images.divergingPng(m.row(k), 28, 28, 2, mb), "map", "map"))
                    .append("<br>").append(String.format(Locale.ROOT, "k = %.3f", p.value())).append("</div>");
        }
        sb.append("</div><p style=\"font-size:12px\">Sum of all ").append(data.trainLabels().length)
                .append(" training maps vs. the gradient map: relative error ")
                .append(String.format(Locale.ROOT, "%.2e", err)).append(" (gradient max |value| ")
                .append(String.format(Locale.ROOT, "%.3g", bound)).append("; training maps share one colour scale).</p>");
        return sb.toString();
    }

    private String report(ShippedMnist data, int[] widths, TrainingHistory hist, double accTrain, double accTest,
                          LastLayerFit fit, double identity, double pearsonTrain, double pearsonTest,
                          DenseMatrix logitsTest, DenseMatrix recTest, List<Explanation> explanations, int[] predicted,
                          List<String> mapHtml, double mapError, DatasetDebugging.Result debug, BinaryTask task,
                          Provenance prov, double seconds) {
        HtmlReport r = new HtmlReport("Exemplar: representer points on MNIST");
        r.paragraph("Why did the network predict what it did? Each test digit below is explained by the training digits "
                + "that pushed its predicted class up (excitatory, green) and down (inhibitory, red), using the representer "
                + "theorem of Yeh et al. (NeurIPS 2018): the last layer is refitted to a stationary point of "
                + "(1/n) sum_i L(softmax(Phi_net(x_i)), Theta f_i) + lambda ||Theta||^2, after which every logit is exactly "
                + "sum_i alpha_i f_i^T f_t.");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("data", data.trainLabels().length + " training / " + data.testLabels().length + " test MNIST digits (shipped slice)"));
        rows.add(List.of("network", java.util.Arrays.toString(widths) + ", ReLU, Adam, " + epochs + " epochs, seed " + seed));
        rows.add(List.of("accuracy (train / test)", String.format(Locale.ROOT, "%.4f / %.4f", accTrain, accTest)));
        rows.add(List.of("representer fit", String.format(Locale.ROOT, "lambda %.3g, %s, %d iterations, %.2f s", lambda,
                fit.method(), fit.iterations(), fit.seconds())));
        rows.add(List.of("stationarity residual ||Theta - sum alpha f^T|| / ||Theta||", String.format(Locale.ROOT, "%.2e (%s)",
                fit.stationarityResidual(), fit.converged() ? "converged" : "NOT converged")));
        rows.add(List.of("fidelity: Pearson(network softmax, representer softmax), train / test",
                String.format(Locale.ROOT, "%.5f / %.5f", pearsonTrain, pearsonTest)));
        rows.add(List.of("total time", String.format(Locale.ROOT, "%.1f s (%s)", seconds, Blas.backend().description())));
        r.heading("Summary");
        r.table(List.of("what", "value"), rows);

        r.heading("Excitatory and inhibitory training digits");
        r.paragraph("Per test digit: the test image (black border), then the top training digits by representer value "
                + "k(x_t, x_i) = alpha_ij f_i^T f_t for the predicted class j; green = excitatory (k > 0), red = inhibitory "
                + "(k < 0). Captions give the training label and k.");
        for (Explanation e : explanations) {
            StringBuilder sb = new StringBuilder("<div class=\"row\">");
            int t = e.testIndex();
            sb.append(digit(data.testImages().row(t), "test", "test #" + t + ": true " + data.testLabels()[t] + ", pred "
                    + predicted[t]));
            for (RepresenterPoint p : e.excitatory()) {
                sb.append(digit(data.trainImages().row(p.trainIndex()), "exc", String.format(Locale.ROOT, "%d: +%.2f",
                        data.trainLabels()[p.trainIndex()], p.value())));
            }
            sb.append("<div style=\"width:16px\"></div>");
            for (RepresenterPoint p : e.inhibitory()) {
                sb.append(digit(data.trainImages().row(p.trainIndex()), "inh", String.format(Locale.ROOT, "%d: %.2f",
                        data.trainLabels()[p.trainIndex()], p.value())));
            }
            sb.append("</div>");
            r.raw(sb.toString());
        }

        r.heading("Fidelity of the representer decomposition");
        double[] xs = new double[logitsTest.data().length];
        double[] ys = new double[xs.length];
        int c = logitsTest.cols();
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        for (int i = 0; i < logitsTest.rows(); i++) {
            ce.link(logitsTest.data(), i * c, xs, i * c, c);
            ce.link(recTest.data(), i * c, ys, i * c, c);
        }
        r.figure(Charts.scatterWithDiagonalPng("Test set: every (digit, class) probability", "network softmax",
                "representer softmax", xs, ys, 520, 420), String.format(Locale.ROOT,
                "Pearson %.5f on the test set (%.5f on the training set); the paper reports 'almost 1' (Fig. 1).",
                pearsonTest, pearsonTrain));

        r.heading("Dataset debugging (Sec. 4.1)");
        r.paragraph(String.format(Locale.ROOT, "Binary task %d vs %d (%d training, %d test digits), logistic regression on "
                + "pixels, 40%% of training labels flipped, lambda 0.01, %d repeats. A simulated user inspects training "
                + "labels in the order given and fixes flipped ones; the model is retrained. Clean test accuracy %.3f, "
                + "corrupted %.3f. For logistic regression fitted on labels |alpha_i| is a monotone function of the "
                + "training loss, so those two orders coincide.", task.a(), task.b(), task.trainLabels().length,
                task.testLabels().length, debug.settings().repeats(), debug.cleanAccuracy(), debug.corruptedAccuracy()));
        Map<String, double[]> found = new LinkedHashMap<>();
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (DebuggingCurve dc : debug.curves()) {
            found.put(dc.ordering(), dc.foundMean());
            acc.put(dc.ordering(), dc.accuracyMean());
        }
        double[] fr = debug.curves().get(0).fractions();
        r.raw("<div class=\"row\">");
        r.figure(Charts.linesPng("Flipped labels found", "fraction of training data inspected", "fraction found", fr,
                found, 520, 380), "fraction of flipped labels found");
        r.figure(Charts.linesPng("Test accuracy after fixing", "fraction of training data inspected", "test accuracy",
                fr, acc, 520, 380), "test accuracy after fixing and retraining");
        r.raw("</div>");

        r.heading("Sensitivity-map decomposition (Sec. 4.4)");
        r.paragraph("d Phi_j(x_t)/d x_t = sum_i alpha_ij (d f_t/d x_t)^T f_i: one input-space map per training point "
                + "(red raises the explained class, blue lowers it). Shown: the test digit, its own gradient map, and the "
                + "maps of its top-3 excitatory and top-3 inhibitory training digits.");
        for (String h : mapHtml) {
            r.raw(h);
        }
        r.heading("Provenance");
        r.raw("<pre>" + HtmlReport.escape(Json.write(prov)) + "</pre>");
        return r.render();
    }
}
