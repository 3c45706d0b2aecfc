package org.exemplar.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.AtomicFiles;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.response.CorrelationRow;
import org.exemplar.response.PbrfExperiment;
import org.exemplar.response.PbrfResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar pbrf}: the six response functions and the five-gap decomposition of Bae et al. 2022; {@code pbrf
 * sweep} the ablations of its Sec. 6.2. Parses options into {@link org.exemplar.response.PbrfSettings}, calls
 * {@link PbrfExperiment} / {@link PbrfSweep}, writes the results folder.
 */
@Command(name = "pbrf", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {PbrfSweepCommand.class},
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
        try (PbrfProgress bars = new PbrfProgress(Progress.defaultEnabled(in.progress, in.quiet), in.quiet ? null : log)) {
            r = PbrfExperiment.run(p.initial(), p.train(), p.testX(), p.testT(), p.settings(), bars);
        }
        List<String> problems = r.convergenceProblems();
        if (!problems.isEmpty() && !in.allowUnconverged) {
            throw new NotConvergedException(String.join("; ", problems) + "; change the settings or pass "
                    + "--allow-unconverged");
        }
        try (OutputDirectory dir = new OutputDirectory(in.out)) {
            PbrfOutputs.writeDecomposition(dir.file("decomposition.csv"), r);
            PbrfOutputs.writeCorrelations(dir.file("correlations.csv"), r);
            PbrfOutputs.writeResponses(dir.file("responses.npz"), r, p);
            Map<String, Object> settings = in.settingsMap(p);
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(PbrfOutputs.summary(r, p, settings,
                    Provenance.of("pbrf", settings, p.inputs(), in.seed))));
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
}
