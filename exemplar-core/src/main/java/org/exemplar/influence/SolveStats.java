package org.exemplar.influence;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.solver.BatchSolveResult;

/**
 * Per-right-hand-side solver diagnostics gathered over batches (one entry per test point, or per training point
 * for self-influence): iterations, true residuals ||A x - b||, relative residuals and convergence, plus the
 * solver's notes (deduplicated).
 */
public record SolveStats(int[] iterations, double[] residualNorms, double[] relativeResiduals, boolean[] converged,
                         List<String> notes) implements org.exemplar.solver.PerRightHandSide {

    public double maxResidualNorm() {
        return org.exemplar.solver.PerRightHandSide.max(residualNorms);
    }

    /** Collects batch results in order. */
    static final class Builder {
        private final int[] iterations;
        private final double[] residuals;
        private final double[] relative;
        private final boolean[] converged;
        private final List<String> notes = new ArrayList<>();

        Builder(int n) {
            iterations = new int[n];
            residuals = new double[n];
            relative = new double[n];
            converged = new boolean[n];
        }

        void add(int first, BatchSolveResult r) {
            int k = r.iterations().length;
            System.arraycopy(r.iterations(), 0, iterations, first, k);
            System.arraycopy(r.residualNorms(), 0, residuals, first, k);
            System.arraycopy(r.relativeResiduals(), 0, relative, first, k);
            System.arraycopy(r.converged(), 0, converged, first, k);
            if (!notes.contains(r.diagnostics())) {
                notes.add(r.diagnostics());
            }
        }

        SolveStats build() {
            return new SolveStats(iterations, residuals, relative, converged, List.copyOf(notes));
        }
    }
}
