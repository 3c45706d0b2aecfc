package org.exemplar.representer;

import org.exemplar.linalg.DenseMatrix;

/**
 * A fitted last layer Theta (c x p) and how well it is converged.
 *
 * @param stationarityResidual ||Theta - sum_i alpha_i f_i^T||_F / ||Theta||_F (Thm 3.1 holds exactly at 0)
 * @param converged            whether the residual reached the requested tolerance
 * @param method               "lbfgs" or "lbfgs+newton-cg"
 */
public record LastLayerFit(DenseMatrix theta, double objective, double stationarityResidual, int iterations,
                           boolean converged, String method, String message, double seconds) {
}
