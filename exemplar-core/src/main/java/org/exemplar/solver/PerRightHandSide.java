package org.exemplar.solver;

/**
 * Per-right-hand-side solver diagnostics and their summaries, shared by a single batch
 * ({@link BatchSolveResult}) and the batches of a whole scoring run ({@code influence.SolveStats}).
 * A NaN residual makes the maximum NaN (Math.max propagates it): a failed solve is never hidden.
 */
public interface PerRightHandSide {
    int[] iterations();

    double[] relativeResiduals();

    boolean[] converged();

    default boolean allConverged() {
        return notConvergedCount() == 0;
    }

    default int notConvergedCount() {
        int k = 0;
        for (boolean c : converged()) {
            k += c ? 0 : 1;
        }
        return k;
    }

    default double maxRelativeResidual() {
        return max(relativeResiduals());
    }

    default int maxIterations() {
        int m = 0;
        for (int i : iterations()) {
            m = Math.max(m, i);
        }
        return m;
    }

    /** Largest entry (0 for none; NaN if any entry is NaN). */
    static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
