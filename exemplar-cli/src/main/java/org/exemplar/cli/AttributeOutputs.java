package org.exemplar.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.attribution.Convention;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.KfacAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.TopK;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;

/**
 * The files of {@code exemplar attribute} beside the score matrices: {@code topk.csv} with the training ids and
 * labels, and {@code summary.json} (convention, shapes, diagnostics, factors, timings, settings, provenance).
 */
final class AttributeOutputs {
    /** The header of the command's own {@code topk.csv} (documented; attribution/topk.csv has the common one). */
    static final String[] TOPK_HEADER = {"test_index", "kind", "rank", "train_index", "train_id", "score",
        "train_label"};

    private AttributeOutputs() {
    }

    /** Seconds spent per phase, for the summary. */
    record Timings(double prepare, double scores, double selfInfluence, double total) {
    }

    /** Writes {@code topk.csv}: per test point the supporting then the opposing points of the ranking, rank from 1. */
    static void writeTopK(Path file, TopK tk, long[] ids, int[] y) {
        List<Object[]> rows = new ArrayList<>();
        for (int t = 0; t < tk.testSize(); t++) {
            addRows(rows, t, "supporting", tk.supporting(t), ids, y);
            addRows(rows, t, "opposing", tk.opposing(t), ids, y);
        }
        Csv.write(file, TOPK_HEADER, rows);
    }

    private static void addRows(List<Object[]> rows, int t, String kind, List<RankedPoint> pts, long[] ids, int[] y) {
        int rank = 1;
        for (RankedPoint p : pts) {
            rows.add(new Object[] {t, kind, rank++, p.trainIndex(), ids[p.trainIndex()], p.score(), y[p.trainIndex()]});
        }
    }

    /**
     * Writes {@code summary.json}.
     *
     * @param factorsReused whether the K-FAC factors came from {@code --factors}
     * @param inputs        the input files for the provenance
     */
    static void writeSummary(Path file, PreparedAttributor<Examples> prepared, AttributeInputs.Read data,
                             TrustDiagnostics d, int topK, boolean factorsReused, Timings timings,
                             Map<String, Path> inputs, long seed) {
        Map<String, Object> settings = new LinkedHashMap<>(prepared.provenance().settings());
        settings.put("top_k", topK);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", prepared.method());
        summary.put("artifact", Map.of("name", prepared.name(), "key", prepared.key()));
        summary.put("convention", prepared.convention());
        summary.put("orientation", Convention.ORIENTATION);
        summary.put("sign", Convention.SIGN);
        summary.put("n_train", data.x().rows());
        summary.put("n_test", data.xt().rows());
        summary.put("features", data.x().cols());
        summary.put("diagnostics", d);
        if (prepared instanceof KfacAttributor k) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", k.factors().name());
            f.put("key", k.factors().key());
            f.put("reused", factorsReused);
            f.put("folder", "factors");
            summary.put("factors", f);
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("seconds_prepare", timings.prepare());
        t.put("seconds_scores", timings.scores());
        t.put("seconds_self_influence", timings.selfInfluence());
        t.put("seconds_total", timings.total());
        summary.put("timings", t);
        summary.put("backend", Blas.backend().description());
        summary.put("settings", settings);
        summary.put("provenance", Provenance.of(prepared.method(), settings, inputs, seed));
        AtomicFiles.writeString(file, Json.write(summary));
    }
}
