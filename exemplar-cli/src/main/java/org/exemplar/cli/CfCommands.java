package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfResult;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.SoftImpute;
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
}
