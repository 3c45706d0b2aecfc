package org.exemplar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyRowWriter;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.representer.Explanation;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.Fidelity;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code exemplar rps}: representer points from feature files (Yeh et al. 2018). */
@Command(name = "rps", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Representer points for a model given by its last-layer features (Yeh et al. 2018).",
            "Fits the last layer to a stationary point of (1/n) sum_i L(y_i, Theta f_i) + lambda ||Theta||^2 "
                + "(eq. 3, on the labels) or, with --teacher-logits, of the same objective against a trained "
                + "model's outputs (eq. 4), then decomposes every test prediction into representer values "
                + "k(x_t, x_i) = alpha_i f_i^T f_t.",
            "Features are used as given: append a constant-1 column yourself if the last layer has a bias "
                + "(it is then regularized and decomposed like every other weight).",
            "Writes DIR/theta.npy (c x p), DIR/alpha.npy (n x c), DIR/values.npy (n_test x n, values for the "
                + "class the fitted last layer predicts, or --explain-class), DIR/topk.csv and DIR/summary.json."})
final class RpsCommand extends OutputCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    RpsInputs inputs = new RpsInputs();

    @Option(names = "--lambda", defaultValue = "0.003", description = "L2 strength lambda of eq. (3) (default ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--loss", defaultValue = "softmax",
            description = "softmax | sigmoid | relu: the suitable loss (Prop. 3.1) (default ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--classes", description = "Number of classes c when fitting on labels (default: max label + 1).")
    Integer classes;

    @Option(names = "--top-k", defaultValue = "10", description = "Excitatory and inhibitory points per test point in topk.csv (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--explain-class", description = "Explain this class for every test point instead of the predicted one.")
    Integer explainClass;

    @Option(names = "--tolerance", defaultValue = "1e-10",
            description = "Target stationarity residual ||Theta - sum_i alpha_i f_i^T|| / ||Theta|| (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--max-iterations", defaultValue = "5000", description = "L-BFGS iteration cap (default ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--allow-unconverged",
            description = "Write results even when the fit stops above the tolerance (the residual is reported); otherwise exit 3.")
    boolean allowUnconverged;

    @Option(names = "--block-rows", defaultValue = "256", description = "Test points scored per BLAS block (default ${DEFAULT-VALUE}).")
    int blockRows;

    @CommandLine.Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();


    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        if (!quiet) {
            log.println(Blas.backendNotice());
        }
        Loss lossFn = Loss.named(loss);
        if (!List.of("softmax", "sigmoid", "relu").contains(lossFn.name())) {
            throw new IllegalArgumentException("--loss must be softmax, sigmoid or relu, got " + loss);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        RpsInputs.Read in = inputs.read(lossFn, classes, log);
        DenseMatrix f = in.f();
        DenseMatrix ft = in.ft();
        DenseMatrix targets = in.targets();
        DenseMatrix teacher = in.teacher();
        DenseMatrix testTeacher = in.testTeacher();
        int explainable = Math.max(2, targets.cols());
        if (explainClass != null && (explainClass < 0 || explainClass >= explainable)) {
            throw new IllegalArgumentException("--explain-class " + explainClass + " is outside [0, " + explainable
                    + ") (the model has " + explainable + " classes)");
        }

        boolean showProgress = Progress.defaultEnabled(progress, quiet);
        FitOptions options = new FitOptions(lambda, tolerance, maxIterations, true);
        LastLayerFit fit;
        try (Progress bar = Progress.start(showProgress, "fit", maxIterations, "it")) {
            fit = new LastLayerFitter(options).fit(f, targets, lossFn, in.start(), (it, value, residual) -> {
                bar.stepTo(it);
                bar.extra(String.format("residual %.2e", residual));
            });
        }
        if (!quiet) {
            log.printf("fit: %s, %d iterations, stationarity residual %.3e (%s), %.2f s%n", fit.method(),
                    fit.iterations(), fit.stationarityResidual(), fit.converged() ? "converged" : "NOT converged",
                    fit.seconds());
        }
        if (!fit.converged() && !allowUnconverged) {
            throw new NotConvergedException("last-layer fit did not reach the tolerance " + tolerance
                    + ": stationarity residual " + fit.stationarityResidual() + " (" + fit.message()
                    + "); raise --max-iterations, increase --lambda, or pass --allow-unconverged");
        }

        long t0 = System.nanoTime();
        RepresenterPoints rp = RepresenterPoints.of(f, targets, lossFn, lambda, fit.theta());
        int[] predicted = rp.predictedClasses(ft);
        int[] explained = predicted.clone();
        if (explainClass != null) {
            java.util.Arrays.fill(explained, explainClass);
        }
        DenseMatrix recTrain = rp.reconstruct(f);
        DenseMatrix recTest = rp.reconstruct(ft);
        double pearsonTrain = Fidelity.pearson(lossFn, teacher != null ? teacher : rp.outputs(f), recTrain);
        // without the network's test outputs there is nothing independent to compare with: the fitted last layer
        // against its own reconstruction is 1 by construction (issue 15, item 2), so report n/a
        Double pearsonTest = testTeacher != null ? Fidelity.pearson(lossFn, testTeacher, recTest) : null;

        List<Object[]> rows = new ArrayList<>();
        final int[] labelsFinal = in.labels();
        try (OutputDirectory dir = new OutputDirectory(out);
             NpyRowWriter values = NpyRowWriter.open(dir.file("values.npy"), ft.rows(), f.rows());
             ResultFiles common = attributionFiles.open(dir, RepresenterAttributor.convention(explainClass == null
                     ? "predicted class c" : "class " + explainClass), ft.rows(), f.rows(), topK);
             Progress bar = Progress.start(showProgress, "score", ft.rows(), "test points")) {
            rp.values(ft, explained, blockRows, (first, block) -> {
                values.writeRows(block.data(), 0, block.rows());
                common.acceptRaw(first, block.data(), 0, block.rows());
                for (int r = 0; r < block.rows(); r++) {
                    int t = first + r;
                    Explanation e = rp.explain(t, explained[t], block.data(), r * block.cols(), topK);
                    RpsOutputs.addRows(rows, e, "excitatory", e.excitatory(), labelsFinal);
                    RpsOutputs.addRows(rows, e, "inhibitory", e.inhibitory(), labelsFinal);
                }
                bar.step(block.rows());
            });
            values.commit();
            double secondsScore = (System.nanoTime() - t0) / 1e9;
            Npy.write(dir.file("theta.npy"), fit.theta());
            Npy.write(dir.file("alpha.npy"), rp.alpha());
            Csv.write(dir.file("topk.csv"), RpsOutputs.TOPK_HEADER, rows);

            Map<String, Object> settings = RpsOutputs.settings(this, in, lossFn);
            Map<String, Object> summary = RpsOutputs.summary(in, fit, rp, predicted, pearsonTrain, pearsonTest,
                    secondsScore, settings, Provenance.of("rps", settings, inputs.files(), null));
            common.finish(TrustDiagnostics.ofFit(fit.stationarityResidual(), fit.converged(), null),
                    summary.get("provenance"), Map.of("identity_residual", rp.identityResidual()));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!quiet) {
            log.printf("pearson_train %.6f, pearson_test %s; wrote %s/{theta,alpha,values}.npy, topk.csv, "
                    + "summary.json%n", pearsonTrain, pearsonTest == null ? "n/a (no --test-teacher-logits)"
                    : String.format("%.6f", pearsonTest), out);
        }
        return 0;
    }
}
