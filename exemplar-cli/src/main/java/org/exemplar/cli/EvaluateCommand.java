package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.eval.DeletionDiagnostics;
import org.exemplar.eval.DeletionResult;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticDeletionTarget;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;
import org.exemplar.representer.L1DeletionMethods;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar evaluate}: evaluation of attribution methods. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate attribution methods.",
        subcommands = {EvaluateCommand.Deletion.class, LdsCommand.class})
final class EvaluateCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "deletion", mixinStandardHelpOptions = true,
            description = "Case-deletion diagnostics (DEL+/DEL-, AUC-DEL; Tsai et al. 2023 Sec. 6.1): remove each method's "
                    + "top-k positive (negative) training points for a test point, retrain from scratch, record the change "
                    + "of the prediction score.",
            subcommands = {EvaluateCommand.DeletionL1.class, CfDeletionCommand.class})
    static final class Deletion implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "l1", mixinStandardHelpOptions = true, sortOptions = false,
            description = "AUC-DEL for L1-regularized logistic regression: high-dim representer vs L2 representer vs "
                    + "influence function (support-restricted) vs random; k_i = 0.01 i N, i = 1..5 by default. Writes "
                    + "DIR/deletion.csv (per method and k), DIR/per_test.csv (every test point's DEL+/DEL- per k, for "
                    + "paired comparisons) and DIR/summary.json (AUC-DEL with 95%% CI).")
    static final class DeletionL1 extends OutputCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SparseInputs inputs;

        @Mixin
        L1ModelOptions l1;

        @Option(names = "--test-points", defaultValue = "40", description = "Test points drawn at random (default ${DEFAULT-VALUE}).")
        int testPoints;

        @Option(names = "--ks", split = ",", description = "k schedule (default: 1%%, 2%%, .., 5%% of the training set).")
        int[] ks;

        @Option(names = "--methods", defaultValue = "highdim,l2,if,random", split = ",",
                description = "Any of highdim, l2, if, random (default ${DEFAULT-VALUE}).")
        List<String> methods;

        @Option(names = "--threads", defaultValue = "2", description = "Retraining threads (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the test-point draw and the random baseline (default ${DEFAULT-VALUE}).")
        long seed;


        @Override
        public Integer call() {
            PrintWriter log = spec.commandLine().getErr();
            if (testPoints < 1) {
                throw new IllegalArgumentException("--test-points must be >= 1, got " + testPoints);
            }
            SparseInputs.Loaded d = inputs.load();
            int[] schedule = DeletionDiagnostics.checkedSchedule(ks, d.x().rows());
            L1ModelOptions.Fitted fitted = l1.fit(d);
            double[] y = fitted.labels();
            SparseLogisticRegression model = fitted.model();
            SparseFit fit = fitted.fit();
            double lambda = l1.lambda;
            if (!fit.converged()) {
                throw new NotConvergedException("L1 fit did not converge: " + fit.message());
            }
            HighDimRepresenter rep = new HighDimRepresenter(d.x(), y, fit, lambda);
            L1DeletionMethods setup = L1DeletionMethods.of(rep, d.test(), methods, testPoints, seed);
            int[] tests = setup.testIndices();
            List<AttributionMethod> ms = setup.methods();
            long total = (long) ms.size() * tests.length * schedule.length * 2;
            AtomicLong done = new AtomicLong();
            List<DeletionResult> res;
            long t0 = System.nanoTime();
            try (Progress bar = Progress.start(Progress.defaultEnabled(progress, quiet), "retrain", total, "fits")) {
                res = DeletionDiagnostics.evaluate(new SparseLogisticDeletionTarget(d.x(), y, d.test(), model, fit), ms,
                        tests, schedule, threads, k -> bar.stepTo(done.addAndGet(k)));
            }
            List<Object[]> rows = new ArrayList<>();
            for (DeletionResult r : res) {
                for (int k = 0; k < schedule.length; k++) {
                    rows.add(new Object[] {r.method(), schedule[k], r.delPlusMean()[k], r.delPlusCi95()[k],
                        r.delMinusMean()[k], r.delMinusCi95()[k]});
                }
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("lambda", lambda);
            settings.put("bias", l1.bias);
            settings.put("ks", schedule);
            settings.put("test_points", tests.length);
            settings.put("methods", methods);
            settings.put("tolerance", l1.tolerance);
            settings.put("retraining", "same objective and lambda, 1/n' over the remaining points, warm start from "
                    + "the full-data optimum, KKT tolerance as above");
            Map<String, Path> in = new LinkedHashMap<>();
            in.put("train", d.trainSource());
            in.put("test", d.testSource());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", "case-deletion diagnostics, L1 logistic regression");
            summary.put("results", res);
            summary.put("test_indices", tests);
            summary.put("support_size", fit.support());
            summary.put("kkt_residual", fit.kktResidual());
            summary.put("seconds", (System.nanoTime() - t0) / 1e9);
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("evaluate-deletion-l1", settings, in, seed));
            try (OutputDirectory dir = new OutputDirectory(out)) {
                Csv.write(dir.file("deletion.csv"), new String[] {"method", "k", "del_plus", "del_plus_ci95", "del_minus",
                    "del_minus_ci95"}, rows);
                Csv.write(dir.file("per_test.csv"), DeletionResult.perTestHeader(),
                        DeletionResult.perTestRows(res, tests));
                AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
                dir.commit();
            }
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "| method | AUC-DEL+ | AUC-DEL- |%n|---|---|---|%n");
            for (DeletionResult r : res) {
                o.printf(Locale.ROOT, "| %s | %.4f +- %s | %.4f +- %s |%n", r.method(), r.aucDelPlus(),
                        ci(r.aucDelPlusCi95()), r.aucDelMinus(), ci(r.aucDelMinusCi95()));
            }
            o.flush();
            return 0;
        }

        /** A 95 % half-width, or "n/a" where one test point gives no spread (was printed as NaN). */
        static String ci(double halfWidth) {
            return Double.isFinite(halfWidth) ? String.format(Locale.ROOT, "%.4f", halfWidth) : "n/a";
        }
    }
}
