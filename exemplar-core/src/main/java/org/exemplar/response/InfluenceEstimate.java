package org.exemplar.response;

import java.util.Map;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.solver.BatchSolveResult;

/**
 * Damped Gauss-Newton influence estimates of the parameter change for a list of removals (rows), from one solver.
 *
 * @param solver           the solver's name (exact, cg, lissa)
 * @param solverSettings   its settings (scale resolved)
 * @param parameterChanges row r: eps (G + lambda I)^{-1} sum_{z in R_r} grad L_z(theta^s)  (eq. 6 / 49)
 * @param solves           the solver's per-row residuals and convergence
 * @param seconds          wall-clock time (preparation and solves)
 */
public record InfluenceEstimate(String solver, Map<String, Object> solverSettings, DenseMatrix parameterChanges,
                                BatchSolveResult solves, double seconds) {
}
