package org.exemplar.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.Npy;
import org.exemplar.eval.Lds;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.ModelRecipe;

/**
 * The results folder of {@code evaluate lds}: lds.csv, per_test.csv, scores_METHOD.npy, subset_outputs.npy,
 * subsets.npy, removal.csv (with --removal-ks) and summary.json, written all-or-nothing.
 */
final class LdsOutputs {
    private LdsOutputs() {
    }

    /**
     * @param rows    one lds.csv row per method
     * @param perTest the per-test Spearman correlations per method (n_test each)
     * @param removal removal.csv rows (empty without --removal-ks)
     */
    static void write(LdsCommand cmd, List<Object[]> rows, Map<String, double[]> perTest,
                      Map<String, DenseMatrix> scores, List<Map<String, Object>> results, List<Object[]> removal,
                      Lds.SubsetOutputs actual, ModelRecipe recipe, int nTest) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.putAll(recipe.settings());
    settings.put("methods", cmd.methods);
    settings.put("subsets", cmd.subsets);
    settings.put("alpha", cmd.alpha);
    settings.put("bootstrap", cmd.bootstrap);
    settings.put("projection_dim", cmd.k);
    settings.put("projection", cmd.projection);
    settings.put("damping", cmd.damping);
    settings.put("explained", "correct-class log-odds of the test label (rank-equivalent to -loss)");
    Map<String, Path> in = new LinkedHashMap<>();
    in.put("train_features", cmd.trainFeatures);
    in.put("train_labels", cmd.trainLabels);
    in.put("test_features", cmd.testFeatures);
    in.put("test_labels", cmd.testLabels);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("method", "linear datamodeling score");
    summary.put("results", results);
    summary.put("subset_models_trained", actual.trained());
    summary.put("subset_models_reused", actual.reused());
    summary.put("settings", settings);
    summary.put("provenance", Provenance.of("evaluate-lds", settings, in, cmd.seed));
    try (OutputDirectory dir = new OutputDirectory(cmd.out)) {
        Csv.write(dir.file("lds.csv"), new String[] {"method", "lds", "ci_low", "ci_high", "undefined", "subsets",
            "alpha", "prepare_seconds", "score_seconds", "bytes_per_train_point"}, rows);
        List<Object[]> pt = new ArrayList<>();
        for (int t = 0; t < nTest; t++) {
            Object[] row = new Object[1 + perTest.size()];
            row[0] = t;
            int c = 1;
            for (double[] v : perTest.values()) {
                row[c++] = v[t];
            }
            pt.add(row);
        }
        List<String> header = new ArrayList<>();
        header.add("test_index");
        header.addAll(perTest.keySet());
        Csv.write(dir.file("per_test.csv"), header.toArray(new String[0]), pt);
        for (var e : scores.entrySet()) {
            Npy.write(dir.file("scores_" + e.getKey().trim().toLowerCase(Locale.ROOT) + ".npy"), e.getValue());
        }
        Npy.write(dir.file("subset_outputs.npy"), actual.outputs());
        DenseMatrix sub = new DenseMatrix(actual.subsets().length, actual.subsets()[0].length);
        for (int m = 0; m < sub.rows(); m++) {
            for (int j = 0; j < sub.cols(); j++) {
                sub.set(m, j, actual.subsets()[m][j]);
            }
        }
        Npy.write(dir.file("subsets.npy"), sub);
        if (cmd.removalKs != null) {
            Csv.write(dir.file("removal.csv"), new String[] {"method", "k", "mean_drop", "flip_fraction",
                "random_mean_drop", "random_flip_fraction", "test_points"}, removal);
        }
        AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
        dir.commit();
    }
    }
}
