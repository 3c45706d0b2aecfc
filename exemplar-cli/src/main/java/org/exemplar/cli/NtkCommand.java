package org.exemplar.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.NtkAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.SymmetricEigen;
import org.exemplar.ntk.Complexity;
import org.exemplar.ntk.IhvpErrorBound;
import org.exemplar.ntk.InfluenceScores;
import org.exemplar.ntk.NtkInfluence;
import org.exemplar.ntk.NtkKernel;
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
        subcommands = {NtkDynamicsCommand.class, NtkValidateCommand.class},
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
    NtkInputs in;

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
        NtkProblem p = in.load(log);
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
}
