package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.cf.CfAttribution;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfResult;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.NormalizedEmbeddings;
import org.exemplar.cf.PairExplanation;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cf.SoftImpute;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
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

/**
 * Collaborative-filtering commands of the high-dimensional representer (Tsai et al. 2023, Sec. 5): {@code hdrep cf},
 * {@code hdrep explain-rating} and {@code evaluate deletion cf}. Standalone picocli classes; the parent commands
 * register them.
 */
public final class CfCommands {
    private CfCommands() {
    }

    /** Which model to train. */
    enum Train { ALS, SGD, SOFT_IMPUTE }

    /** Model settings shared by the CF commands. */
    static final class ModelOptions {
        @Option(names = "--allow-unconverged",
                description = "Continue when Soft-Impute stops above its tolerance (reported); otherwise exit 3.")
        boolean allowUnconverged;

        @Option(names = "--train", paramLabel = "als|sgd|soft-impute",
                description = "Train the model: MF (eq. 16) by ALS or SGD, or the nuclear-norm model (eq. 12) by Soft-Impute.")
        String train;

        @Option(names = "--loss", defaultValue = "squared", description = "squared | logistic (BCE, ratings 0/1) (default ${DEFAULT-VALUE}).")
        String loss;

        @Option(names = "--rank", defaultValue = "16", description = "Embedding width k (MF) or rank cap (Soft-Impute) (default ${DEFAULT-VALUE}).")
        int rank;

        @Option(names = "--reg", defaultValue = "1.0", description = "MF L2 strength: J = sum l + (reg/2)(|U|^2 + |V|^2) (default ${DEFAULT-VALUE}).")
        double reg;

        @Option(names = "--epochs", defaultValue = "10", description = "SGD epochs or ALS sweeps (default ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--learning-rate", defaultValue = "2.0", description = "SGD step on J/|D| (default ${DEFAULT-VALUE}, the paper's MF setting).")
        double learningRate;

        @Option(names = "--batch-size", defaultValue = "3000", description = "SGD minibatch (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--init-scale", defaultValue = "0.1", description = "Initial embeddings ~ N(0, s^2) (default ${DEFAULT-VALUE}).")
        double initScale;

        @Option(names = "--negative-weight", defaultValue = "1.0", description = "Weight of y = 0 ratings under the logistic loss (App. C: 0.05) (default ${DEFAULT-VALUE}).")
        double negativeWeight;

        @Option(names = "--lambda", defaultValue = "0.0005", description = "Soft-Impute lambda of eq. (12) (per rating; lambda_M = lambda |D|) (default ${DEFAULT-VALUE}).")
        double lambda;

        @Option(names = "--max-iterations", defaultValue = "20", description = "Soft-Impute iterations (default ${DEFAULT-VALUE}, as in the paper).")
        int maxIterations;

        @Option(names = "--tolerance", defaultValue = "1e-6", description = "Soft-Impute relative-change stopping rule (default ${DEFAULT-VALUE}).")
        double tolerance;

        @Option(names = "--normalize-ratings", description = "Map ratings 1..5 onto [-1, 1] by (y - 3) / 2 first (the paper's normalization).")
        boolean normalize;

        @Option(names = "--seed", defaultValue = "0", description = "Initialization, shuffling and split seed (default ${DEFAULT-VALUE}).")
        long seed;

        Train algorithm() {
            if (train == null) {
                return null;
            }
            return switch (train.toLowerCase(java.util.Locale.ROOT)) {
                case "als" -> Train.ALS;
                case "sgd" -> Train.SGD;
                case "soft-impute", "softimpute" -> Train.SOFT_IMPUTE;
                default -> throw new IllegalArgumentException("--train must be als, sgd or soft-impute, got " + train);
            };
        }

        MfOptions mf() {
            return new MfOptions(CfLoss.named(loss), rank, reg, epochs, learningRate, batchSize, initScale,
                    negativeWeight, seed);
        }

        SoftImpute.Options softImpute() {
            return new SoftImpute.Options(lambda, rank, maxIterations, tolerance);
        }

        Ratings prepare(Ratings r) {
            return normalize ? r.affine(0.5, -1.5) : r;
        }

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            Train a = algorithm();
            s.put("train", a == null ? "imported embeddings" : a.name().toLowerCase(java.util.Locale.ROOT));
            s.put("normalize_ratings", normalize);
            s.put("seed", seed);
            if (a == Train.SOFT_IMPUTE) {
                s.put("lambda", lambda);
                s.put("max_rank", rank);
                s.put("max_iterations", maxIterations);
                s.put("tolerance", tolerance);
            } else if (a != null) {
                s.put("loss", CfLoss.named(loss).name().toLowerCase(java.util.Locale.ROOT));
                s.put("rank", rank);
                s.put("reg", reg);
                s.put("epochs", epochs);
                if (a == Train.SGD) {
                    s.put("learning_rate", learningRate);
                    s.put("batch_size", batchSize);
                }
                s.put("init_scale", initScale);
                s.put("negative_weight", negativeWeight);
            }
            return s;
        }
    }

    /** A fitted model with its representer and a summary of the fit. */
    record Fitted(Factorization factors, CfRepresenter representer, MfResult mf, SoftImpute.Result soft,
                  Map<String, Object> fit) {
    }

    static Fitted fit(Ratings train, ModelOptions m, PrintWriter log, boolean quiet) {
        Train a = m.algorithm();
        Map<String, Object> fit = new LinkedHashMap<>();
        if (a == Train.SOFT_IMPUTE) {
            SoftImpute.Result s = SoftImpute.fit(train, m.softImpute());
            fit.put("iterations", s.iterations());
            fit.put("relative_change", s.relativeChange());
            fit.put("converged", s.converged());
            fit.put("rank", s.rank());
            fit.put("rank_cap_binding", s.rankCapBinding());
            fit.put("kkt_residual", s.kktResidual());
            fit.put("spectral_slack", s.spectralSlack());
            fit.put("objective", s.objective());
            fit.put("seconds", s.seconds());
            if (!quiet) {
                log.printf("soft-impute: %d iterations, rank %d, relative change %.3e (%s), KKT residual %.3e%s%n",
                        s.iterations(), s.rank(), s.relativeChange(), s.converged() ? "converged" : "NOT converged",
                        s.kktResidual(), s.rankCapBinding() ? ", rank cap binds (not the eq. 12 optimum)" : "");
            }
            if (!s.converged() && !m.allowUnconverged) {
                throw new NotConvergedException("soft-impute did not converge in " + s.iterations() + " iterations: "
                        + "relative change " + s.relativeChange() + ", KKT residual " + s.kktResidual()
                        + "; raise --max-iterations or pass --allow-unconverged");
            }
            return new Fitted(s.factors(), CfRepresenter.forNuclearNorm(train, s), null, s, fit);
        }
        MfOptions o = m.mf();
        MfResult r = MfTrainer.train(train, o, a == Train.ALS ? MfTrainer.Algorithm.ALS : MfTrainer.Algorithm.SGD,
                null, a == Train.SGD);
        double[] err = MfTrainer.errors(r.factors(), train);
        fit.put("objective", r.objective());
        fit.put("objective_history", r.objectiveHistory());
        fit.put("train_mae", err[0]);
        fit.put("train_rmse", err[1]);
        fit.put("seconds", r.seconds());
        if (!quiet) {
            log.printf("%s: %d epochs, objective %.6g, train MAE %.4f, %.2f s%n", r.algorithm(), o.epochs(),
                    r.objective(), err[0], r.seconds());
        }
        return new Fitted(r.factors(), CfRepresenter.forFactorization(train, r.factors(), o.loss(),
                CfRepresenter.weights(train, o)), r, null, fit);
    }

    static void checkPairs(int[][] pairs, Ratings r, Path file) {
        for (int t = 0; t < pairs[0].length; t++) {
            if (pairs[0][t] >= r.numUsers() || pairs[1][t] >= r.numItems()) {
                throw new DataException(file, "row " + t + ": pair (" + pairs[0][t] + ", " + pairs[1][t]
                        + ") outside the " + r.numUsers() + " x " + r.numItems() + " rating matrix");
            }
        }
    }

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
                    + "test pair), DIR/summary.json; with --train also DIR/user_embeddings.npy, DIR/item_embeddings.npy."})
    public static final class Cf extends ResultsCommand implements Callable<Integer> {
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
                Fitted fd = fit(r, model, log, quiet);
                f = fd.factors();
                rep = fd.representer();
                fit = fd.fit();
            }
            int[][] pairs = RatingsFiles.readPairs(testPairs);
            checkPairs(pairs, r, testPairs);
            long t0 = System.nanoTime();
            List<Object[]> rows = new ArrayList<>();
            List<Object[]> preds = new ArrayList<>();
            for (int t = 0; t < pairs[0].length; t++) {
                PairExplanation e = rep.explain(pairs[0][t], pairs[1][t]);
                List<CfAttribution> a = e.attributions();
                for (int p = 0; p < a.size(); p++) {
                    if (topK > 0 && p >= topK && p < a.size() - topK) {
                        continue;
                    }
                    CfAttribution x = a.get(p);
                    rows.add(new Object[] {t, e.user(), e.item(), x.user(), x.item(), x.kind().label(), x.score()});
                }
                preds.add(new Object[] {t, e.user(), e.item(), e.prediction(), e.userBasedSum(), e.itemBasedSum()});
            }
            double secondsExplain = (System.nanoTime() - t0) / 1e9;
            NormalizedEmbeddings ne = rep.embeddings();
            double maxErr = 0;
            for (int t = 0; t < Math.min(r.size(), 10000); t++) {
                maxErr = Math.max(maxErr, Math.abs(ne.predict(r.user(t), r.item(t)) - f.predict(r.user(t), r.item(t))));
            }
            boolean nuclear = model.algorithm() == Train.SOFT_IMPUTE;
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
                Npy.write(dir.file("normalized_user.npy"), ne.users());
                Npy.write(dir.file("normalized_item.npy"), ne.items());
                if (model.train != null) {
                    Npy.write(dir.file("user_embeddings.npy"), f.users());
                    Npy.write(dir.file("item_embeddings.npy"), f.items());
                }
                Csv.write(dir.file("explanations.csv"), new String[] {"test_index", "user", "item", "train_user",
                    "train_item", "kind", "score"}, rows);
                Csv.write(dir.file("predictions.csv"), new String[] {"test_index", "user", "item", "prediction",
                    "user_based_sum", "item_based_sum"}, preds);
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
    }
}
