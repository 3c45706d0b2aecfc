package org.exemplar.cli;

import static org.exemplar.cli.CfCommands.checkPairs;
import static org.exemplar.cli.CfCommands.fit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.PairExplanation;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;

/**
 * {@code exemplar hdrep cf --method fia | tracin-cp}: the CF baselines of Tsai et al. 2023, Sec. 6.3 (fast influence
 * analysis, Cheng et al. 2019; TracInCP, Pruthi et al. 2020, eq. 20) through the attribution API, and their output
 * files. The scores are the library's ({@link CfAttributor}); this class only checks the options and writes.
 */
final class CfBaselineRun {
    private CfBaselineRun() {
    }

    /**
     * --method fia | tracin-cp: trains MF here, prepares the library's {@link CfAttributor} on that fit (the model the
     * artifact saves), scores every test pair through it and writes the results.
     */
    static int run(CfCommand c, PrintWriter log, CfAttributor.Kind kind) {
        if (c.userEmbeddings != null || c.itemEmbeddings != null) {
            throw new IllegalArgumentException("--method " + c.method + " explains a model trained here: give --train "
                    + (kind == CfAttributor.Kind.FIA ? "als|sgd" : "sgd") + ", not embeddings");
        }
        CfFit.Algorithm a = c.model.algorithm();
        if (a == CfFit.Algorithm.SOFT_IMPUTE) {
            throw new IllegalArgumentException("--method " + c.method + " explains matrix factorization (eq. 16), not "
                    + "the nuclear-norm model: use --train " + (kind == CfAttributor.Kind.FIA ? "als|sgd" : "sgd"));
        }
        if (kind == CfAttributor.Kind.TRACIN_CP && a != CfFit.Algorithm.SGD) {
            throw new IllegalArgumentException("--method tracin-cp needs SGD checkpoints: use --train sgd");
        }
        if (!(c.fiaDamping >= 0) || !Double.isFinite(c.fiaDamping)) {
            throw new IllegalArgumentException("--fia-damping must be finite and >= 0, got " + c.fiaDamping);
        }
        if (c.model.epochs < 1 && kind == CfAttributor.Kind.TRACIN_CP) {
            throw new IllegalArgumentException("--method tracin-cp needs --epochs >= 1 (one checkpoint per epoch)");
        }
        Ratings r = c.model.prepare(RatingsFiles.read(c.ratings));
        int[][] pairs = RatingsFiles.readPairs(c.testPairs);
        checkPairs(pairs, r, c.testPairs);
        CfFit.Result fd = fit(r, c.model, log, c.quiet);
        CfAttributor.FactorizationBuilder b = kind == CfAttributor.Kind.FIA
                ? org.exemplar.attribution.Attributors.fia(c.model.mf()).damping(c.fiaDamping)
                : org.exemplar.attribution.Attributors.tracInCp(c.model.mf());
        CfAttributor attr = b.algorithm(a.mf()).prepare(r, fd.mf());
        int nt = pairs[0].length;
        long t0 = System.nanoTime();
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> preds = new ArrayList<>();
        try (OutputDirectory dir = new OutputDirectory(c.out);
             ResultFiles common = c.attributionFiles.open(dir, attr.convention(), nt, r.size(),
                     c.topK > 0 ? c.topK : r.size())) {
            final Ratings train = r;
            TrustDiagnostics d = attr.score(org.exemplar.attribution.RatingPairs.of(pairs[0], pairs[1]),
                    Math.max(1, attr.defaultBlockRows()), (first, block) -> {
                        common.accept(first, block);
                        for (int q = 0; q < block.rows(); q++) {
                            int t = first + q;
                            CfCommands.addRows(t, PairExplanation.of(train, pairs[0][t], pairs[1][t],
                                    attr.prediction(pairs[0][t], pairs[1][t]), block.row(q)), c.topK, rows, preds);
                        }
                    });
            double secondsExplain = (System.nanoTime() - t0) / 1e9;
            if (c.saveArtifact) {
                attr.save(dir.file("artifact"));
            }
            Npy.write(dir.file("user_embeddings.npy"), fd.factors().users());
            Npy.write(dir.file("item_embeddings.npy"), fd.factors().items());
            CfCommands.writeTables(dir, rows, preds);
            Map<String, Object> settings = c.model.settings();
            settings.put("method", kind.method());
            if (kind == CfAttributor.Kind.FIA) {
                settings.put("fia_damping", c.fiaDamping);
            }
            settings.put("top_k", c.topK);
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("ratings", c.ratings);
            inputs.put("test_pairs", c.testPairs);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", kind == CfAttributor.Kind.FIA
                    ? "fast influence analysis for MF (Cheng et al. 2019): influence restricted to (u_i', v_j')"
                    : "TracInCP for MF over the SGD epochs' checkpoints (Pruthi et al. 2020; Tsai et al. 2023, eq. 20)");
            summary.put("users", r.numUsers());
            summary.put("items", r.numItems());
            summary.put("ratings", r.size());
            summary.put("rank", c.model.rank);
            summary.put("test_pairs", nt);
            summary.put("explanation_rows", rows.size());
            summary.put("fit", fd.summary());
            summary.put("seconds_explain", secondsExplain);
            summary.put("score_convention", "score > 0: the training rating pushes the predicted score up; "
                    + "kind user = same item as the test pair, item = same user; prediction = <U_i', V_j'> of the "
                    + "trained factors; the sums are of the method's scores (no identity)");
            summary.put("artifact_key", attr.key());
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("hdrep cf", settings, inputs, c.model.seed));
            common.finish(d, summary.get("provenance"), Map.of("train_index", "row of --ratings (0-based, in file "
                    + "order)", "artifact_key", attr.key()));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
            if (!c.quiet) {
                log.printf("%s: explained %d test pairs (%d rows) in %.3f s; wrote %s/{explanations,predictions}.csv, "
                        + "summary.json, attribution/%s%n", kind.method(), nt, rows.size(), secondsExplain, c.out,
                        c.saveArtifact ? ", artifact/" : "");
            }
        }
        return 0;
    }
}
