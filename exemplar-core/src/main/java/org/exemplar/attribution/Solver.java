package org.exemplar.attribution;

/** The inverse-Hessian-vector product solver of {@link InfluenceAttributor} (Bae et al. 2022, App. D). */
public enum Solver {
    /** Factorize the explicit (damped) curvature matrix: exact, O(P^3); small models. */
    EXACT,
    /** Conjugate gradient on exact curvature-vector products; needs a positive definite A. */
    CG,
    /** LiSSA (Agarwal et al. 2017): stochastic Neumann series on mini-batch curvature; seeded. */
    LISSA,
    /** Arnoldi (Schioppa et al. 2022): top eigenpairs of A from a seeded Krylov basis. */
    ARNOLDI
}
