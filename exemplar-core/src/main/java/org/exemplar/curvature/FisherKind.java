package org.exemplar.curvature;

/**
 * Which labels the gradient covariance S = E[g g^T] is taken over.
 */
public enum FisherKind {
    /**
     * The true Fisher, Monte Carlo: one pseudo-label per example drawn from the model's predictive distribution
     * (categorical for softmax, Bernoulli per output for sigmoid; for the squared loss the gradient
     * g = H_y^{1/2} eps with eps ~ N(0, I), which is y ~ N(Phi, I)), seeded. kronfluence's default.
     */
    SAMPLED,
    /**
     * The true Fisher, exactly: the expectation over the predictive distribution, E_y[g g^T] = B^T H_y B, from
     * back-propagating the c columns of a square root of the output Hessian H_y. Deterministic; costs c backward
     * passes. For these losses (canonical links) the per-example Fisher equals the Gauss-Newton matrix's.
     */
    EXPECTED,
    /** The empirical Fisher: the true training labels. */
    EMPIRICAL;

    /** Lower-case name for the command line and provenance. */
    public String externalName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses "sampled", "expected" or "empirical". */
    public static FisherKind parse(String s) {
        for (FisherKind k : values()) {
            if (k.externalName().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown Fisher kind '" + s + "' (expected sampled, expected or empirical)");
    }
}
