package org.exemplar.influence;

/**
 * What one influence computation produced (Koh &amp; Liang 2017, eq. 2; Bae et al. 2022, eq. 5), in one record: the
 * model at its optimum (with the fit's stationarity), the prepared influence functions (solver diagnostics,
 * preparation time), the test x train scores with their solve statistics, the self-influence (null when skipped)
 * and the seconds of the two scoring phases.
 */
public record InfluenceResult(ModelAtOptimum at, InfluenceFunctions functions, InfluenceScores scores,
                              SelfInfluence self, double secondsScores, double secondsSelf) {
    public InfluenceResult {
        java.util.Objects.requireNonNull(at, "at");
        java.util.Objects.requireNonNull(functions, "functions");
        java.util.Objects.requireNonNull(scores, "scores");
        if (!(secondsScores >= 0) || !(secondsSelf >= 0)) {
            throw new IllegalArgumentException("seconds must be >= 0, got " + secondsScores + " and " + secondsSelf);
        }
    }

}
