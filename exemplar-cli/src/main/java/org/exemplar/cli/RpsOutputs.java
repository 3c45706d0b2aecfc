package org.exemplar.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.Blas;
import org.exemplar.loss.Loss;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.RepresenterPoint;
import org.exemplar.representer.RepresenterPoints;

/** The files of {@code exemplar rps} beside the arrays: topk.csv rows, and the settings and summary content. */
final class RpsOutputs {
    /** The header of the command's topk.csv (documented). */
    static final String[] TOPK_HEADER = {"test_index", "class", "kind", "rank", "train_index", "value", "alpha",
        "similarity", "train_label"};

    private RpsOutputs() {
    }

    /** The settings as they go into summary.json and the provenance. */
    static Map<String, Object> settings(RpsCommand c, RpsInputs.Read in, Loss lossFn) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("lambda", c.lambda);
        settings.put("loss", lossFn.name());
        settings.put("objective", in.teacher() != null ? "eq4-teacher-logits" : "eq3-labels");
        settings.put("model", c.inputs.model == null ? "features from files" : "network " + c.inputs.model
                + " (features = last hidden layer + ones column)");
        settings.put("top_k", c.topK);
        settings.put("explain_class", c.explainClass == null ? "predicted" : c.explainClass);
        settings.put("tolerance", c.tolerance);
        settings.put("max_iterations", c.maxIterations);
        settings.put("initialization", c.inputs.initialization(in));
        return settings;
    }

    /** The content of summary.json: shapes, the fit and its stationarity, fidelity, timings, settings, provenance. */
    static Map<String, Object> summary(RpsInputs.Read in, LastLayerFit fit, RepresenterPoints rp, int[] predicted,
                                       double pearsonTrain, Double pearsonTest, double secondsScore,
                                       Map<String, Object> settings, Object provenance) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", "representer-points (Yeh et al. 2018)");
        summary.put("n_train", in.f().rows());
        summary.put("n_test", in.ft().rows());
        summary.put("features", in.f().cols());
        summary.put("outputs", in.targets().cols());
        summary.put("stationarity_residual", fit.stationarityResidual());
        summary.put("identity_residual", rp.identityResidual());
        summary.put("converged", fit.converged());
        summary.put("fit_method", fit.method());
        summary.put("fit_iterations", fit.iterations());
        summary.put("fit_message", fit.message());
        summary.put("objective_value", fit.objective());
        summary.put("pearson_train", pearsonTrain);
        summary.put("pearson_test", pearsonTest);
        summary.put("fidelity_reference_train", in.teacher() != null ? "teacher-logits" : "fitted-last-layer");
        summary.put("fidelity_reference_test", in.testTeacher() != null ? "teacher-logits"
                : "none (pass --test-teacher-logits; comparing the fitted last layer with itself would give 1)");
        int[] yt = in.yt();
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
        summary.put("provenance", provenance);
        return summary;
    }

    static void addRows(List<Object[]> rows, Explanation e, String kind, List<RepresenterPoint> points,
                                int[] labels) {
        int rank = 1;
        for (RepresenterPoint p : points) {
            rows.add(new Object[] {e.testIndex(), e.explainedClass(), kind, rank++, p.trainIndex(), p.value(),
                p.alpha(), p.similarity(), labels == null ? "" : labels[p.trainIndex()]});
        }
    }
}
