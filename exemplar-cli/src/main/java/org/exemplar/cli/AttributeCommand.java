package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.KfacAttributor;
import org.exemplar.attribution.MethodCatalog;
import org.exemplar.attribution.NpyScoreSink;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.SelfInfluence;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.Npy;
import org.exemplar.linalg.Blas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar attribute}: the scalable attributors through the attribution API: K-FAC / EK-FAC influence and
 * TracInCP for networks. Options -> {@link Settings} -> {@link #prepare} (the one place a method name becomes a
 * builder) -> scores, top-k and summary writers.
 */
@Command(name = "attribute", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Attribute test predictions to training points through the attribution API:",
            "  rps: representer points (Yeh et al. 2018, eq. 2-3) of a softmax/sigmoid last layer fitted here on the "
                + "features as given (lambda ||Theta||^2, --lambda), explaining the predicted class's logit;",
            "  influence: influence functions (Koh & Liang 2017, eq. 2) of a softmax/logistic model trained here "
                + "(--l2, --damping, --solver exact|cg|lissa|arnoldi);",
            "  kfac / ekfac: influence (1/n) grad f_t^T (F + damping I)^{-1} grad L_i with the K-FAC / EK-FAC Fisher "
                + "(Grosse et al. 2023, eq. 16-20); the factors are written to DIR/factors and reused with --factors;",
            "  tracin: TracInCP sum_c eta_c grad f_t(theta_c) . grad L_i(theta_c) over the checkpoints of an MLP "
                + "trained here by SGD (Pruthi et al. 2020, eq. 3);",
            "  trak: TRAK (Park et al. 2023) over --models independently trained models (softmax/logistic with --l2, "
                + "or an MLP with --hidden), gradients projected to --projection-dim dimensions.",
            "Sign: positive = the training point supports the explained output (-test loss, or the margin/logit); "
                + "rows = test points, columns = training points.",
            "Writes DIR/scores.npy (n_test x n_train, float64), DIR/self_influence.npy (n_train), DIR/topk.csv "
                + "(test_index, kind, rank, train_index, train_id, score, train_label) and DIR/summary.json "
                + "(convention, settings, diagnostics, provenance)."})
final class AttributeCommand extends OutputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", required = true, description = "rps | influence | kfac | ekfac | tracin | trak.")
    String method;

    @Mixin
    AttributeInputs inputs = new AttributeInputs();

    @Mixin
    AttributeMethodOptions options = new AttributeMethodOptions();

    @Option(names = "--save-artifact", description = "Also save the prepared attributor to DIR/artifact (reloadable "
            + "without refitting; `exemplar index build --from DIR/artifact` serves it).")
    boolean saveArtifact;

    @Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();

    @Option(names = "--skip-self-influence", description = "Do not write self_influence.npy.")
    boolean skipSelf;

    /** The methods this command knows: the library's catalogue. */
    static final List<String> METHODS = MethodCatalog.NAMES;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        // ---- options -> settings, every check before any work
        options.checkOptions(method);
        AttributeInputs.Read data = inputs.read();
        MethodCatalog.Spec s = options.spec(method, inputs, data);
        Map<String, Path> files = inputs.files();
        if (s.mlp() != null) {
            files.put("mlp", options.mlpPath());
        }
        if (options.factors != null) {
            files.put("factors", options.factors.resolve("factors.json"));
        }
        int nTrain = data.x().rows();
        int nTest = data.xt().rows();

        // ---- library
        if (!quiet) {
            log.println(Blas.backendNotice());
        }
        long t1 = System.nanoTime();
        PreparedAttributor<Examples> prepared = MethodCatalog.prepare(method, s, Examples.labeled(data.x(), data.y()));
        double prepareSeconds = (System.nanoTime() - t1) / 1e9;
        if (!quiet) {
            log.printf(Locale.ROOT, "prepare: %s on %d training points, %.2f s%n", prepared.name(), nTrain,
                    prepareSeconds);
        }
        if (!prepared.diagnostics().converged()) {
            throw new NotConvergedException("the preparation did not converge (stationarity residual "
                    + prepared.diagnostics().stationarityResidual() + "; " + String.join("; ",
                    prepared.diagnostics().notes()) + "); raise --l2");
        }

        // ---- writers: DIR/scores.npy written once, attribution/scores.npy a hard link to it (both documented)
        try (OutputDirectory dir = new OutputDirectory(out)) {
            Path scoresFile = dir.file("scores.npy");
            long t2 = System.nanoTime();
            TrustDiagnostics d;
            try (ResultFiles common = attributionFiles.openSharing(dir, prepared.convention(), nTest, nTrain,
                    options.topK, scoresFile)) {
                try (NpyScoreSink npy = new NpyScoreSink(scoresFile, nTest, nTrain)) {
                    d = prepared.score(Examples.labeled(data.xt(), data.yt()), Math.max(1, prepared.defaultBlockRows()),
                            (first, block) -> {
                                npy.accept(first, block);
                                common.accept(first, block);
                            });
                    npy.commit();
                }
                common.finish(d, prepared.provenance(), Map.of("artifact_key", prepared.key()));
                if (saveArtifact) {
                    prepared.save(dir.file("artifact"));
                }
                double scoreSeconds = (System.nanoTime() - t2) / 1e9;
                SelfInfluence self = null;
                long t3 = System.nanoTime();
                if (!skipSelf && prepared.hasSelfInfluence()) {
                    self = prepared.selfInfluence();
                    Npy.write(dir.file("self_influence.npy"), self.scores());
                }
                double selfSeconds = (System.nanoTime() - t3) / 1e9;
                if (prepared instanceof KfacAttributor k) {
                    k.factors().save(dir.file("factors"));
                }
                AttributeOutputs.writeTopK(dir.file("topk.csv"), common.ranking(), data.ids(), data.y());
                AttributeOutputs.writeSummary(dir.file("summary.json"), prepared, data, d, options.topK,
                        options.factors != null, new AttributeOutputs.Timings(prepareSeconds, scoreSeconds,
                                selfSeconds, (System.nanoTime() - t0) / 1e9), files, options.seed);
                dir.commit();
                if (!quiet) {
                    log.printf(Locale.ROOT, "scores: %d x %d in %.2f s; self-influence %.2f s%n", nTest, nTrain,
                            scoreSeconds, selfSeconds);
                    log.printf("wrote %s/{scores.npy,%stopk.csv,summary.json%s}%n", out, self != null
                            ? "self_influence.npy," : "", prepared instanceof KfacAttributor ? ",factors/" : "");
                }
            }
        }
        return 0;
    }
}
