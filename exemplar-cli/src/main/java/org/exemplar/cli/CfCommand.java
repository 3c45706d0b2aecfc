package org.exemplar.cli;

import static org.exemplar.cli.CfCommands.checkPairs;
import static org.exemplar.cli.CfCommands.fit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.NormalizedEmbeddings;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cli.CfCommands.ModelOptions;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar hdrep cf}. */
@Command(name = "cf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "High-dimensional representer for collaborative filtering (Tsai et al. 2023, Definition 1).",
            "Explains the predicted score of every test pair (i', j') by the training ratings of item j' "
                + "(user-based, eq. 13) and of user i' (item-based, eq. 14), with normalized embeddings from "
                + "Algorithm 1 (V2 correction).",
            "Give trained embeddings (--user-embeddings/--item-embeddings: MF or two-tower outputs) or let the "
                + "command train the model (--train). The constant 1/(lambda |D|) is used for soft-impute only.",
            "Writes DIR/normalized_user.npy, DIR/normalized_item.npy, DIR/explanations.csv "
                + "(test_index,user,item,train_user,train_item,kind,score; kind = user|item; sorted by score per "
                + "test pair), DIR/summary.json; with --train also DIR/user_embeddings.npy, DIR/item_embeddings.npy.",
            "--method fia | tracin-cp explains the same pairs by the baselines of Sec. 6.3 instead, through the "
                + "attribution API: fast influence analysis (Cheng et al. 2019; --train als|sgd, --fia-damping) or "
                + "TracInCP over the SGD epochs' checkpoints (Pruthi et al. 2020, eq. 20; --train sgd); they write "
                + "explanations.csv (same columns), predictions.csv, summary.json, the trained embeddings and "
                + "DIR/attribution/, not the normalized embeddings."})
public final class CfCommand extends ResultsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ratings", required = true, paramLabel = "R.npy|u.data",
            description = "Training ratings: (n, 3) .npy triplets (0-based user, item, value) or MovieLens u.data (1-based ids).")
    Path ratings;

    @Option(names = "--user-embeddings", paramLabel = "U.npy", description = "Trained user embeddings U^, shape (|U|, k).")
    Path userEmbeddings;

    @Option(names = "--item-embeddings", paramLabel = "V.npy", description = "Trained item embeddings V^, shape (|I|, k).")
    Path itemEmbeddings;

    @Option(names = "--test-pairs", required = true, paramLabel = "P.npy",
            description = "Pairs to explain, 0-based: (user, item) rows, shape (n_test, 2), or (user, item, rating) "
                    + "rows, shape (n_test, 3), as in a ratings file (the rating is not used).")
    Path testPairs;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k highest and k lowest scores per test pair (0 = all) (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--method", defaultValue = "high-dim", paramLabel = "high-dim|fia|tracin-cp",
            description = "high-dim: the representer (Definition 1); fia: fast influence analysis (Cheng et al. 2019, "
                    + "needs --train als|sgd); tracin-cp (also tracincp): TracInCP over the SGD checkpoints (eq. 20, "
                    + "needs --train sgd) (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--fia-damping", defaultValue = "0", description = "fia: added to the restricted Hessian, as in "
            + "`evaluate deletion cf` (default ${DEFAULT-VALUE}).")
    double fiaDamping;

    @Option(names = "--save-artifact", description = "Also save the prepared attributor to DIR/artifact, which "
            + "`exemplar index build --from DIR/artifact` serves: high-dim saves cf-mf of the given embeddings (needs "
            + "--user-embeddings/--item-embeddings and --loss squared); fia and tracin-cp save the command's own "
            + "trained model (with the damping, the checkpoints and their learning rates).")
    boolean saveArtifact;

    @Mixin
    ModelOptions model;

    @Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        if ((userEmbeddings == null) != (itemEmbeddings == null)) {
            throw new IllegalArgumentException("give both --user-embeddings and --item-embeddings, or neither");
        }
        if ((userEmbeddings == null) == (model.train == null)) {
            throw new IllegalArgumentException("give either the embeddings or --train als|sgd|soft-impute");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        CfAttributor.Kind baseline = baseline(method);
        if (baseline != CfAttributor.Kind.FIA && fiaDamping != 0) {
            throw new IllegalArgumentException("--fia-damping goes with --method fia");
        }
        if (baseline != null) {
            return CfBaselineRun.run(this, log, baseline);
        }
        if (saveArtifact && (userEmbeddings == null || !"squared".equals(model.loss))) {
            throw new IllegalArgumentException("--save-artifact saves the cf-mf attributor of given embeddings: give "
                    + "--user-embeddings and --item-embeddings with --loss squared");
        }
        Ratings r = model.prepare(RatingsFiles.read(ratings));
        Factorization f;
        CfRepresenter rep;
        Map<String, Object> fit = null;
        if (userEmbeddings != null) {
            DenseMatrix u = Npy.read(userEmbeddings).toMatrix();
            DenseMatrix v = Npy.read(itemEmbeddings).toMatrix();
            Validation.requireFinite(u, userEmbeddings, "user embeddings");
            Validation.requireFinite(v, itemEmbeddings, "item embeddings");
            if (u.cols() != v.cols()) {
                throw new DataException(itemEmbeddings, "has " + v.cols() + " columns but " + userEmbeddings
                        + " has " + u.cols());
            }
            if (u.rows() < r.numUsers()) {
                throw new DataException(userEmbeddings, "has " + u.rows() + " rows but " + ratings
                        + " has users up to index " + (r.numUsers() - 1));
            }
            if (v.rows() < r.numItems()) {
                throw new DataException(itemEmbeddings, "has " + v.rows() + " rows but " + ratings
                        + " has items up to index " + (r.numItems() - 1));
            }
            r = new Ratings(u.rows(), v.rows(), r.users(), r.items(), r.values());
            f = new Factorization(u, v);
            CfLoss loss = CfLoss.named(model.loss);
            double[] w = new double[r.size()];
            for (int t = 0; t < w.length; t++) {
                w[t] = loss == CfLoss.LOGISTIC && r.value(t) == 0 ? model.negativeWeight : 1;
            }
            rep = CfRepresenter.forFactorization(r, f, loss, w);
        } else {
            CfFit.Result fd = fit(r, model, log, quiet);
            f = fd.factors();
            rep = fd.representer();
            fit = fd.summary();
        }
        int[][] pairs = RatingsFiles.readPairs(testPairs);
        checkPairs(pairs, r, testPairs);
        long t0 = System.nanoTime();
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> preds = new ArrayList<>();
        for (int t = 0; t < pairs[0].length; t++) {
            CfCommands.addRows(t, rep.explain(pairs[0][t], pairs[1][t]), topK, rows, preds);
        }
        double secondsExplain = (System.nanoTime() - t0) / 1e9;
        NormalizedEmbeddings ne = rep.embeddings();
        double maxErr = 0;
        for (int t = 0; t < Math.min(r.size(), 10000); t++) {
            maxErr = Math.max(maxErr, Math.abs(ne.predict(r.user(t), r.item(t)) - f.predict(r.user(t), r.item(t))));
        }
        boolean nuclear = model.algorithm() == CfFit.Algorithm.SOFT_IMPUTE;
        try (OutputDirectory dir = new OutputDirectory(out);
             ResultFiles common = attributionFiles.open(dir, CfAttributor.convention(nuclear
                     ? CfAttributor.Kind.NUCLEAR_NORM : CfAttributor.Kind.MF), pairs[0].length, r.size(),
                     topK > 0 ? topK : r.size())) {
            double worstSum = Double.NaN;
            for (int t = 0; t < pairs[0].length; t++) {
                common.acceptRaw(t, rep.scores(pairs[0][t], pairs[1][t]), 0, 1);
                if (nuclear) {   // Cor. 4: the user-based sum equals the prediction at the eq. (12) minimizer
                    double pred = ne.predict(pairs[0][t], pairs[1][t]);
                    double res = Math.abs(rep.userBasedSum(pairs[0][t], pairs[1][t]) - pred)
                            / Math.max(1.0, Math.abs(pred));
                    worstSum = Double.isNaN(worstSum) ? res : Math.max(worstSum, res);
                }
            }
            if (saveArtifact) {
                org.exemplar.attribution.Attributors.cfTwoTower(f, CfLoss.SQUARED).prepare(r)
                        .save(dir.file("artifact"));
            }
            Npy.write(dir.file("normalized_user.npy"), ne.users());
            Npy.write(dir.file("normalized_item.npy"), ne.items());
            if (model.train != null) {
                Npy.write(dir.file("user_embeddings.npy"), f.users());
                Npy.write(dir.file("item_embeddings.npy"), f.items());
            }
            CfCommands.writeTables(dir, rows, preds);
            Map<String, Object> settings = model.settings();
            settings.put("top_k", topK);
            settings.put("constant", rep.constant());
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("ratings", ratings);
            inputs.put("user_embeddings", userEmbeddings);
            inputs.put("item_embeddings", itemEmbeddings);
            inputs.put("test_pairs", testPairs);
            inputs.values().removeIf(java.util.Objects::isNull);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", "high-dimensional representer for CF (Tsai et al. 2023, Definition 1; "
                    + "Algorithm 1 with V~ = V2 V3 sqrt(S3))");
            summary.put("users", r.numUsers());
            summary.put("items", r.numItems());
            summary.put("ratings", r.size());
            summary.put("rank", ne.rank());
            summary.put("singular_values", ne.singularValues());
            summary.put("test_pairs", pairs[0].length);
            summary.put("explanation_rows", rows.size());
            summary.put("max_abs_product_error_on_training_pairs", maxErr);
            if (fit != null) {
                summary.put("fit", fit);
            }
            summary.put("seconds_explain", secondsExplain);
            summary.put("score_convention", "score > 0: the training rating pushes the predicted score up; "
                    + "kind user = same item as the test pair (eq. 13), item = same user (eq. 14)");
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("hdrep cf", settings, inputs, model.seed));
            boolean converged = fit == null || !Boolean.FALSE.equals(fit.get("converged"));
            double kkt = fit != null && fit.get("kkt_residual") instanceof Number k ? k.doubleValue() : Double.NaN;
            common.finish(new TrustDiagnostics(kkt, worstSum, Double.NaN, 0, converged, List.of()),
                    summary.get("provenance"), Map.of("train_index", "row of --ratings (0-based, in file order)"));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!quiet) {
            log.printf("explained %d test pairs (%d rows) in %.3f s; wrote %s/{normalized_user,normalized_item}.npy, "
                    + "explanations.csv, summary.json%n", pairs[0].length, rows.size(), secondsExplain, out);
        }
        return 0;
    }

    /** The baseline named by --method (null for high-dim). */
    private static CfAttributor.Kind baseline(String m) {
        return switch (m) {
            case "high-dim" -> null;
            case "fia" -> CfAttributor.Kind.FIA;
            case "tracin-cp", "tracincp" -> CfAttributor.Kind.TRACIN_CP;
            default -> throw new IllegalArgumentException("--method must be high-dim, fia or tracin-cp, got '" + m + "'");
        };
    }
}
