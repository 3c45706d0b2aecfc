package org.exemplar.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.Csv;
import org.exemplar.data.Npz;
import org.exemplar.data.NpyArray;
import org.exemplar.response.BatchSchedule;
import org.exemplar.response.CorrelationRow;
import org.exemplar.response.InfluenceEstimate;
import org.exemplar.response.PbrfResult;
import org.exemplar.response.ResponseKind;
import org.exemplar.response.ResponseSettings;

/**
 * The files of {@code exemplar pbrf}: decomposition.csv, correlations.csv, responses.npz and the summary's content
 * (the definitions of its quantities are shared with {@code pbrf sweep}).
 */
final class PbrfOutputs {
    private PbrfOutputs() {
    }

    /** The settings as they go into summary.json. */
    static Map<String, Object> settings(PbrfInputs.Problem p, String activation, String solvers, long seed) {
        ResponseSettings r = p.settings().response();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", p.modelName());
        s.put("loss", p.train().loss().name());
        s.put("activation", p.hidden() != null ? activation : null);
        s.put("optimizer", r.optimizer().externalName());
        s.put("epochs", r.epochs());
        s.put("batch_size", r.batchSize());
        s.put("learning_rate", r.learningRate());
        s.put("response_epochs", r.responseEpochs());
        s.put("response_learning_rate", r.learningRate() * r.responseLearningRateFactor());
        s.put("cold_start_epochs", r.epochs() + r.coldExtraEpochs());
        s.put("l2", r.l2());
        s.put("damping", r.damping());
        s.put("tolerance", r.tolerance());
        s.put("max_iterations", r.maxIterations());
        s.put("points", p.settings().points());
        s.put("removed_fraction", p.settings().removedFraction());
        s.put("epsilon", "1/N per removed point");
        s.put("test_loss", p.settings().testLoss().externalName());
        s.put("solvers", solvers);
        s.put("seed", seed);
        s.values().removeIf(java.util.Objects::isNull);
        return s;
    }

    /** The content of {@code summary.json}: definitions, shapes, the base fit, gaps, correlations, solvers, timings. */
    static Map<String, Object> summary(PbrfResult r, PbrfInputs.Problem p, Map<String, Object> settings,
                                       Object provenance) {
        List<String> problems = r.convergenceProblems();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", "response functions and the five-gap decomposition (Bae et al. 2022, eq. 7, 8, 11, "
                + "49, App. E.2, F.2)");
        summary.put("definitions", definitions());
        summary.put("n_train", p.train().size());
        summary.put("n_test", p.testX().rows());
        summary.put("parameters", p.initial().parameterCount());
        summary.put("base", Map.of("final_gradient_norm", r.base().gradientNorm(), "objective", r.base().objective(),
                "steps", r.base().steps(), "converged", r.base().converged(), "seconds", r.base().seconds()));
        summary.put("base_test_loss", r.baseTestLoss());
        summary.put("mean_gaps", gapMap(r.meanGaps()));
        summary.put("gap_standard_deviations", gapMap(r.gapStandardDeviations()));
        summary.put("correlations", r.correlations());
        summary.put("final_gradient_norms", perResponse(r.finalGradientNorms()));
        summary.put("solvers", solverSummaries(r));
        summary.put("removed", r.removals());
        summary.put("convergence_problems", problems);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("base_training", r.base().seconds());
        for (Map.Entry<ResponseKind, double[]> e : r.seconds().entrySet()) {
            timings.put(e.getKey().externalName() + "_per_point", mean(e.getValue()));
        }
        for (InfluenceEstimate est : r.influence()) {
            timings.put("influence_" + est.solver(), est.seconds());
        }
        timings.put("total", r.secondsTotal());
        summary.put("seconds", timings);
        summary.put("settings", settings);
        summary.put("provenance", provenance);
        return summary;
    }

    static Map<String, Object> definitions() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("gap", "mean over training inputs x_i of ||f(theta_a, x_i) - f(theta_b, x_i)||_2, f = the model's "
                + "pre-activation outputs; warm_start = cold vs warm, proximity = warm vs proximal, non_convergence = "
                + "proximal vs PBRF, linearization = PBRF vs linearized PBRF, solver = linearized PBRF vs the first "
                + "solver's influence estimate theta^s + eps (G + lambda I)^{-1} grad L_z");
        d.put("test_loss_change", "actual: L_test(theta_response) - L_test(theta^s); predicted: grad L_test(theta^s)^T "
                + "delta_theta_influence (eq. 23); test loss = the mean over the test set unless --test-point");
        d.put("removal", "eps = 1/N per removed point; retraining responses weight the removed points 0 in their "
                + "batches, the PBRF and linearized PBRF subtract eps grad L_z every step");
        d.put("parameter_change", "responses.npz: theta_response - theta^s, one row per removal, columns in the "
                + "model's flat parameter order");
        return d;
    }

    static void writeDecomposition(java.nio.file.Path file, PbrfResult r) {
        List<String> header = new ArrayList<>(List.of("point"));
        header.addAll(PbrfResult.GAP_NAMES);
        List<Object[]> rows = new ArrayList<>();
        for (int p = 0; p < r.removals().size(); p++) {
            Object[] row = new Object[6];
            int[] z = r.removals().get(p);
            row[0] = z.length == 1 ? Integer.toString(z[0]) : "group:" + p;
            for (int j = 0; j < 5; j++) {
                row[j + 1] = r.gaps().get(p, j);
            }
            rows.add(row);
        }
        double[] m = r.meanGaps();
        double[] sd = r.gapStandardDeviations();
        rows.add(new Object[] {"mean", m[0], m[1], m[2], m[3], m[4]});
        rows.add(new Object[] {"sd", sd[0], sd[1], sd[2], sd[3], sd[4]});
        Csv.write(file, header.toArray(new String[0]), rows);
    }

    static void writeCorrelations(java.nio.file.Path file, PbrfResult r) {
        List<Object[]> rows = new ArrayList<>();
        for (CorrelationRow c : r.correlations()) {
            rows.add(new Object[] {c.groundTruth(), c.testLoss(), c.pearson(), c.spearman(), c.solver()});
        }
        Csv.write(file, new String[] {"ground_truth", "test_loss", "pearson", "spearman",
            "solver"}, rows);
    }

    static void writeResponses(java.nio.file.Path file, PbrfResult r, PbrfInputs.Problem p) {
        Map<String, Object> arrays = new LinkedHashMap<>();
        for (Map.Entry<ResponseKind, org.exemplar.linalg.DenseMatrix> e : r.parameterChanges().entrySet()) {
            arrays.put(e.getKey().externalName(), NpyArray.of(e.getValue()));
        }
        for (InfluenceEstimate est : r.influence()) {
            arrays.put("influence_" + est.solver(), NpyArray.of(est.parameterChanges()));
        }
        for (Map.Entry<ResponseKind, double[]> e : r.testLossChanges().entrySet()) {
            arrays.put("test_loss_change_" + e.getKey().externalName(), NpyArray.of(e.getValue()));
        }
        for (int s = 0; s < r.influence().size(); s++) {
            arrays.put("predicted_test_loss_change_" + r.influence().get(s).solver(),
                    NpyArray.of(r.predictedTestLossChanges().get(s)));
            int c = p.initial().outputWidth();
            arrays.put("predicted_test_output_change_" + r.influence().get(s).solver(), NpyArray.of(new long[] {
                r.removals().size(), p.testX().rows(), c}, r.predictedTestOutputChanges().get(s).data()));
        }
        int m = r.removals().get(0).length;
        int[] removed = new int[r.removals().size() * m];
        for (int i = 0; i < r.removals().size(); i++) {
            System.arraycopy(r.removals().get(i), 0, removed, i * m, m);
        }
        arrays.put("removed", NpyArray.of(new long[] {r.removals().size(), m}, removed));
        arrays.put("theta_s", NpyArray.of(r.base().theta()));
        arrays.put("gaps", NpyArray.of(r.gaps()));
        ResponseSettings rs = p.settings().response();
        if (rs.optimizer() == ResponseSettings.Optimizer.SGD) {
            BatchSchedule cold = BatchSchedule.of(p.train().size(), rs.batchSize(), rs.seed(), 0,
                    rs.epochs() + Math.max(rs.coldExtraEpochs(), rs.responseEpochs()));
            arrays.put("batch_order", NpyArray.of(new long[] {cold.epochCount(), cold.size()}, cold.flatOrders()));
        }
        Npz.write(file, arrays, true);
    }

    private static Map<String, Object> perResponse(Map<ResponseKind, double[]> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k.externalName(), v));
        return out;
    }

    private static Map<String, Object> gapMap(double[] g) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int j = 0; j < g.length; j++) {
            out.put(PbrfResult.GAP_NAMES.get(j), g[j]);
        }
        return out;
    }

    private static List<Object> solverSummaries(PbrfResult r) {
        List<Object> out = new ArrayList<>();
        double[] solverGaps = org.exemplar.response.PbrfResult.columnMeans(r.solverGaps());
        for (int s = 0; s < r.influence().size(); s++) {
            InfluenceEstimate est = r.influence().get(s);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", est.solver());
            m.put("mean_solver_gap", solverGaps[s]);
            m.put("settings", est.solverSettings());
            m.put("max_relative_residual", max(est.solves().relativeResiduals()));
            m.put("max_iterations", maxInt(est.solves().iterations()));
            m.put("note", est.solves().diagnostics());
            m.put("seconds", est.seconds());
            out.add(m);
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x / v.length;
        }
        return s;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Double.isNaN(x) ? Double.NaN : Math.max(m, x);
        }
        return m;
    }

    private static int maxInt(int[] v) {
        int m = 0;
        for (int x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
