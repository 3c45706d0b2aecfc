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
import org.exemplar.influence.InfluenceScores;
import org.exemplar.influence.LabelTargets;
import org.exemplar.influence.ModelAtOptimum;
import org.exemplar.influence.Ranked;
import org.exemplar.influence.SelfInfluence;
import org.exemplar.influence.SolveStats;
import org.exemplar.influence.TestFunction;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Curvature;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.OptimumFit;
import org.exemplar.solver.InverseHessianSolver;

/** The writer of {@code exemplar influence}: the arrays, topk.csv, summary.json and the closing log line. */
final class InfluenceOutputs {
    private InfluenceOutputs() {
    }

    /** What the command computed, handed to the writer. */
    record Run(LinearModels.Kind kind, Loss loss, Curvature curvature, InverseHessianSolver solver, Double autoScale,
               TestFunction testFunction, LabelTargets train, int[] looIdx, Path mlpPath, DenseMatrix x, DenseMatrix xt,
               int outputs, ModelAtOptimum at, InfluenceFunctions inf, InfluenceScores scores, SelfInfluence self,
               LooResult loo, Agreement agreement, double secondsScores, double secondsSelf, long tStart) {
    }

    static void write(InfluenceCommand c, Run r, PrintWriter log) {
        LinearModels.Kind kind = r.kind();
        Loss loss = r.loss();
        Curvature curvature = r.curvature();
        InverseHessianSolver solver = r.solver();
        Double autoScale = r.autoScale();
        TestFunction testFunction = r.testFunction();
        LabelTargets train = r.train();
        int[] looIdx = r.looIdx();
        Path mlpPath = r.mlpPath();
        DenseMatrix x = r.x();
        DenseMatrix xt = r.xt();
        int outputs = r.outputs();
        DifferentiableModel trained = r.at().trained();
        OptimumFit fit = r.at().fit();
        double gradNorm = r.at().gradientNorm();
        double relGradNorm = r.at().relativeGradientNorm();
        double gradientScale = r.at().gradientScale();
        InfluenceFunctions inf = r.inf();
        InfluenceScores scores = r.scores();
        SelfInfluence self = r.self();
        LooResult loo = r.loo();
        Agreement agreement = r.agreement();
        double secondsScores = r.secondsScores();
        double secondsSelf = r.secondsSelf();
        long tStart = r.tStart();
        Path out = c.out;
        boolean quiet = c.quiet;
        int topK = c.topK;
        double l2 = c.l2;
        double damping = c.damping;
        long seed = c.seed;
        double tolerance = c.tolerance;
        int maxIterations = c.maxIterations;
        int testBatchSize = c.testBatchSize;
        int trainBlockRows = c.trainBlockRows;
        Path lastLayerWeights = c.lastLayerWeights;
        boolean fineTune = c.fineTune;
        String looIndices = c.looSelection.looIndices;
        String looStart = c.looSelection.looStart;
        String looNormalization = c.looSelection.looNormalization;
        Path trainFeatures = c.inputs.trainFeatures;
        Path trainLabels = c.inputs.trainLabels;
        Path testFeatures = c.inputs.testFeatures;
        Path testLabels = c.inputs.testLabels;
        AttributionFilesOptions attributionFiles = c.attributionFiles;
    // ---- outputs
    try (OutputDirectory dir = new OutputDirectory(out);
         ResultFiles common = attributionFiles.open(dir, InfluenceAttributor.convention(testFunction), xt.rows(),
                 scores.scores().cols(), topK)) {
        Npy.write(dir.file("influence.npy"), scores.scores());
        common.acceptRaw(scores.scores());
        if (self != null) {
            Npy.write(dir.file("self_influence.npy"), self.values());
        }
        if (kind != null) {
            Npy.write(dir.file("theta.npy"), LinearModels.theta((Mlp) trained));
        }
        if (loo != null) {
            Npy.write(dir.file("loo.npy"), loo.changes());
        }
        List<Object[]> rows = new ArrayList<>();
        for (int t = 0; t < xt.rows(); t++) {
            addRows(rows, t, "helpful", scores.helpful(t, topK), train.labelsForCsv());
            addRows(rows, t, "harmful", scores.harmful(t, topK), train.labelsForCsv());
        }
        Csv.write(dir.file("topk.csv"), new String[] {"test_index", "kind", "rank", "train_index", "score",
            "train_label"}, rows);

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("model", kind != null ? kind.externalName() : "mlp");
        settings.put("loss", loss.name());
        settings.put("objective", "(1/n) sum_i L + (l2/2) ||theta||^2, bias penalized");
        settings.put("l2", l2);
        settings.put("damping", damping);
        settings.put("hessian", curvature.externalName());
        settings.put("solver", solver.name());
        settings.put("solver_settings", solver.settings());
        if (autoScale != null) {
            settings.put("lissa_scale_auto", "1.5 x power-iteration estimate of the largest eigenvalue");
        }
        settings.put("measure", testFunction.name());
        settings.put("seed", seed);
        settings.put("tolerance", tolerance);
        settings.put("max_iterations", maxIterations);
        settings.put("test_batch_size", testBatchSize);
        settings.put("train_block_rows", trainBlockRows);
        settings.put("label_mapping", train.mapping());
        if (lastLayerWeights != null) {
            settings.put("last_layer_weights", fineTune ? "start of training" : "used as given (not trained)");
        }
        if (looIdx != null) {
            settings.put("loo_indices", looIndices);
            settings.put("loo_start", looStart);
            settings.put("loo_normalization", looNormalization);
        }
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("train_features", trainFeatures);
        inputs.put("train_labels", trainLabels);
        inputs.put("test_features", testFeatures);
        inputs.put("test_labels", testLabels);
        inputs.put("mlp", mlpPath);
        inputs.put("last_layer_weights", lastLayerWeights);
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
        summary.put("outputs", outputs);
        summary.put("parameters", trained.parameterCount());
        summary.put("gradient_norm", gradNorm);
        summary.put("relative_gradient_norm", relGradNorm);
        summary.put("gradient_scale", gradientScale);
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
        summary.put("solver", solverSummary(solver, inf, scores.solves()));
        if (self != null) {
            summary.put("self_influence_solves", solveSummary(self.solves()));
        }
        if (loo != null) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("removed", loo.removed());
            l.put("start", looStart);
            l.put("normalization", looNormalization);
            l.put("all_converged", loo.allConverged());
            l.put("max_gradient_norm", loo.maxGradientNorm());
            l.put("pearson", agreement.pearson());
            l.put("spearman", agreement.spearman());
            l.put("pairs", agreement.pairs());
            l.put("seconds", loo.seconds());
            summary.put("leave_one_out", l);
        }
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("seconds_training", fit == null ? 0.0 : fit.seconds());
        timings.put("seconds_prepare_solver", inf.prepareSeconds());
        timings.put("seconds_scores", secondsScores);
        timings.put("seconds_self_influence", secondsSelf);
        timings.put("seconds_total", (System.nanoTime() - tStart) / 1e9);
        summary.put("timings", timings);
        summary.put("backend", Blas.backend().description());
        summary.put("settings", settings);
        summary.put("provenance", Provenance.of("influence", settings, inputs, seed));
        SolveStats solves = scores.solves();
        common.finish(new TrustDiagnostics(relGradNorm, Double.NaN, solves.maxRelativeResidual(),
                solves.maxIterations(), (fit == null || fit.converged()) && solves.allConverged(), solves.notes()),
                summary.get("provenance"), Map.of());
        AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
        dir.commit();
    }
    if (!quiet) {
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
        log.printf("wrote %s/%s.npy, topk.csv, summary.json%n", out, arrays.size() == 1 ? arrays.get(0)
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
