package org.exemplar.cli;

import org.exemplar.response.SolverChoice;
import picocli.CommandLine.Option;

/**
 * The inverse-Hessian solver settings shared by {@code influence} and {@code pbrf}: one set of names, help texts and
 * checks (issue 11). The commands differ only in LiSSA's default depth, given to the constructor; {@code --solver}
 * itself stays with each command (one solver for {@code influence}, a list for {@code pbrf}).
 */
final class SolverOptions {
    @Option(names = "--cg-tolerance", description = "CG: stop at ||r|| <= tol ||b|| (default ${DEFAULT-VALUE}).")
    double cgTolerance = 1e-10;

    @Option(names = "--cg-max-iterations", description = "CG iteration cap (default ${DEFAULT-VALUE}).")
    int cgMaxIterations = 1000;

    @Option(names = "--lissa-depth", description = "LiSSA recursion depth T (default ${DEFAULT-VALUE}; the paper: 5000).")
    int lissaDepth;

    @Option(names = "--lissa-repeats", description = "LiSSA repeats R averaged (default ${DEFAULT-VALUE}; the paper: 5).")
    int lissaRepeats = 1;

    @Option(names = "--lissa-scale", description = "LiSSA scale sigma (default: 1.5 x the largest eigenvalue of the damped "
            + "curvature (H or G) + damping I from 50 power iterations, recorded in summary.json).")
    Double lissaScale;

    @Option(names = "--lissa-batch-size", description = "LiSSA mini-batch size (default ${DEFAULT-VALUE}).")
    int lissaBatchSize = 128;

    @Option(names = "--lissa-tolerance", description = "LiSSA: a solve converges only when its true relative residual "
            + "||A x - b|| / ||b|| is at most this; otherwise exit 3 unless --allow-unconverged (default ${DEFAULT-VALUE}).")
    double lissaTolerance = 1e-2;

    /** @param lissaDepth the command's default LiSSA depth */
    SolverOptions(int lissaDepth) {
        this.lissaDepth = lissaDepth;
    }

    /** The settings record of one solver family (validated by {@link SolverChoice}). */
    SolverChoice choice(SolverChoice.Kind kind, long seed) {
        return new SolverChoice(kind, cgTolerance, cgMaxIterations, lissaDepth, lissaRepeats,
                lissaScale == null ? Double.NaN : lissaScale, lissaBatchSize, seed, lissaTolerance);
    }
}
