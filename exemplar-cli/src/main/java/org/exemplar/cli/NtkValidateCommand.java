package org.exemplar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.SymmetricEigen;
import org.exemplar.ntk.Initialization;
import org.exemplar.ntk.NtkKernel;
import org.exemplar.ntk.RetrainingValidation;
import org.exemplar.ntk.TrainingSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar ntk validate}: Table 1, NTK influence vs. real leave-one-out retraining. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Table 1: NTK-predicted influence against actual leave-one-out retraining of the two-layer ReLU "
                + "network (same W(0), same schedule) on each test point's --top-k most influential training points.",
            "Writes DIR/correlations.csv, DIR/correlations.json (Pearson and Spearman per width and test point, "
                + "means per width), DIR/pairs.csv and DIR/summary.json."})
final class NtkValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NtkInputs in;

    @Option(names = "--widths", split = ",", defaultValue = "1000,10000", description = "Network widths m (default ${DEFAULT-VALUE}).")
    int[] widths;

    @Option(names = "--test-indices", split = ",", defaultValue = "0", description = "Test points to validate on (default ${DEFAULT-VALUE}).")
    int[] testIndices;

    @Option(names = "--top-k", defaultValue = "40", description = "Training points retrained without, per test point (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--kappa", defaultValue = "1.0", description = "Standard deviation of W(0) entries (default ${DEFAULT-VALUE}).")
    double kappa;

    @Option(names = "--init", defaultValue = "ANTISYMMETRIC",
            description = "INDEPENDENT (eq. 1 as written) or ANTISYMMETRIC (paired units, f(W(0)) = 0) (default ${DEFAULT-VALUE}).")
    Initialization init;

    @Option(names = "--method", defaultValue = "GAUSS_NEWTON",
            description = "GAUSS_NEWTON (exact minimizer per activation pattern) or GRADIENT_DESCENT (lr = 1/(lmax+lambda), steps for the slowest mode to decay by --decay) (default ${DEFAULT-VALUE}).")
    TrainingSchedule.Method method;

    @Option(names = "--max-steps", defaultValue = "200", description = "Gauss-Newton iteration cap (default ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--tolerance", defaultValue = "1e-9", description = "Gauss-Newton: stop when an iteration lowers the loss by less than this fraction (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--decay", defaultValue = "1e-6", description = "Gradient descent: decay of the slowest mode (default ${DEFAULT-VALUE}).")
    double decay;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of W(0) (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        NtkProblem p = in.load(log);
        for (int t : testIndices) {
            if (t < 0 || t >= p.xt.rows()) {
                throw new IllegalArgumentException("--test-indices: " + t + " is not in [0, " + p.xt.rows() + ")");
            }
        }
        for (int w : widths) {
            if (w < 2) {
                throw new IllegalArgumentException("--widths must be >= 2, got " + w);
            }
        }
        TrainingSchedule schedule;
        if (method == TrainingSchedule.Method.GRADIENT_DESCENT) {
            double[] ev = SymmetricEigen.valuesOf(NtkKernel.gram(p.x));
            schedule = TrainingSchedule.gradientFlow(ev[ev.length - 1], ev[0], in.lambda, decay);
        } else {
            schedule = TrainingSchedule.gaussNewton(maxSteps, tolerance);
        }
        RetrainingValidation.Options o = new RetrainingValidation.Options(in.lambda, widths, topK, kappa, init, seed,
                schedule);
        long t0 = System.nanoTime();
        List<RetrainingValidation.Row> rows = RetrainingValidation.run(p.x, p.y, p.xt, p.yt, testIndices, o, r -> {
            if (!in.quiet) {
                log.printf("width %d, test %d: pearson %.4f, spearman %.4f (%.1f s)%n", r.width(), r.testIndex(),
                        r.pearson(), r.spearman(), r.seconds());
            }
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        boolean allConverged = rows.stream().allMatch(RetrainingValidation.Row::allConverged);
        List<Object[]> table = new ArrayList<>();
        List<Object[]> pairs = new ArrayList<>();
        for (RetrainingValidation.Row r : rows) {
            table.add(new Object[] {r.width(), r.testIndex(), r.pearson(), r.spearman(), r.networkPrediction(),
                r.ntkPrediction(), r.worstRelativeGradient(), r.allConverged(), r.seconds()});
            for (int q = 0; q < r.trainIndices().length; q++) {
                pairs.add(new Object[] {r.width(), r.testIndex(), r.trainIndices()[q], r.predicted()[q], r.actual()[q]});
            }
        }
        List<Map<String, Object>> means = new ArrayList<>();
        for (int w : widths) {
            double[] m = RetrainingValidation.meanCorrelations(rows, w);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("width", w);
            e.put("pearson", m[0]);
            e.put("spearman", m[1]);
            means.add(e);
        }
        try (OutputDirectory dir = new OutputDirectory(in.out)) {
            Csv.write(dir.file("correlations.csv"), new String[] {"width", "test_index", "pearson", "spearman",
                "network_prediction", "ntk_prediction", "worst_relative_gradient", "converged", "seconds"}, table);
            Csv.write(dir.file("pairs.csv"), new String[] {"width", "test_index", "train_index", "predicted_ntk",
                "actual_retraining"}, pairs);
            Map<String, Object> cj = new LinkedHashMap<>();
            cj.put("mean_per_width", means);
            cj.put("rows", table.stream().map(Arrays::asList).toList());
            AtomicFiles.writeString(dir.file("correlations.json"), Json.write(cj));
            Map<String, Object> settings = in.settings();
            settings.put("widths", widths);
            settings.put("test_indices", testIndices);
            settings.put("top_k", topK);
            settings.put("kappa", kappa);
            settings.put("init", init);
            settings.put("schedule", schedule);
            Map<String, Object> summary = p.summaryHead("ntk validate (Table 1: NTK influence vs leave-one-out retraining)");
            summary.put("mean_per_width", means);
            summary.put("all_converged", allConverged);
            summary.put("seconds", seconds);
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("ntk validate", settings, in.inputs(), seed));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!in.quiet) {
            for (Map<String, Object> e : means) {
                log.printf("width %s: mean pearson %.4f, spearman %.4f%n", e.get("width"), e.get("pearson"),
                        e.get("spearman"));
            }
            log.printf("wrote %s/correlations.{csv,json}, pairs.csv, summary.json%n", in.out);
        }
        if (!allConverged) {
            log.println("warning: some trainings hit the iteration cap; see worst_relative_gradient in correlations.csv");
        }
        return 0;
    }
}
