package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.ResultFiles;
import org.exemplar.attribution.SparseRepresenterAttributor;
import org.exemplar.attribution.TrustDiagnostics;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyRowWriter;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar hdrep}: high-dimensional representers (Tsai et al. 2023). */
@Command(name = "hdrep", mixinStandardHelpOptions = true,
        description = "High-dimensional representers (Tsai et al., ICML 2023): L1-regularized models and recommenders.",
        subcommands = {HdrepCommand.L1.class, CfCommand.class, CfExplainRatingCommand.class})
final class HdrepCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "l1", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Fit L1-regularized logistic regression (1/n) sum_i log(1 + exp(-y_i x_i^T theta)) + lambda ||theta||_1 "
                    + "to a checked optimum and explain every test prediction x'^T theta by its training points: the high-dim "
                    + "representer (Corollary 2) alpha_i sum_{j in support} |theta_j| x_ij x'_j, which sums exactly to the "
                    + "prediction, and the L2-representer baseline -l'_i x_i^T x'.",
                "Writes DIR/theta.npy, DIR/alpha.npy, DIR/values.npy (n_test x n_train), DIR/l2rep.npy (n_test x n_train), "
                    + "optionally DIR/influence.npy, DIR/topk.csv and DIR/summary.json."})
    static final class L1 extends ResultsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SparseInputs inputs;

        @Mixin
        L1ModelOptions l1;

        @Option(names = "--influence", description = "Also write the support-restricted influence-function baseline (influence.npy).")
        boolean influence;

        @Option(names = "--save-artifact", description = "Also save the prepared attributor (representer-l1) to "
                + "DIR/artifact; `exemplar index build --from DIR/artifact` serves it. Saves the command's own fit "
                + "(no second fit).")
        boolean saveArtifact;

        @Option(names = "--top-k", defaultValue = "10", description = "Rows per test point and sign in topk.csv (default ${DEFAULT-VALUE}).")
        int topK;

        @Option(names = "--allow-unconverged", description = "Write results although the KKT residual is above the tolerance.")
        boolean allowUnconverged;

        @Option(names = "--max-output-gb", defaultValue = "1", paramLabel = "GB",
                description = "Refuse (exit 2, before fitting) to write dense n_test x n_train arrays larger than this in "
                        + "all (default ${DEFAULT-VALUE}); raise it to ask for them, or use --no-dense.")
        double maxOutputGb;

        @Option(names = "--no-dense", description = "Skip values.npy, l2rep.npy and influence.npy (n_test x n_train each); "
                + "write theta, alpha, topk.csv and summary.json only.")
        boolean noDense;

        @CommandLine.Mixin
        AttributionFilesOptions attributionFiles = new AttributionFilesOptions();


        @Override
        public Integer call() {
            PrintWriter log = spec.commandLine().getErr();
            SparseInputs.Loaded d = inputs.load();
            long denseBytes = noDense ? 0 : (influence ? 3L : 2L) * d.test().rows() * d.x().rows() * Double.BYTES;
            checkOutputSize(denseBytes, maxOutputGb, out, influence, d.test().rows(), d.x().rows());
            if (!quiet && denseBytes > 0) {
                log.printf(Locale.ROOT, "dense outputs: %d arrays of %d x %d float64 = %s%n", influence ? 3 : 2,
                        d.test().rows(), d.x().rows(), human(denseBytes));
            }
            L1ModelOptions.Fitted fitted = l1.fit(d);
            double[] y = fitted.labels();
            SparseLogisticRegression model = fitted.model();
            SparseFit fit = fitted.fit();
            double lambda = l1.lambda;
            if (!quiet) {
                log.printf(Locale.ROOT, "L1 logistic regression: %d x %d (nnz %d), support %d, KKT residual %.2e (%s), %.2f s%n",
                        d.x().rows(), d.x().cols(), d.x().nnz(), fit.support(), fit.kktResidual(),
                        fit.converged() ? "converged" : "NOT converged", fit.seconds());
            }
            if (!fit.converged() && !allowUnconverged) {
                throw new NotConvergedException("L1 fit did not reach the KKT tolerance " + l1.tolerance + ": " + fit.message());
            }
            HighDimRepresenter rep = new HighDimRepresenter(d.x(), y, fit, lambda);
            int nt = d.test().rows();
            int n = d.x().rows();
            long t0 = System.nanoTime();
            double worstDecomposition = 0;
            List<Object[]> rows = new ArrayList<>();
            double secondsIf = 0;
            try (OutputDirectory dir = new OutputDirectory(out);
                 NpyRowWriter values = noDense ? null : NpyRowWriter.open(dir.file("values.npy"), nt, n);
                 NpyRowWriter l2 = noDense ? null : NpyRowWriter.open(dir.file("l2rep.npy"), nt, n);
                 NpyRowWriter inf = influence && !noDense ? NpyRowWriter.open(dir.file("influence.npy"), nt, n) : null;
                 ResultFiles common = ResultFiles.open(dir.file(ResultFiles.FOLDER),
                         SparseRepresenterAttributor.l1Convention(), nt, n, topK, noDense
                                 ? "--no-dense was given" : attributionFiles.skipReason(nt, n))) {
                for (int t = 0; t < nt; t++) {
                    double[] v = rep.values(d.test(), t);
                    if (values != null) {
                        values.writeRow(v);
                        l2.writeRow(rep.l2Values(d.test(), t));
                    }
                    if (inf != null) {
                        long ti = System.nanoTime();
                        inf.writeRow(rep.influenceValues(d.test(), t));
                        secondsIf += (System.nanoTime() - ti) / 1e9;
                    }
                    common.acceptRaw(t, v, 0, 1);
                    worstDecomposition = Math.max(worstDecomposition, rep.decompositionError(d.test(), t, v));
                    addTop(rows, t, v, topK, d.labels());
                }
                double secondsScore = (System.nanoTime() - t0) / 1e9 - secondsIf;
                if (values != null) {
                    values.commit();
                    l2.commit();
                }
                if (inf != null) {
                    inf.commit();
                }
                Npy.write(dir.file("theta.npy"), fit.theta());
                Npy.write(dir.file("alpha.npy"), rep.alpha());
                if (saveArtifact) {
                    org.exemplar.attribution.Attributors.l1Representer()
                            .fitBias(l1.bias).tolerance(l1.tolerance, l1.maxIterations).lambda(lambda)
                            .prepare(new org.exemplar.attribution.SparseExamples(d.x(), y), fit)
                            .save(dir.file("artifact"));
                }
                Csv.write(dir.file("topk.csv"), new String[] {"test_index", "kind", "rank", "train_index", "value",
                    "train_label"}, rows);
                Map<String, Object> settings = new LinkedHashMap<>();
                settings.put("model", "L1 logistic regression, objective (1/n) sum log(1+exp(-y x.theta [+ b])) + lambda ||theta||_1");
                settings.put("lambda", lambda);
                settings.put("bias", l1.bias ? "unpenalized, separate term" : "none");
                settings.put("tolerance", l1.tolerance);
                settings.put("dense_outputs", !noDense);
                Map<String, Path> in = new LinkedHashMap<>();
                in.put("train", d.trainSource());
                in.put("test", d.testSource());
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("method", "high-dimensional representer, L1 (Tsai et al. 2023, Corollary 2)");
                summary.put("n_train", n);
                summary.put("n_test", nt);
                summary.put("features", d.x().cols());
                summary.put("objective", fit.objective());
                summary.put("kkt_residual", fit.kktResidual());
                summary.put("converged", fit.converged());
                summary.put("support_size", fit.support());
                summary.put("bias_term", fit.bias());
                summary.put("decomposition_error", worstDecomposition);
                summary.put("seconds_fit", fit.seconds());
                summary.put("seconds_score", secondsScore);
                summary.put("ms_per_test_point", nt == 0 ? 0 : 1000 * secondsScore / nt);
                if (influence) {
                    summary.put("seconds_influence", secondsIf);
                }
                summary.put("backend", Blas.backend().description());
                summary.put("values_orientation", "rows = test points, columns = training points; positive = raises "
                        + "the test prediction x'.theta");
                summary.put("settings", settings);
                summary.put("provenance", Provenance.of("hdrep-l1", settings, in, null));
                common.finish(new TrustDiagnostics(fit.kktResidual(), worstDecomposition, Double.NaN, 0,
                        fit.converged(), List.of()), summary.get("provenance"), Map.of());
                AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
                dir.commit();
            }
            if (!quiet) {
                log.printf(Locale.ROOT, "decomposition error %.2e; wrote %s%n", worstDecomposition, out);
            }
            return 0;
        }

        /**
         * Refuses dense outputs above {@code maxGb} or above the free space of the destination's file system, before any
         * work (issue 15, item 3: IMDB's two 25k x 25k arrays are 9.4 GB).
         */
        static void checkOutputSize(long bytes, double maxGb, Path out, boolean influence, int nt, int n) {
            if (bytes == 0) {
                return;
            }
            String what = (influence ? "values.npy, l2rep.npy and influence.npy" : "values.npy and l2rep.npy") + " ("
                    + nt + " x " + n + " float64 each) take " + human(bytes);
            if (bytes > maxGb * 1e9) {
                throw new IllegalArgumentException(what + ", more than --max-output-gb " + maxGb + "; raise "
                        + "--max-output-gb to write them, or pass --no-dense for theta, alpha, topk.csv and summary.json only");
            }
            Path p = out.toAbsolutePath();
            while (p != null && !java.nio.file.Files.exists(p)) {
                p = p.getParent();
            }
            try {
                long free = p == null ? Long.MAX_VALUE : java.nio.file.Files.getFileStore(p).getUsableSpace();
                if (bytes > free) {
                    throw new IllegalArgumentException(what + " but only " + human(free) + " are free at " + p
                            + "; free space, choose another --out, or pass --no-dense");
                }
            } catch (java.io.IOException e) {
                // free space unknown: the size limit above still holds
            }
        }

        static String human(long bytes) {
            return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
                    : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }

        static void addTop(List<Object[]> rows, int t, double[] v, int k, double[] labels) {
            Integer[] idx = new Integer[v.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(v[b], v[a]));
            for (int r = 0; r < Math.min(k, idx.length) && v[idx[r]] > 0; r++) {
                rows.add(new Object[] {t, "positive", r + 1, idx[r], v[idx[r]], labels[idx[r]]});
            }
            for (int r = 0; r < Math.min(k, idx.length) && v[idx[idx.length - 1 - r]] < 0; r++) {
                int i = idx[idx.length - 1 - r];
                rows.add(new Object[] {t, "negative", r + 1, i, v[i], labels[i]});
            }
        }
    }
}
