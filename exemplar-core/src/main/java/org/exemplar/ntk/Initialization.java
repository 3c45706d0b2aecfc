package org.exemplar.ntk;

/** How the hidden units of {@link TwoLayerReluNetwork} are drawn; both give w_r ~ N(0, kappa^2 I), a_r = +-1. */
public enum Initialization {
    /** The paper's eq. (1): w_r and a_r independent (a_r uniform on {-1, +1}); f(W(0)) is O(kappa), not 0. */
    INDEPENDENT,
    /**
     * Units in pairs (w_r, a_r = +1), (w_r, a_r = -1) with the same w_r: each w_r and a_r has the paper's marginal
     * law, and f(W(0)) = 0 exactly, which the NTK dynamics assume (SPEC.md: "f(W(0)) ~ 0"). Needs an even width.
     */
    ANTISYMMETRIC
}
