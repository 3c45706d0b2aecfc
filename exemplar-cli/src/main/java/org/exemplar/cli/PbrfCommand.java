package org.exemplar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.Npz;
import org.exemplar.data.NpyArray;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.response.BatchSchedule;
import org.exemplar.response.CorrelationRow;
import org.exemplar.response.InfluenceEstimate;
import org.exemplar.response.PbrfExperiment;
import org.exemplar.response.PbrfResult;
import org.exemplar.response.PbrfSweep;
import org.exemplar.response.ResponseKind;
import org.exemplar.response.ResponseListener;
import org.exemplar.response.ResponseSettings;
import org.exemplar.response.SweepParameter;
import org.exemplar.response.SweepRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar pbrf}: the six response functions and the five-gap decomposition of Bae et al. 2022; {@code pbrf
 * sweep} the ablations of its Sec. 6.2. Parses options into {@link org.exemplar.response.PbrfSettings}, calls
 * {@link PbrfExperiment} / {@link PbrfSweep}, writes the results folder.
 */
@Command(name = "pbrf", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {PbrfCommand.Sweep.class},
        description = {
            "What influence functions answer (Bae et al. 2022): train the model (SGD for K epochs on a seeded, recorded "
                + "batch order, or L-BFGS to a tolerance), remove P random training points one at a time (eps = 1/N), and "
                + "compute six responses: cold-start retraining (K + K/2 epochs from theta^0, replaying the batch order), "
                + "warm-start, proximal (eq. 7), the PBRF (eq. 8), the linearized PBRF (eq. 11) and two-stage LOO (K/2 "
                + "epochs from theta^s at lr/10), plus the damped Gauss-Newton influence estimate of each --solver.",
            "Writes DIR/decomposition.csv (per point: warm_start, proximity, non_convergence, linearization, solver gaps, "
                + "each mean_i ||f(theta_a, x_i) - f(theta_b, x_i)||_2 over training inputs, then a 'mean' row), "
                + "DIR/correlations.csv (Pearson / Spearman of the influence-predicted test-loss change with each "
                + "response's actual change), DIR/responses.npz (parameter changes, removed points, batch order) and "
                + "DIR/summary.json."})
final class PbrfCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PbrfInputs in;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        if (!in.quiet) {
            log.println(Blas.backendNotice());
        }
        PbrfInputs.Problem p = in.load(log);
        PbrfResult r;
        try (BarListener bars = new BarListener(Progress.defaultEnabled(in.progress, in.quiet), in.quiet ? null : log)) {
            r = PbrfExperiment.run(p.initial(), p.train(), p.testX(), p.testT(), p.settings(), bars);
        }
        List<String> problems = r.convergenceProblems();
        if (!problems.isEmpty() && !in.allowUnconverged) {
            throw new NotConvergedException(String.join("; ", problems) + "; change the settings or pass "
                    + "--allow-unconverged");
        }
        try (OutputDirectory dir = new OutputDirectory(in.out)) {
            writeDecomposition(dir, r);
            writeCorrelations(dir, r);
            writeResponses(dir, r, p);
            Map<String, Object> settings = in.settingsMap(p);
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
            summary.put("provenance", Provenance.of("pbrf", settings, p.inputs(), in.seed));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!in.quiet) {
            double[] g = r.meanGaps();
            CorrelationRow pbrf = r.correlations().stream().filter(c -> c.groundTruth().equals("pbrf")).findFirst()
                    .orElseThrow();
            CorrelationRow cold = r.correlations().stream().filter(c -> c.groundTruth().equals("cold_start"))
                    .findFirst().orElseThrow();
            log.printf("gaps (mean over %d points): warm-start %.4g, proximity %.4g, non-convergence %.4g, "
                    + "linearization %.4g, solver %.4g%n", r.removals().size(), g[0], g[1], g[2], g[3], g[4]);
            log.printf("influence (%s) vs PBRF: Pearson %.3f, Spearman %.3f; vs cold-start: Pearson %.3f, Spearman "
                    + "%.3f (%.1f s)%n", pbrf.solver(), pbrf.pearson(), pbrf.spearman(), cold.pearson(), cold.spearman(),
                    r.secondsTotal());
            log.printf("wrote %s/decomposition.csv, correlations.csv, responses.npz, summary.json%n", in.out);
        }
        return 0;
    }

    /** {@code exemplar pbrf sweep}: Sec. 6.2's ablations, one CSV row per value. */
    @Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Repeats `exemplar pbrf` with one setting varied (Bae et al. 2022, Sec. 6.2, Figure 5): "
                    + "--vary width=64,128,256 | depth=1,2,3 | epochs=10,20 | l2=0,0.001 | damping=0.001,0.01 | "
                    + "removed_fraction=0.1,0.2.",
                "Writes DIR/sweep.csv (parameter, value, the five mean gaps, Pearson and Spearman of the first solver "
                    + "with cold-start, warm-start, PBRF and two-stage, base gradient norm, seconds) and DIR/summary.json."})
    static final class Sweep implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PbrfInputs in;

        @Option(names = "--vary", required = true, paramLabel = "NAME=V1,V2,...", description = "The parameter and its values.")
        String vary;

        @Override
        public Integer call() {
            PrintWriter log = spec.commandLine().getErr();
            int eq = vary.indexOf('=');
            if (eq < 1 || eq == vary.length() - 1) {
                throw new IllegalArgumentException("--vary must look like width=64,128,256, got " + vary);
            }
            SweepParameter param = SweepParameter.parse(vary.substring(0, eq).trim());
            double[] values;
            try {
                values = java.util.Arrays.stream(vary.substring(eq + 1).split(",")).map(String::trim)
                        .mapToDouble(Double::parseDouble).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad --vary values in '" + vary + "': " + e.getMessage());
            }
            if (param == SweepParameter.EPOCHS && in.epochs == null) {
                in.epochs = (int) values[0];
            }
            if (!in.quiet) {
                log.println(Blas.backendNotice());
            }
            PbrfInputs.Problem p = in.load(log);
            if (param == SweepParameter.EPOCHS && p.settings().response().optimizer() != ResponseSettings.Optimizer.SGD) {
                throw new IllegalArgumentException("an epochs sweep needs --optimizer sgd");
            }
            List<SweepRow> rows;
            try (BarListener bars = new BarListener(Progress.defaultEnabled(in.progress, in.quiet), in.quiet ? null : log)) {
                rows = PbrfSweep.run(p.architecture(), p.hidden(), p.train(), p.testX(), p.testT(), p.settings(), param,
                        values, bars);
            }
            String[] truths = {"cold_start", "warm_start", "pbrf", "two_stage"};
            List<String> header = new ArrayList<>(List.of("parameter", "value"));
            header.addAll(PbrfResult.GAP_NAMES);
            for (String t : truths) {
                header.add("pearson_" + t);
                header.add("spearman_" + t);
            }
            header.add("base_gradient_norm");
            header.add("seconds");
            List<Object[]> csv = new ArrayList<>();
            for (SweepRow r : rows) {
                List<Object> row = new ArrayList<>(List.of(param.externalName(), r.value()));
                for (double g : r.meanGaps()) {
                    row.add(g);
                }
                for (String t : truths) {
                    row.add(r.pearson().get(t));
                    row.add(r.spearman().get(t));
                }
                row.add(r.baseGradientNorm());
                row.add(r.seconds());
                csv.add(row.toArray());
            }
            try (OutputDirectory dir = new OutputDirectory(in.out)) {
                Csv.write(dir.file("sweep.csv"), header.toArray(new String[0]), csv);
                Map<String, Object> settings = in.settingsMap(p);
                settings.put("vary", vary);
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("method", "response-function ablations (Bae et al. 2022, Sec. 6.2)");
                summary.put("definitions", definitions());
                summary.put("rows", rows);
                summary.put("settings", settings);
                summary.put("provenance", Provenance.of("pbrf sweep", settings, p.inputs(), in.seed));
                AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
                dir.commit();
            }
            if (!in.quiet) {
                log.printf("wrote %s/sweep.csv (%d settings), summary.json%n", in.out, rows.size());
            }
            return 0;
        }
    }

    /** Progress bars: one per task (base training, point i of P response k of 6, influence), stepping by epoch. */
    static final class BarListener implements ResponseListener, AutoCloseable {
        private final boolean enabled;
        private final PrintWriter lines;
        private final long start = System.nanoTime();
        private Progress bar;

        /** Bars when enabled; otherwise, unless {@code lines} is null, one stderr line per point / setting. */
        BarListener(boolean enabled, PrintWriter lines) {
            this.enabled = enabled;
            this.lines = enabled ? null : lines;
        }

        @Override
        public void task(String description, int units) {
            close();
            bar = Progress.start(enabled, description, Math.max(units, 1), "epochs");
            if (lines != null && (description.contains("response 1 of") || description.startsWith("sweep")
                    || description.startsWith("influence") || description.startsWith("base"))) {
                lines.printf("[%.0f s] %s%n", (System.nanoTime() - start) * 1e-9,
                        description.replaceAll(", response 1 of .*", ""));
                lines.flush();
            }
        }

        @Override
        public void epoch(int epoch, int epochs) {
            if (bar != null) {
                bar.stepTo(epoch);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
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

    private static void writeDecomposition(OutputDirectory dir, PbrfResult r) {
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
        Csv.write(dir.file("decomposition.csv"), header.toArray(new String[0]), rows);
    }

    private static void writeCorrelations(OutputDirectory dir, PbrfResult r) {
        List<Object[]> rows = new ArrayList<>();
        for (CorrelationRow c : r.correlations()) {
            rows.add(new Object[] {c.groundTruth(), c.testLoss(), c.pearson(), c.spearman(), c.solver()});
        }
        Csv.write(dir.file("correlations.csv"), new String[] {"ground_truth", "test_loss", "pearson", "spearman",
            "solver"}, rows);
    }

    private static void writeResponses(OutputDirectory dir, PbrfResult r, PbrfInputs.Problem p) {
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
        Npz.write(dir.file("responses.npz"), arrays, true);
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
