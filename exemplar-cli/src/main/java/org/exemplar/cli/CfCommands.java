package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.cf.CfAttribution;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.PairExplanation;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.SoftImpute;
import org.exemplar.data.Csv;
import org.exemplar.data.DataException;
import picocli.CommandLine.Option;

/**
 * What the collaborative-filtering commands of the high-dimensional representer (Tsai et al. 2023, Sec. 5) share:
 * the model options and the fit. The commands are {@link CfCommand} ({@code hdrep cf}), {@link CfExplainRatingCommand}
 * ({@code hdrep explain-rating}) and {@link CfDeletionCommand} ({@code evaluate deletion cf}).
 */
public final class CfCommands {
    private CfCommands() {
    }

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

        CfFit.Algorithm algorithm() {
            return train == null ? null : CfFit.Algorithm.parse(train);
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
            CfFit.Algorithm a = algorithm();
            s.put("train", a == null ? "imported embeddings" : a.name().toLowerCase(java.util.Locale.ROOT));
            s.put("normalize_ratings", normalize);
            s.put("seed", seed);
            if (a == CfFit.Algorithm.SOFT_IMPUTE) {
                s.put("lambda", lambda);
                s.put("max_rank", rank);
                s.put("max_iterations", maxIterations);
                s.put("tolerance", tolerance);
            } else if (a != null) {
                s.put("loss", CfLoss.named(loss).name().toLowerCase(java.util.Locale.ROOT));
                s.put("rank", rank);
                s.put("reg", reg);
                s.put("epochs", epochs);
                if (a == CfFit.Algorithm.SGD) {
                    s.put("learning_rate", learningRate);
                    s.put("batch_size", batchSize);
                }
                s.put("init_scale", initScale);
                s.put("negative_weight", negativeWeight);
            }
            return s;
        }
    }

    /** Fits the model ({@link CfFit#fit}), logs the fit, and refuses an unconverged Soft-Impute unless allowed. */
    static CfFit.Result fit(Ratings train, ModelOptions m, PrintWriter log, boolean quiet) {
        CfFit.Algorithm a = m.algorithm();
        boolean soft = a == CfFit.Algorithm.SOFT_IMPUTE;
        CfFit.Result r = CfFit.fit(train, a, soft ? null : m.mf(), soft ? m.softImpute() : null);
        SoftImpute.Result s = r.soft();
        if (s != null) {
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
        } else if (!quiet) {
            log.printf("%s: %d epochs, objective %.6g, train MAE %.4f, %.2f s%n", r.mf().algorithm(),
                    r.mf().options().epochs(), r.mf().objective(), (double) r.summary().get("train_mae"),
                    r.mf().seconds());
        }
        return r;
    }

    static void checkPairs(int[][] pairs, Ratings r, Path file) {
        for (int t = 0; t < pairs[0].length; t++) {
            if (pairs[0][t] >= r.numUsers() || pairs[1][t] >= r.numItems()) {
                throw new DataException(file, "row " + t + ": pair (" + pairs[0][t] + ", " + pairs[1][t]
                        + ") outside the " + r.numUsers() + " x " + r.numItems() + " rating matrix");
            }
        }
    }

    /**
     * One test pair's rows of {@code explanations.csv} (its attributions, the k highest and k lowest when topK > 0)
     * and its row of {@code predictions.csv}, appended to the lists.
     */
    static void addRows(int t, PairExplanation e, int topK, List<Object[]> rows, List<Object[]> preds) {
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

    /** Writes {@code explanations.csv} and {@code predictions.csv} (the columns README documents) into dir. */
    static void writeTables(OutputDirectory dir, List<Object[]> rows, List<Object[]> preds) {
        Csv.write(dir.file("explanations.csv"), new String[] {"test_index", "user", "item", "train_user",
            "train_item", "kind", "score"}, rows);
        Csv.write(dir.file("predictions.csv"), new String[] {"test_index", "user", "item", "prediction",
            "user_based_sum", "item_based_sum"}, preds);
    }
}
