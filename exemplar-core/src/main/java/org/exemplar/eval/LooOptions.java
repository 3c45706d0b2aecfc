package org.exemplar.eval;

import org.exemplar.model.TightTrainingOptions;

/**
 * Settings of {@link LeaveOneOut}.
 *
 * @param start         where retraining starts (Bae et al. 2022, Table 1: cold-start vs warm-start)
 * @param normalization whether the retrained objective keeps the full set's 1/n or re-averages over n - 1
 * @param training      stopping rule of every retraining (same absolute bar as the base fit)
 */
public record LooOptions(Start start, Normalization normalization, TightTrainingOptions training) {

    /** Where leave-one-out retraining starts. */
    public enum Start {
        /** From the original initialization theta^0 (the seeded start of the base fit). */
        COLD,
        /** From the trained parameters theta^s. */
        WARM
    }

    /** The data term of the retrained objective. */
    public enum Normalization {
        /**
         * J_{-i} = (1/n) sum_{j != i} L_j + (l2/2)||theta||^2 = J - (1/n) L_i: exactly the response function the
         * influence estimate linearizes (epsilon = 1/N; Bae et al. Table 1). The default.
         */
        KEEP_FULL_N,
        /**
         * J_{-i} = (1/(n-1)) sum_{j != i} L_j + (l2/2)||theta||^2: "retrain on the smaller data set". Differs from
         * KEEP_FULL_N by an O(1/n) change of the effective regularization, which shifts every LOO difference by a
         * common first-order term the influence estimate does not model.
         */
        REAVERAGE
    }

    public LooOptions {
        java.util.Objects.requireNonNull(start, "start");
        java.util.Objects.requireNonNull(normalization, "normalization");
        java.util.Objects.requireNonNull(training, "training");
    }

    /** Warm start, keep 1/n, tolerance 1e-10. */
    public static LooOptions defaults() {
        return new LooOptions(Start.WARM, Normalization.KEEP_FULL_N, TightTrainingOptions.defaults());
    }
}
