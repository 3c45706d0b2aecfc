/**
 * Optimizers and linear solvers: L-BFGS with a strong-Wolfe line search, Newton-CG, conjugate gradient. Every
 * result carries its residual and whether it converged.
 */
package org.exemplar.solver;
