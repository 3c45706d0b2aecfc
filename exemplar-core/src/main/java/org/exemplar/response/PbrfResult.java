package org.exemplar.response;

import java.util.List;
import java.util.Map;

import org.exemplar.linalg.DenseMatrix;

/**
 * Everything {@link PbrfExperiment} measured. Rows of every per-removal array follow {@link #removals()}.
 *
 * @param removals                  the removed training indices of each removal (P entries)
 * @param base                      the base training run (theta^s and ||grad J(theta^s)||)
 * @param parameterChanges          per response: (P x params) theta_response - theta^s
 * @param finalGradientNorms        per response: ||grad Q(theta)|| of each run's own objective at its end (P)
 * @param seconds                   per response: wall-clock seconds per removal (P)
 * @param testLossChanges           per response: L_test(theta_response) - L_test(theta^s) (P)
 * @param influence                 per solver: the influence estimates
 * @param predictedTestLossChanges  per solver (same order): grad L_test(theta^s)^T delta_theta_influence (P)
 * @param predictedTestOutputChanges per solver: (P x n_test*c) the first-order output change J_test delta_theta
 *                                  on every test input (row-major over test points, then outputs)
 * @param gaps                      (P x 5) warm-start, proximity, non-convergence, linearization, solver gaps, each
 *                                  mean_i ||f(theta_a, x_i) - f(theta_b, x_i)||_2 over training inputs; the solver
 *                                  gap against the first solver
 * @param solverGaps                (P x solvers) the linearized PBRF against each solver's estimate
 * @param correlations              per solver and response: Pearson and Spearman over the P removals
 * @param baseTestLoss              L_test(theta^s)
 * @param secondsTotal              wall-clock seconds of the whole experiment
 */
public record PbrfResult(List<int[]> removals, OptimizerRun base, Map<ResponseKind, DenseMatrix> parameterChanges,
                         Map<ResponseKind, double[]> finalGradientNorms, Map<ResponseKind, double[]> seconds,
                         Map<ResponseKind, double[]> testLossChanges, List<InfluenceEstimate> influence,
                         List<double[]> predictedTestLossChanges, List<DenseMatrix> predictedTestOutputChanges,
                         DenseMatrix gaps, DenseMatrix solverGaps,
                         List<CorrelationRow> correlations, double baseTestLoss, double secondsTotal) {

    /** Column names of {@link #gaps()} (Table 5's order). */
    public static final List<String> GAP_NAMES = List.of("warm_start", "proximity", "non_convergence",
            "linearization", "solver");

    /** The mean of each gap over the removals. */
    public double[] meanGaps() {
        return columnStat(gaps, false);
    }

    /** The standard deviation (population) of each gap over the removals. */
    public double[] gapStandardDeviations() {
        return columnStat(gaps, true);
    }

    /** The correlation row of one solver and ground truth, or null. */
    public CorrelationRow correlation(String solver, ResponseKind groundTruth) {
        for (CorrelationRow r : correlations) {
            if (r.solver().equals(solver) && r.groundTruth().equals(groundTruth.externalName())) {
                return r;
            }
        }
        return null;
    }

    /** Column means of a (removals x k) table such as {@link #solverGaps()}. */
    /**
     * Every trust problem of the run, one sentence each with its residual or gradient norm (empty when there is
     * none): base training above its tolerance, influence solves that did not converge or diverged, responses that
     * ended with a non-finite gradient.
     */
    public List<String> convergenceProblems() {
        List<String> out = new java.util.ArrayList<>();
        if (!base().converged()) {
            out.add("base training stopped at ||grad J|| = " + base().gradientNorm());
        }
        for (InfluenceEstimate est : influence()) {
            int bad = 0;
            for (boolean b : est.solves().converged()) {
                bad += b ? 0 : 1;
            }
            if (bad > 0) {
                double worst = java.util.Arrays.stream(est.solves().relativeResiduals()).max().orElse(Double.NaN);
                out.add(est.solver() + ": " + bad + " of " + est.solves().converged().length + " solves did not "
                        + "converge or diverged (largest relative residual " + worst + "; " + est.solves().diagnostics()
                        + ")");
            }
        }
        for (Map.Entry<ResponseKind, double[]> e : finalGradientNorms().entrySet()) {
            for (double g : e.getValue()) {
                if (!Double.isFinite(g)) {
                    out.add(e.getKey().externalName() + " ended with a non-finite gradient");
                    break;
                }
            }
        }
        return out;
    }

    public static double[] columnMeans(DenseMatrix m) {
        return columnStat(m, false);
    }

    static double[] columnStat(DenseMatrix m, boolean sd) {
        int n = m.rows();
        double[] mean = new double[m.cols()];
        double[] var = new double[m.cols()];
        for (int j = 0; j < m.cols(); j++) {
            for (int i = 0; i < n; i++) {
                mean[j] += m.get(i, j) / n;
            }
            for (int i = 0; i < n; i++) {
                double d = m.get(i, j) - mean[j];
                var[j] += d * d / n;
            }
            var[j] = Math.sqrt(var[j]);
        }
        return sd ? var : mean;
    }
}
