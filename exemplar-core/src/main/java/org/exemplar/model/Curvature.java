package org.exemplar.model;

/**
 * Which second-order matrix of the objective J an influence estimate inverts (Bae et al. 2022, Sec. 3).
 */
public enum Curvature {
    /** The exact Hessian H = d^2 J / d theta^2 (Pearlmutter's R-operator); indefinite for non-convex models. */
    HESSIAN("full"),
    /**
     * The generalized Gauss-Newton matrix G = (1/n) sum_i J_i^T H_y,i J_i + l2 I, positive semi-definite for
     * losses convex in the output (eq. 12). Equal to H for models linear in theta (no hidden layer).
     */
    GAUSS_NEWTON("gauss-newton");

    private final String externalName;

    Curvature(String externalName) {
        this.externalName = externalName;
    }

    /** The command-line spelling: {@code full} or {@code gauss-newton}. */
    public String externalName() {
        return externalName;
    }

    /** Parses {@code full}/{@code hessian} or {@code gauss-newton}/{@code gnh}/{@code ggn}. */
    public static Curvature parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "full", "hessian" -> HESSIAN;
            case "gauss-newton", "gnh", "ggn", "gn" -> GAUSS_NEWTON;
            default -> throw new IllegalArgumentException("unknown curvature '" + s
                    + "' (expected full or gauss-newton)");
        };
    }
}
