package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.attribution.InfluenceAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.Npy;
import org.exemplar.eval.Agreement;
import org.exemplar.eval.LooResult;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceResult;
import org.exemplar.influence.InfluenceScores;
import org.exemplar.influence.ModelAtOptimum;
import org.exemplar.influence.Ranked;
import org.exemplar.influence.SelfInfluence;
import org.exemplar.influence.SolveStats;
import org.exemplar.influence.TestFunction;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.OptimumFit;
import org.exemplar.solver.InverseHessianSolver;

/** The writer of {@code exemplar influence}: the arrays, topk.csv, summary.json and the closing log line. */
final class InfluenceOutputs {
    private InfluenceOutputs() {
    }

    /** What the command computed, handed to the writer: its inputs, solver, the library's result and the LOO check. */
    record Run(InfluenceInputs.Read in, Curvature curvature, InverseHessianSolver solver, Double autoScale,
               TestFunction testFunction, int[] looIdx, InfluenceResult result, LooResult loo, Agreement agreement,
               long tStart) {
    }

    static void write(InfluenceCommand c, Run r, PrintWriter log) {
        LinearModels.Kind kind = r.in().kind();
        TestFunction testFunction = r.testFunction();
        DenseMatrix x = r.in().x();
        DenseMatrix xt = r.in().xt();
        ModelAtOptimum at = r.result().at();
        OptimumFit fit = at.fit();
        InfluenceScores scores = r.result().scores();
        SelfInfluence self = r.result().self();
        LooResult loo = r.loo();
        try (OutputDirectory dir = new OutputDirectory(c.out);
             ResultFiles common = c.attributionFiles.open(dir, InfluenceAttributor.convention(testFunction), xt.rows(),
                     scores.scores().cols(), c.topK)) {
            Npy.write(dir.file("influence.npy"), scores.scores());
            common.acceptRaw(scores.scores());
            if (self != null) {
                Npy.write(dir.file("self_influence.npy"), self.values());
            }
            if (kind != null) {
                Npy.write(dir.file("theta.npy"), LinearModels.theta((Mlp) at.trained()));
            }
            if (loo != null) {
                Npy.write(dir.file("loo.npy"), loo.changes());
            }
            List<Object[]> rows = new ArrayList<>();
            for (int t = 0; t < xt.rows(); t++) {
                addRows(rows, t, "helpful", scores.helpful(t, c.topK), r.in().train().labelsForCsv());
                addRows(rows, t, "harmful", scores.harmful(t, c.topK), r.in().train().labelsForCsv());
            }
            Csv.write(dir.file("topk.csv"), new String[] {"test_index", "kind", "rank", "train_index", "score",
                "train_label"}, rows);

            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", kind != null ? kind.externalName() : "mlp");
            settings.put("loss", r.in().loss().name());
            settings.put("objective", "(1/n) sum_i L + (l2/2) ||theta||^2, bias penalized");
            settings.put("l2", c.l2);
            settings.put("damping", c.damping);
            settings.put("hessian", r.curvature().externalName());
            settings.put("solver", r.solver().name());
            settings.put("solver_settings", r.solver().settings());
            if (r.autoScale() != null) {
                settings.put("lissa_scale_auto", "1.5 x power-iteration estimate of the largest eigenvalue");
            }
            settings.put("measure", testFunction.name());
            settings.put("seed", c.seed);
            settings.put("tolerance", c.tolerance);
            settings.put("max_iterations", c.maxIterations);
            settings.put("test_batch_size", c.testBatchSize);
            settings.put("train_block_rows", c.trainBlockRows);
            settings.put("label_mapping", r.in().train().mapping());
            if (c.lastLayerWeights != null) {
                settings.put("last_layer_weights", c.fineTune ? "start of training" : "used as given (not trained)");
            }
            if (r.looIdx() != null) {
                settings.put("loo_indices", c.looSelection.looIndices);
                settings.put("loo_start", c.looSelection.looStart);
                settings.put("loo_normalization", c.looSelection.looNormalization);
            }
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("train_features", c.inputs.trainFeatures);
            inputs.put("train_labels", c.inputs.trainLabels);
            inputs.put("test_features", c.inputs.testFeatures);
            inputs.put("test_labels", c.inputs.testLabels);
            inputs.put("mlp", r.in().mlpPath());
            inputs.put("last_layer_weights", c.lastLayerWeights);
            inputs.values().removeIf(Objects::isNull);

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", "influence functions (Koh & Liang 2017; Bae et al. 2022, eq. 5)");
            summary.put("orientation", "influence.npy rows = test points, columns = training points; entry (t, i) = "
                    + "(1/n) grad f_t^T (H + damping I)^{-1} grad L_i = predicted f_t(theta_-i) - f_t(theta) when "
                    + "training point i is removed; positive = i helps (removing it raises the test " + testFunction.name()
                    + "). self_influence.npy: (1/n) grad L_i^T (H + damping I)^{-1} grad L_i.");
            summary.put("n_train", x.rows());
            summary.put("n_test", xt.rows());
            summary.put("features", x.cols());
            summary.put("outputs", r.in().train().targets().cols());
            summary.put("parameters", at.trained().parameterCount());
            summary.put("gradient_norm", at.gradientNorm());
            summary.put("relative_gradient_norm", at.relativeGradientNorm());
            summary.put("gradient_scale", at.gradientScale());
            if (fit != null) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("converged", fit.converged());
                f.put("lbfgs_iterations", fit.lbfgsIterations());
                f.put("newton_iterations", fit.newtonIterations());
                f.put("objective", fit.objective());
                f.put("message", fit.message());
                f.put("seconds", fit.seconds());
                summary.put("training", f);
            }
            summary.put("solver", solverSummary(r.solver(), r.result().functions(), scores.solves()));
            if (self != null) {
                summary.put("self_influence_solves", solveSummary(self.solves()));
            }
            if (loo != null) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("removed", loo.removed());
                l.put("start", c.looSelection.looStart);
                l.put("normalization", c.looSelection.looNormalization);
                l.put("all_converged", loo.allConverged());
                l.put("max_gradient_norm", loo.maxGradientNorm());
                l.put("pearson", r.agreement().pearson());
                l.put("spearman", r.agreement().spearman());
                l.put("pairs", r.agreement().pairs());
                l.put("seconds", loo.seconds());
                summary.put("leave_one_out", l);
            }
            Map<String, Object> timings = new LinkedHashMap<>();
            timings.put("seconds_training", fit == null ? 0.0 : fit.seconds());
            timings.put("seconds_prepare_solver", r.result().functions().prepareSeconds());
            timings.put("seconds_scores", r.result().secondsScores());
            timings.put("seconds_self_influence", r.result().secondsSelf());
            timings.put("seconds_total", (System.nanoTime() - r.tStart()) / 1e9);
            summary.put("timings", timings);
            summary.put("backend", Blas.backend().description());
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("influence", settings, inputs, c.seed));
            SolveStats solves = scores.solves();
            common.finish(new TrustDiagnostics(at.relativeGradientNorm(), Double.NaN, solves.maxRelativeResidual(),
                    solves.maxIterations(), (fit == null || fit.converged()) && solves.allConverged(), solves.notes()),
                    summary.get("provenance"), Map.of());
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!c.quiet) {
            List<String> arrays = new ArrayList<>(List.of("influence"));
            if (self != null) {
                arrays.add("self_influence");
            }
            if (kind != null) {
                arrays.add("theta");
            }
            if (loo != null) {
                arrays.add("loo");
            }
            log.printf("wrote %s/%s.npy, topk.csv, summary.json%n", c.out, arrays.size() == 1 ? arrays.get(0)
                    : "{" + String.join(",", arrays) + "}");
        }
    }

    private static Map<String, Object> solverSummary(InverseHessianSolver solver, InfluenceFunctions inf, SolveStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", solver.name());
        m.put("settings", solver.settings());
        m.put("diagnostics", inf.solverDiagnostics());
        m.put("s_test", solveSummary(s));
        return m;
    }

    private static Map<String, Object> solveSummary(SolveStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("all_converged", s.allConverged());
        m.put("not_converged", s.notConvergedCount());
        m.put("max_iterations", s.maxIterations());
        m.put("max_residual_norm", s.maxResidualNorm());
        m.put("max_relative_residual", s.maxRelativeResidual());
        m.put("notes", s.notes());
        return m;
    }

    private static void addRows(List<Object[]> rows, int t, String kind, List<Ranked> ranked, String[] labels) {
        int rank = 1;
        for (Ranked r : ranked) {
            rows.add(new Object[] {t, kind, rank++, r.trainIndex(), r.score(), labels[r.trainIndex()]});
        }
    }
}
