package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.List;

/**
 * How far a result can be trusted. Entries that a method does not define are {@code NaN} (or 0 iterations).
 *
 * @param stationarityResidual  how far the prepared model is from the stationary point its theory needs (RPS:
 *                              ||Theta - sum alpha f^T|| / ||Theta||; influence: ||grad J|| relative to its start;
 *                              sparse: KKT residual / lambda; CF nuclear norm: KKT residual)
 * @param decompositionResidual the worst relative error |sum_i raw_i - output| / max(1, |output|) of the
 *                              representer identity over the scored test points (NaN where the method has no
 *                              such identity)
 * @param solverResidual        the worst relative residual ||A x - b|| / ||b|| of the linear solves (influence)
 * @param solverIterations      the most iterations any solve took
 * @param converged             whether the fit and every solve met its tolerance
 * @param notes                 short facts worth a reader's eye (deduplicated)
 */
public record TrustDiagnostics(double stationarityResidual, double decompositionResidual, double solverResidual,
                               int solverIterations, boolean converged, List<String> notes) {
    public TrustDiagnostics {
        notes = List.copyOf(notes);
    }

    /** Nothing measured, converged. */
    public static TrustDiagnostics none() {
        return new TrustDiagnostics(Double.NaN, Double.NaN, Double.NaN, 0, true, List.of());
    }

    /** A fit's stationarity and convergence only. */
    public static TrustDiagnostics ofFit(double stationarityResidual, boolean converged, String note) {
        return new TrustDiagnostics(stationarityResidual, Double.NaN, Double.NaN, 0, converged,
                note == null ? List.of() : List.of(note));
    }

    /** The worse of each entry (NaN counts as "not measured"), notes concatenated without repeats. */
    public TrustDiagnostics merge(TrustDiagnostics o) {
        List<String> n = new ArrayList<>(notes);
        for (String s : o.notes) {
            if (!n.contains(s)) {
                n.add(s);
            }
        }
        return new TrustDiagnostics(worst(stationarityResidual, o.stationarityResidual),
                worst(decompositionResidual, o.decompositionResidual), worst(solverResidual, o.solverResidual),
                Math.max(solverIterations, o.solverIterations), converged && o.converged, n);
    }

    private static double worst(double a, double b) {
        if (Double.isNaN(a)) {
            return b;
        }
        if (Double.isNaN(b)) {
            return a;
        }
        return Math.max(a, b);
    }
}
