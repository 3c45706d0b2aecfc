package org.exemplar.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.TrainingHistory;
import org.exemplar.report.Charts;
import org.exemplar.report.HtmlReport;
import org.exemplar.report.Images;
import org.exemplar.representer.DatasetDebugging;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.Fidelity;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.RepresenterPoint;
import org.exemplar.representer.SameLabelInhibitors;
import org.exemplar.representer.SensitivityMaps;

/** The demo's HTML report: digits, sensitivity maps and the dataset-debugging section (the writer of {@link DemoCommand}). */
final class DemoReport {
    private DemoReport() {
    }

    static String digit(double[] pixels, String css, String caption) {
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

    static String sensitivityRow(Explanation e, double[] x, double[] grad, SensitivityMaps maps, ShippedMnist data,
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
        sb.append("</div><p class=\"caption\">Sum of all ").append(data.trainLabels().length)
                .append(" training maps vs. the gradient map: relative error ")
                .append(String.format(Locale.ROOT, "%.2e", err)).append(" (gradient max |value| ")
                .append(String.format(Locale.ROOT, "%.3g", bound)).append("; training maps share one colour scale).</p>");
        return sb.toString();
    }

    static String report(DemoCommand cmd, ShippedMnist data, int[] widths, TrainingHistory hist, double accTrain, double accTest,
                          LastLayerFit fit, double identity, double pearsonTrain, double pearsonTest,
                          DenseMatrix logitsTest, DenseMatrix recTest, List<Explanation> explanations, int[] predicted,
                          List<String> mapHtml, double mapError, DatasetDebugging.Result debug,
                          List<DatasetDebugging.PairedDifference> diffs, DatasetDebugging.SubsetFixes subsets,
                          SameLabelInhibitors sameLabel, BinaryTask task,
                          Provenance prov, double seconds) {
        HtmlReport r = new HtmlReport("Exemplar: representer points on MNIST");
        r.paragraph("Why did the network predict what it did? Each test digit below is explained by the training digits "
                + "that pushed its predicted class up (excitatory, green) and down (inhibitory, red), using the representer "
                + "theorem of Yeh et al. (NeurIPS 2018): the last layer is refitted to a stationary point of "
                + "(1/n) sum_i L(softmax(Phi_net(x_i)), Theta f_i) + lambda ||Theta||^2, after which every logit is exactly "
                + "sum_i alpha_i f_i^T f_t.");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("data", data.trainLabels().length + " training / " + data.testLabels().length + " test MNIST digits (shipped slice)"));
        rows.add(List.of("network", java.util.Arrays.toString(widths) + ", ReLU, Adam, " + cmd.epochs + " epochs, seed " + cmd.seed));
        rows.add(List.of("accuracy (train / test)", String.format(Locale.ROOT, "%.4f / %.4f", accTrain, accTest)));
        rows.add(List.of("representer fit", String.format(Locale.ROOT, "lambda %.3g, %s, %d iterations, %.2f s", cmd.lambda,
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

        if (sameLabel.count() > 0) {
            r.paragraph(String.format(Locale.ROOT, "Why some inhibitory digits share the explained class's label: a "
                    + "representer value k = alpha_ij f_i^T f_t is negative only when alpha_ij < 0 (the features are "
                    + "ReLU outputs plus a ones column, so f_i^T f_t > 0), and for this fit alpha_ij = "
                    + "-(p_refit,j(x_i) - p_net,j(x_i)) / (2 lambda n): such a digit is one the network is less sure "
                    + "of than the regularized last layer. Measured on the %d distinct same-label inhibitory digits "
                    + "shown: %d have alpha_ij < 0 and %d get a lower probability of their own label from the network "
                    + "than from the refit (medians %.3f vs %.3f; the median over all training digits of those classes "
                    + "is %.3f, and the network is less sure of the shown digits than of %.1f%% of their class). They are atypical "
                    + "members of the class, close to the test digit in feature space, whose pull the network "
                    + "resists: the model does not reward resemblance to them.", sameLabel.count(),
                    sameLabel.negativeAlpha(), sameLabel.networkBelowRefit(), sameLabel.networkProbMedian(),
                    sameLabel.refitProbMedian(), sameLabel.classMedianNetworkProb(),
                    100 - sameLabel.networkProbPercentile()));
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

        DemoDebuggingSection.debuggingSection(r, debug, diffs, subsets, task);

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
