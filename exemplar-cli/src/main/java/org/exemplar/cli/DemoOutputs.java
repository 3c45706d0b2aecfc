package org.exemplar.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.Csv;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.model.TrainingOptions;
import org.exemplar.representer.DatasetDebugging;
import org.exemplar.representer.DebuggingCurve;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.RepresenterPoint;
import org.exemplar.representer.SameLabelInhibitors;

/** The files of {@code exemplar demo} beside the report: the settings and summary content and the CSV tables. */
final class DemoOutputs {
    private DemoOutputs() {
    }

    /** The network, fit and fidelity figures that go into the summary. */
    record Numbers(double accTrain, double accTest, LastLayerFit fit, double identity, double pearsonTrain,
                   double pearsonTest, double worstMapError, double secondsTrain, double secondsTotal) {
    }

    static Map<String, Object> settings(DemoCommand c, int[] widths, TrainingOptions topt) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("network", java.util.Arrays.toString(widths) + " relu, softmax cross-entropy");
        settings.put("training", topt.toString());
        settings.put("lambda", c.lambda);
        settings.put("representer_objective", "eq4-teacher-logits, softmax loss, features = last hidden layer + ones column");
        settings.put("debugging", "digits 4 vs 9, logistic regression on pixels + ones, lambda " + c.debugLambda
                + ", 40% flipped, " + c.debugRepeats + " repeats; orders representer |alpha|, influence (self), "
                + "training loss, random");
        return settings;
    }

    static Map<String, Object> summary(Numbers n, DatasetDebugging.Result debug, int debugRepeats,
                                       List<DatasetDebugging.PairedDifference> diffs,
                                       DatasetDebugging.SubsetFixes subsets, SameLabelInhibitors sameLabel,
                                       Provenance prov) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", "representer-points demo (Yeh et al. 2018) on the shipped MNIST slice");
        summary.put("train_accuracy", n.accTrain());
        summary.put("test_accuracy", n.accTest());
        summary.put("stationarity_residual", n.fit().stationarityResidual());
        summary.put("identity_residual", n.identity());
        summary.put("converged", n.fit().converged());
        summary.put("fit_iterations", n.fit().iterations());
        summary.put("pearson_train", n.pearsonTrain());
        summary.put("pearson_test", n.pearsonTest());
        summary.put("sensitivity_sum_relative_error", n.worstMapError());
        summary.put("debug_clean_accuracy", debug.cleanAccuracy());
        summary.put("debug_corrupted_accuracy", debug.corruptedAccuracy());
        summary.put("debug_curves", debug.curves());
        summary.put("debug_repeats", debugRepeats);
        summary.put("debug_accuracy_minus_random", diffs);
        summary.put("debug_corrupted_cosine_to_clean", debug.corruptedCosineToClean());
        summary.put("same_label_inhibitory", sameLabel);
        summary.put("debug_fix_subsets", subsets);
        summary.put("seconds_train", n.secondsTrain());
        summary.put("seconds_fit", n.fit().seconds());
        summary.put("seconds_total", n.secondsTotal());
        summary.put("backend", Blas.backend().description());
        summary.put("provenance", prov);
        return summary;
    }

    /** The rows of explanations.csv for one explained test digit: excitatory then inhibitory, rank from 1. */
    static void addExplanationRows(List<Object[]> csvRows, Explanation e, ShippedMnist data, int[] predicted) {
        int t = e.testIndex();
        for (String kind : new String[] {"excitatory", "inhibitory"}) {
            List<RepresenterPoint> pts = kind.equals("excitatory") ? e.excitatory() : e.inhibitory();
            for (int r = 0; r < pts.size(); r++) {
                RepresenterPoint p = pts.get(r);
                csvRows.add(new Object[] {t, data.testLabels()[t], predicted[t], kind, r + 1, p.trainIndex(),
                    data.trainLabels()[p.trainIndex()], p.value(), p.alpha(), p.similarity()});
            }
        }
    }

    /** explanations.csv, debugging.csv (curves) and debugging_runs.csv (every repeat). */
    static void writeTables(OutputDirectory dir, List<Object[]> csvRows, DatasetDebugging.Result debug,
                            int debugRepeats) {
        List<Object[]> debugRows = new ArrayList<>();
        for (DebuggingCurve c : debug.curves()) {
            for (int k = 0; k < c.fractions().length; k++) {
                debugRows.add(new Object[] {c.ordering(), c.fractions()[k], c.foundMean()[k], c.foundStd()[k],
                    c.accuracyMean()[k], c.accuracyStd()[k]});
            }
        }
        List<Object[]> runRows = new ArrayList<>();
        for (DatasetDebugging.Runs rr : debug.runs()) {
            for (int k = 0; k < DemoCommand.DEBUG_FRACTIONS.length; k++) {
                for (int rep = 0; rep < debugRepeats; rep++) {
                    runRows.add(new Object[] {rr.ordering(), DemoCommand.DEBUG_FRACTIONS[k], rep, rr.found()[k][rep],
                        rr.accuracy()[k][rep], rr.fixedPositiveShare()[k][rep], rr.cosineToClean()[k][rep],
                        rr.fixedCleanMargin()[k][rep], rr.testAuc()[k][rep], rr.predictedPositive()[k][rep],
                        rr.cleanAlphaFound()[k][rep], rr.fixedAlreadyPredicted()[k][rep]});
                }
            }
        }
        Csv.write(dir.file("explanations.csv"), new String[] {"test_index", "test_label", "predicted", "kind", "rank",
            "train_index", "train_label", "value", "alpha", "similarity"}, csvRows);
        Csv.write(dir.file("debugging.csv"), new String[] {"ordering", "fraction_inspected", "found_mean", "found_std",
            "test_accuracy_mean", "test_accuracy_std"}, debugRows);
        Csv.write(dir.file("debugging_runs.csv"), new String[] {"ordering", "fraction_inspected", "repeat", "found",
            "test_accuracy", "fixed_positive_share", "cosine_to_clean", "fixed_clean_margin", "test_auc",
            "test_predicted_positive_share", "clean_alpha_found",
            "fixed_already_predicted"}, runRows);
    }
}
