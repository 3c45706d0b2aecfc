package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.NtkAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.SymmetricEigen;
import org.exemplar.ntk.Complexity;
import org.exemplar.ntk.IhvpErrorBound;
import org.exemplar.ntk.InfluenceScores;
import org.exemplar.ntk.Initialization;
import org.exemplar.ntk.NtkDynamics;
import org.exemplar.ntk.NtkInfluence;
import org.exemplar.ntk.NtkKernel;
import org.exemplar.ntk.RetrainingValidation;
import org.exemplar.ntk.TargetScaling;
import org.exemplar.ntk.TrainingSchedule;
import org.exemplar.ntk.UnitSphere;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar ntk}: influence of every training point through the neural tangent kernel (Zhang &amp; Zhang
 * 2022). The bare command computes the exact leave-one-out influence; {@code ntk dynamics} follows it along
 * gradient flow; {@code ntk validate} retrains real networks (Table 1).
 */
@Command(name = "ntk", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {NtkCommand.Dynamics.class, NtkCommand.Validate.class},
        description = {
            "Influence functions through the neural tangent kernel of a two-layer ReLU network (Zhang & Zhang 2022).",
            "Fits NTK kernel ridge regression f(x) = K_x^T (K + lambda I)^{-1} Y (eq. 6) and the exact leave-one-out "
                + "influence I(x_i, x_t) = 1/2 (f^{\\i}(x_t) - y_t)^2 - 1/2 (f(x_t) - y_t)^2 of every training point on "
                + "every test point (eq. 8-9), its IHVP approximation (eq. 13), the Theorem 3 bound and the complexity "
                + "of the ten influence groups (eq. 19).",
            "Writes DIR/influence.npy and DIR/influence_ihvp.npy (n_test x n_train; positive = the point helps), "
                + "DIR/predictions.npy, DIR/complexity.json and DIR/summary.json."})
final class NtkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    Inputs in;

    @Option(names = "--groups", defaultValue = "10", description = "Influence groups for complexity.json (default ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--top-k", defaultValue = "40",
            description = "Most influential points per test point over which the IHVP error rate is averaged (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random baseline groups in complexity.json (default ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        Problem p = in.load(log);
        if (groups < 1 || groups > p.x.rows()) {
            throw new IllegalArgumentException("--groups must be in [1, n_train = " + p.x.rows() + "], got " + groups);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + topK);
        }
        long t0 = System.nanoTime();
        DenseMatrix k = NtkKernel.gram(p.x);
        DenseMatrix kt = NtkKernel.matrix(p.xt, p.x);
        long t1 = System.nanoTime();
        NtkInfluence fit = p.fit(k, in.lambda);
        InfluenceScores s = fit.score(kt, p.yt);
        long t2 = System.nanoTime();
        double lmin = SymmetricEigen.smallestValue(k);
        long t3 = System.nanoTime();
        IhvpErrorBound bound = IhvpErrorBound.evaluate(s, in.lambda, lmin, topK);
        double prop2 = s.decomposition().maxRelativeResidual(s.exact());
        Complexity.Report complexity = Complexity.byInfluenceGroups(fit, s.meanOverTestPoints(), groups, 20, seed);
        long t4 = System.nanoTime();
        try (OutputDirectory dir = new OutputDirectory(in.out);
             ResultFiles common = attributionFiles.open(dir, NtkAttributor.exactLooConvention(), p.xt.rows(),
                     p.x.rows(), topK)) {
            Npy.write(dir.file("influence.npy"), s.exact());
            common.acceptRaw(s.exact());
            Npy.write(dir.file("influence_ihvp.npy"), s.ihvp());
            Npy.write(dir.file("predictions.npy"), p.scaling.invert(s.predictions()));
            Map<String, Object> cj = new LinkedHashMap<>();
            cj.put("definition", "C(X_I) = sqrt(Y^T M^{-1} Y) - sqrt(Y_I'^T M_I'^{-1} Y_I') with M = K + lambda I "
                    + "(eq. 19 at lambda = 0); groups by mean influence over the test points, 0 = most harmful");
            cj.put("report", complexity);
            AtomicFiles.writeString(dir.file("complexity.json"), Json.write(cj));
            Map<String, Object> settings = in.settings();
            settings.put("groups", groups);
            settings.put("top_k", topK);
            settings.put("seed", seed);
            Map<String, Object> summary = p.summaryHead("ntk influence (Zhang & Zhang 2022, eq. 6-9, 13, 16, 19)");
            summary.put("lambda", in.lambda);
            summary.put("smallest_eigenvalue", lmin);
            summary.put("theorem3", bound);
            summary.put("theorem3_holds", bound.violations() == 0);
            summary.put("prop2_max_relative_residual", prop2);
            summary.put("complexity_groups", complexity.groups().size());
            Map<String, Object> timings = new LinkedHashMap<>();
            timings.put("kernel", (t1 - t0) / 1e9);
            timings.put("factorization", fit.secondsFactorization());
            timings.put("inverse_diagonal", fit.secondsInverseDiagonal());
            timings.put("solve_alpha", s.secondsSolve());
            timings.put("scores", s.secondsScores());
            timings.put("smallest_eigenvalue", (t3 - t2) / 1e9);
            timings.put("bound_and_complexity", (t4 - t3) / 1e9);
            summary.put("seconds", timings);
            summary.put("orientation", "influence.npy rows = test points, columns = training points; entry (t, i) = "
                    + "1/2 (f^{\\i}(x_t) - y_t)^2 - 1/2 (f(x_t) - y_t)^2 in scaled target units; positive = helpful");
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("ntk", settings, in.inputs(), seed));
            common.finish(new TrustDiagnostics(Double.NaN, prop2, Double.NaN, 0, true, List.of()),
                    summary.get("provenance"), Map.of("scale", "target units after --normalize's scaling when given "
                            + "(target_scaling in ../summary.json)"));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!in.quiet) {
            log.printf("lambda %g, smallest eigenvalue %.4e, IHVP error rate %.4f (Thm 3 bound %.4f, %d violations); "
                    + "wrote %s/{influence,influence_ihvp,predictions}.npy, complexity.json, summary.json%n",
                    in.lambda, lmin, bound.meanErrorRateTopK(), bound.rateLowerBound(), bound.violations(), in.out);
        }
        return 0;
    }

    /** {@code exemplar ntk dynamics}: influence along gradient flow (SPEC.md section 3, Fig. 7). */
    @Command(name = "dynamics", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Influence along gradient flow: f_t(x) = K_x^T (K + lambda I)^{-1} (I - exp(-(K + lambda I) t)) Y, "
                    + "and the same with each training point removed (exact; one eigen-decomposition per removed "
                    + "point, O(n^4): meant for n up to about a thousand).",
                "Writes DIR/influence_t.npy (times x n_test x n_train), DIR/predictions_t.npy (times x n_test), "
                    + "DIR/dynamics.csv and DIR/summary.json; with --flagged, the share of flagged (e.g. label-flipped) "
                    + "points among each test point's most influential ones (Fig. 7)."})
    static final class Dynamics implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Inputs in;

        @Option(names = "--times", required = true, split = ",", paramLabel = "T",
                description = "Training times t >= 0, comma separated (e.g. 0.1,1,10,100; 'inf' = converged).")
        String[] times;

        @Option(names = "--flagged", paramLabel = "F.npy",
                description = "Optional (n_train,) bool or 0/1 array marking training points (e.g. flipped labels).")
        Path flagged;

        @Option(names = "--top", defaultValue = "1",
                description = "How many most influential points per test point enter the flagged share (default ${DEFAULT-VALUE}).")
        int top;

        @Override
        public Integer call() {
            PrintWriter log = spec.commandLine().getErr();
            Problem p = in.load(log);
            double[] t = new double[times.length];
            for (int i = 0; i < t.length; i++) {
                String v = times[i].trim();
                try {
                    t[i] = v.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--times: '" + v + "' is not a number");
                }
                if (!(t[i] >= 0)) {
                    throw new IllegalArgumentException("--times must be >= 0, got " + v);
                }
            }
            if (top < 1) {
                throw new IllegalArgumentException("--top must be >= 1, got " + top);
            }
            boolean[] flags = null;
            if (flagged != null) {
                int[] f = Npy.read(flagged).toIntArray();
                if (f.length != p.x.rows()) {
                    throw new DataException(flagged, "has " + f.length + " entries for " + p.x.rows() + " training points");
                }
                flags = new boolean[f.length];
                for (int i = 0; i < f.length; i++) {
                    flags[i] = f[i] != 0;
                }
            }
            if (p.duplicates.size() > 0 && in.lambda == 0) {
                throw new DataException(in.trainFeatures, "duplicate training inputs make K singular; use --lambda > 0");
            }
            long t0 = System.nanoTime();
            DenseMatrix k = NtkKernel.gram(p.x);
            DenseMatrix kt = NtkKernel.matrix(p.xt, p.x);
            NtkDynamics.Result r;
            boolean show = Progress.defaultEnabled(in.progress, in.quiet);
            try (Progress bar = Progress.start(show, "leave-one-out", p.x.rows(), "points")) {
                r = new NtkDynamics(k, p.y, in.lambda).influence(t, kt, p.yt, () -> bar.step(1));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] share = flags == null ? null : r.shareFlaggedAmongTop(flags, top);
            int n = p.x.rows();
            int nt = p.xt.rows();
            double[] all = new double[t.length * nt * n];
            for (int s = 0; s < t.length; s++) {
                System.arraycopy(r.influence()[s].data(), 0, all, s * nt * n, nt * n);
            }
            try (OutputDirectory dir = new OutputDirectory(in.out)) {
                Npy.write(dir.file("influence_t.npy"), new long[] {t.length, nt, n}, all);
                Npy.write(dir.file("predictions_t.npy"), r.predictions());
                List<Object[]> rows = new ArrayList<>();
                for (int s = 0; s < t.length; s++) {
                    rows.add(new Object[] {t[s], share == null ? "" : share[s]});
                }
                Csv.write(dir.file("dynamics.csv"), new String[] {"time", "share_flagged_among_top"}, rows);
                Map<String, Object> settings = in.settings();
                settings.put("times", t);
                settings.put("top", top);
                Map<String, Object> summary = p.summaryHead("ntk dynamics (gradient flow, SPEC.md section 3)");
                summary.put("times", t);
                summary.put("share_flagged_among_top", share);
                summary.put("flagged_fraction", flags == null ? null : fraction(flags));
                summary.put("seconds", seconds);
                summary.put("method_note", "exact: one eigen-decomposition of K_{\\i} + lambda I per training point");
                summary.put("settings", settings);
                Map<String, Path> inputs = in.inputs();
                if (flagged != null) {
                    inputs.put("flagged", flagged);
                }
                summary.put("provenance", Provenance.of("ntk dynamics", settings, inputs, null));
                AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
                dir.commit();
            }
            if (!in.quiet) {
                log.printf("%d times, %d training, %d test points in %.2f s; wrote %s/{influence_t,predictions_t}.npy, "
                        + "dynamics.csv, summary.json%n", t.length, n, nt, seconds, in.out);
            }
            return 0;
        }

        private static double fraction(boolean[] f) {
            int c = 0;
            for (boolean b : f) {
                c += b ? 1 : 0;
            }
            return c / (double) f.length;
        }
    }

    /** {@code exemplar ntk validate}: Table 1, NTK influence vs. real leave-one-out retraining. */
    @Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Table 1: NTK-predicted influence against actual leave-one-out retraining of the two-layer ReLU "
                    + "network (same W(0), same schedule) on each test point's --top-k most influential training points.",
                "Writes DIR/correlations.csv, DIR/correlations.json (Pearson and Spearman per width and test point, "
                    + "means per width), DIR/pairs.csv and DIR/summary.json."})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Inputs in;

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
            Problem p = in.load(log);
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

    /** The inputs shared by the three commands, and their checks. */
    static final class Inputs {
        @Option(names = "--train-features", paramLabel = "X.npy", description = "Training inputs, shape (n, d).")
        Path trainFeatures;

        @Option(names = "--train-targets", paramLabel = "y.npy", description = "Training targets, shape (n,).")
        Path trainTargets;

        @Option(names = "--test-features", paramLabel = "Xt.npy", description = "Test inputs, shape (n_test, d).")
        Path testFeatures;

        @Option(names = "--test-targets", paramLabel = "yt.npy", description = "Test targets, shape (n_test,).")
        Path testTargets;

        @Option(names = "--lambda", defaultValue = "0.1", description = "Ridge strength lambda >= 0 of eq. (2) (default ${DEFAULT-VALUE}).")
        double lambda;

        @Option(names = "--normalize",
                description = "Put every input row on the unit sphere (x / ||x||) and map the training targets' range "
                        + "onto [-1, 1] (y -> (y - center) / halfRange, recorded in summary.json; predictions.npy is "
                        + "mapped back). Without it, inputs off the sphere or targets outside [-1, 1] are an error.")
        boolean normalize;

        @Option(names = "--progress", description = "Show progress bars even when stderr is not a terminal.")
        boolean progress;

        @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
        boolean quiet;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory.")
        Path out;

        Problem load(PrintWriter log) {
            List<String> missing = new ArrayList<>();
            if (trainFeatures == null) {
                missing.add("--train-features");
            }
            if (trainTargets == null) {
                missing.add("--train-targets");
            }
            if (testFeatures == null) {
                missing.add("--test-features");
            }
            if (testTargets == null) {
                missing.add("--test-targets");
            }
            if (out == null) {
                missing.add("--out");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("missing required option(s): " + String.join(", ", missing));
            }
            OutputDirectory.check(out);
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("--lambda must be finite and >= 0, got " + lambda);
            }
            if (!quiet) {
                log.println(Blas.backendNotice());
            }
            DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training inputs");
            DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test inputs");
            double[] y = Validation.requireFinite(Npy.read(trainTargets).toDoubleArray(), trainTargets, "training targets");
            double[] yt = Validation.requireFinite(Npy.read(testTargets).toDoubleArray(), testTargets, "test targets");
            if (x.rows() < 2) {
                throw new DataException(trainFeatures, "needs at least 2 training rows, has " + x.rows());
            }
            if (y.length != x.rows()) {
                throw new DataException(trainTargets, "has " + y.length + " targets but " + trainFeatures + " has "
                        + x.rows() + " rows");
            }
            if (yt.length != xt.rows()) {
                throw new DataException(testTargets, "has " + yt.length + " targets but " + testFeatures + " has "
                        + xt.rows() + " rows");
            }
            if (xt.cols() != x.cols()) {
                throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has " + x.cols());
            }
            TargetScaling scaling = TargetScaling.identity();
            if (normalize) {
                x = unit(x, trainFeatures);
                xt = unit(xt, testFeatures);
                scaling = TargetScaling.fit(y);
                y = scaling.apply(y);
                yt = scaling.apply(yt);
            } else {
                requireSphere(x, trainFeatures);
                requireSphere(xt, testFeatures);
                requireUnitInterval(y, trainTargets);
                requireUnitInterval(yt, testTargets);
            }
            List<int[]> dup = duplicates(x);
            if (!dup.isEmpty() && !quiet) {
                log.printf("note: %d training row(s) duplicate an earlier row (first: row %d = row %d); with lambda = 0 "
                        + "the kernel is singular, with lambda > 0 a duplicate's influence is shared with its twin%n",
                        dup.size(), dup.get(0)[1], dup.get(0)[0]);
            }
            return new Problem(this, x, y, xt, yt, scaling, dup);
        }

        private static DenseMatrix unit(DenseMatrix x, Path file) {
            try {
                return UnitSphere.fit(x).apply(x);
            } catch (IllegalArgumentException e) {
                throw new DataException(file, e.getMessage());
            }
        }

        private static void requireSphere(DenseMatrix x, Path file) {
            int r = UnitSphere.firstRowOffSphere(x, UnitSphere.DEFAULT_TOLERANCE);
            if (r >= 0) {
                throw new DataException(file, "row " + r + " has norm " + UnitSphere.rowNorm(x, r) + "; the NTK "
                        + "theory needs unit-norm inputs (|norm - 1| <= " + UnitSphere.DEFAULT_TOLERANCE
                        + "): normalize them or pass --normalize");
            }
        }

        private static void requireUnitInterval(double[] y, Path file) {
            int r = TargetScaling.firstOutsideUnitInterval(y, 0);
            if (r >= 0) {
                throw new DataException(file, "row " + r + " has target " + y[r] + " outside [-1, 1]: rescale the "
                        + "targets or pass --normalize");
            }
        }

        /** Pairs (first row, later identical row) of exactly equal training rows. */
        private static List<int[]> duplicates(DenseMatrix x) {
            Map<Integer, List<Integer>> byHash = new HashMap<>();
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < x.rows(); i++) {
                double[] row = x.row(i);
                int h = Arrays.hashCode(row);
                List<Integer> same = byHash.computeIfAbsent(h, k -> new ArrayList<>());
                for (int j : same) {
                    if (Arrays.equals(row, x.row(j))) {
                        out.add(new int[] {j, i});
                        break;
                    }
                }
                same.add(i);
            }
            return out;
        }

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("lambda", lambda);
            s.put("normalize", normalize);
            return s;
        }

        Map<String, Path> inputs() {
            Map<String, Path> m = new LinkedHashMap<>();
            m.put("train_features", trainFeatures);
            m.put("train_targets", trainTargets);
            m.put("test_features", testFeatures);
            m.put("test_targets", testTargets);
            return m;
        }
    }

    /** Loaded, checked and (optionally) normalized data. */
    static final class Problem {
        final Inputs in;
        final DenseMatrix x;
        final double[] y;
        final DenseMatrix xt;
        final double[] yt;
        final TargetScaling scaling;
        final List<int[]> duplicates;

        Problem(Inputs in, DenseMatrix x, double[] y, DenseMatrix xt, double[] yt, TargetScaling scaling,
                List<int[]> duplicates) {
            this.in = in;
            this.x = x;
            this.y = y;
            this.xt = xt;
            this.yt = yt;
            this.scaling = scaling;
            this.duplicates = duplicates;
        }

        NtkInfluence fit(DenseMatrix k, double lambda) {
            if (!duplicates.isEmpty() && lambda == 0) {
                int[] d = duplicates.get(0);
                throw new DataException(in.trainFeatures, "rows " + d[0] + " and " + d[1] + " are identical ("
                        + duplicates.size() + " duplicate row(s) in all), so K is singular and lambda = 0 has no "
                        + "leave-one-out solution; use --lambda > 0 or remove the duplicates");
            }
            try {
                return NtkInfluence.fit(k, y, lambda);
            } catch (ArithmeticException e) {
                throw new ArithmeticException("K + lambda I is not numerically positive definite (" + e.getMessage()
                        + "; near-duplicate training inputs?): use a larger --lambda");
            }
        }

        Map<String, Object> summaryHead(String method) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("method", method);
            s.put("n_train", x.rows());
            s.put("n_test", xt.rows());
            s.put("input_dim", x.cols());
            s.put("target_scaling", scaling);
            s.put("target_scaling_note", "targets were mapped by y -> (y - center) / halfRange; influence values are in "
                    + "scaled units (multiply by halfRange^2 for the original units)");
            s.put("duplicate_training_rows", duplicates);
            s.put("backend", Blas.backend().description());
            return s;
        }
    }
}
