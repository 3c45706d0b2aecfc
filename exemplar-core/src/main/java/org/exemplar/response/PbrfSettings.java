package org.exemplar.response;

import java.util.List;

/**
 * The experiment of Bae et al. 2022, App. E.2: train once, then for {@code points} random removals compute the six
 * responses and the influence estimate of each solver.
 *
 * @param response        the optimizer settings
 * @param points          P, the number of random removals (the paper: 20)
 * @param removedFraction 0 to remove one training point per removal; otherwise each removal is a random group of
 *                        max(1, round(fraction N)) points (Sec. 6.2's "percentage of training examples removed")
 * @param pointSeed       seed of the random removals
 * @param testLoss        which test loss the correlations use
 * @param solvers         the influence solvers; the first gives the solver gap and the main correlations
 */
public record PbrfSettings(ResponseSettings response, int points, double removedFraction, long pointSeed,
                           TestLossTarget testLoss, List<SolverChoice> solvers) {
    public PbrfSettings {
        if (response == null || testLoss == null || solvers == null) {
            throw new IllegalArgumentException("response settings, test loss and solvers are required");
        }
        if (points < 1) {
            throw new IllegalArgumentException("points must be >= 1, got " + points);
        }
        if (!(removedFraction >= 0 && removedFraction < 1)) {
            throw new IllegalArgumentException("removed fraction must lie in [0, 1), got " + removedFraction);
        }
        if (solvers.isEmpty()) {
            throw new IllegalArgumentException("at least one influence solver is needed");
        }
        solvers = List.copyOf(solvers);
    }

    public PbrfSettings withResponse(ResponseSettings r) {
        return new PbrfSettings(r, points, removedFraction, pointSeed, testLoss, solvers);
    }

    public PbrfSettings withRemovedFraction(double f) {
        return new PbrfSettings(response, points, f, pointSeed, testLoss, solvers);
    }
}
