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
                         List<String> notes) {

    public boolean allConverged() {
        for (boolean c : converged) {
            if (!c) {
                return false;
            }
        }
        return true;
    }

    public int notConvergedCount() {
        int k = 0;
        for (boolean c : converged) {
            k += c ? 0 : 1;
        }
        return k;
    }

    public double maxRelativeResidual() {
        double m = 0;
        for (double r : relativeResiduals) {
            m = Double.isNaN(r) ? Double.NaN : Math.max(m, r);
        }
        return m;
    }

    public double maxResidualNorm() {
        double m = 0;
        for (double r : residualNorms) {
            m = Double.isNaN(r) ? Double.NaN : Math.max(m, r);
        }
        return m;
    }

    public int maxIterations() {
        int m = 0;
        for (int i : iterations) {
            m = Math.max(m, i);
        }
        return m;
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
