package org.exemplar.cf;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Fits one of the two collaborative-filtering models the high-dimensional representer explains (Tsai et al. 2023):
 * matrix factorization (eq. 16) by ALS or SGD ({@link MfTrainer}), or the nuclear-norm model (eq. 12) by Soft-Impute
 * ({@link SoftImpute}), and builds its representer ({@link CfRepresenter}, Definition 1). The one place the choice of
 * training algorithm becomes a model, used by {@code hdrep cf}, {@code hdrep explain-rating} and
 * {@code evaluate deletion cf}.
 */
public final class CfFit {
    private CfFit() {
    }

    /** The training algorithm. */
    public enum Algorithm {
        ALS, SGD, SOFT_IMPUTE;

        /** als | sgd | soft-impute (also softimpute), any case. */
        public static Algorithm parse(String name) {
            return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
                case "als" -> ALS;
                case "sgd" -> SGD;
                case "soft-impute", "softimpute" -> SOFT_IMPUTE;
                default -> throw new IllegalArgumentException("--train must be als, sgd or soft-impute, got " + name);
            };
        }

        /** The MF trainer's algorithm (ALS or SGD); Soft-Impute has none. */
        public MfTrainer.Algorithm mf() {
            if (this == SOFT_IMPUTE) {
                throw new IllegalStateException("Soft-Impute is not a matrix-factorization trainer");
            }
            return this == ALS ? MfTrainer.Algorithm.ALS : MfTrainer.Algorithm.SGD;
        }
    }

    /**
     * A fitted model: its factors, its representer, the trainer's own result (exactly one of {@code mf} and
     * {@code soft} is set) and a summary of the fit for a results file.
     *
     * @param summary Soft-Impute: iterations, relative_change, converged, rank, rank_cap_binding, kkt_residual,
     *                spectral_slack, objective, seconds; MF: objective, objective_history, train_mae, train_rmse,
     *                seconds
     */
    public record Result(Algorithm algorithm, Factorization factors, CfRepresenter representer, MfResult mf,
                         SoftImpute.Result soft, Map<String, Object> summary) {
        /** False only when Soft-Impute stopped above its tolerance (MF runs its fixed number of epochs). */
        public boolean converged() {
            return soft == null || soft.converged();
        }
    }

    /**
     * Trains the model on {@code train}: Soft-Impute with {@code soft}, else MF with {@code mf} (SGD keeps its
     * checkpoints, which TracInCP needs).
     */
    public static Result fit(Ratings train, Algorithm a, MfOptions mf, SoftImpute.Options soft) {
        Map<String, Object> fit = new LinkedHashMap<>();
        if (a == Algorithm.SOFT_IMPUTE) {
            SoftImpute.Result s = SoftImpute.fit(train, soft);
            fit.put("iterations", s.iterations());
            fit.put("relative_change", s.relativeChange());
            fit.put("converged", s.converged());
            fit.put("rank", s.rank());
            fit.put("rank_cap_binding", s.rankCapBinding());
            fit.put("kkt_residual", s.kktResidual());
            fit.put("spectral_slack", s.spectralSlack());
            fit.put("objective", s.objective());
            fit.put("seconds", s.seconds());
            return new Result(a, s.factors(), CfRepresenter.forNuclearNorm(train, s), null, s, fit);
        }
        MfResult r = MfTrainer.train(train, mf, a.mf(), null, a == Algorithm.SGD);
        double[] err = MfTrainer.errors(r.factors(), train);
        fit.put("objective", r.objective());
        fit.put("objective_history", r.objectiveHistory());
        fit.put("train_mae", err[0]);
        fit.put("train_rmse", err[1]);
        fit.put("seconds", r.seconds());
        return new Result(a, r.factors(), CfRepresenter.forFactorization(train, r.factors(), mf.loss(),
                CfRepresenter.weights(train, mf)), r, null, fit);
    }

    /** Case deletion (Sec. 6.3) that retrains with the same algorithm and settings as {@link #fit}. */
    public static CfDeletion deletion(Ratings train, Algorithm a, MfOptions mf, SoftImpute.Options soft, int[] users,
                                      int[] items) {
        return a == Algorithm.SOFT_IMPUTE ? CfDeletion.forSoftImpute(train, soft, users, items)
                : CfDeletion.forMf(train, mf, a.mf(), users, items);
    }
}
