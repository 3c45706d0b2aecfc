package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.RecipeMethods;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.TrakAttributor;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.eval.Lds;
import org.exemplar.eval.SubsetTrainer;
import org.exemplar.eval.TopKRemoval;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.ModelRecipe;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.model.TrainingOptions;
import org.exemplar.trak.RandomProjection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exemplar evaluate lds}: the linear datamodeling score (Park et al. 2023, Def. 2.3) of several attribution
 * methods on the same subsets, and optionally the top-k removal (brittleness) check.
 */
@Command(name = "lds", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Linear datamodeling score of attribution methods: M random training subsets of fraction alpha, "
                + "a model trained on each (cached under --cache), Spearman per test point between the summed scores "
                + "over the subset and the subset model's correct-class log-odds, averaged, with a bootstrap 95%% CI. "
                + "Writes DIR/lds.csv (one row per method), DIR/per_test.csv, DIR/scores_<method>.npy, "
                + "DIR/subset_outputs.npy, DIR/subsets.npy, DIR/summary.json (and DIR/removal.csv with --removal-ks).")
final class LdsCommand extends OutputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train-features", required = true, paramLabel = "X.npy", description = "Training inputs (n, d).")
    Path trainFeatures;

    @Option(names = "--train-labels", required = true, paramLabel = "y.npy", description = "Training class labels 0..c-1.")
    Path trainLabels;

    @Option(names = "--test-features", required = true, paramLabel = "Xt.npy", description = "Test inputs (n_test, d).")
    Path testFeatures;

    @Option(names = "--test-labels", required = true, paramLabel = "yt.npy", description = "Test class labels.")
    Path testLabels;

    @Option(names = "--method", required = true, split = ",", paramLabel = "M[,M..]",
            description = "Methods: trak (or trak-N for an N-model ensemble), kfac, ekfac, tracin (any --model), rps, "
                    + "if-exact, if-cg, if-lissa, if-arnoldi (linear models).")
    List<String> methods;

    @Option(names = "--model", defaultValue = "softmax", description = "softmax | logistic | mlp (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--l2", defaultValue = "0.01", description = "Linear model: L2 strength on every parameter (default ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--hidden", defaultValue = "64", split = ",", description = "MLP hidden widths (default ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--epochs", defaultValue = "20", description = "MLP epochs (Adam, lr 1e-3, batch 64) (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--mlp-l2", defaultValue = "0.0001", description = "MLP weight decay (default ${DEFAULT-VALUE}).")
    double mlpL2;

    @Option(names = "--projection-dim", defaultValue = "512", description = "TRAK projection dimension k (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--projection", defaultValue = "rademacher", description = "rademacher | gaussian | orthogonal (default ${DEFAULT-VALUE}).")
    String projection;

    @Option(names = "--damping", defaultValue = "0.001", description = "TRAK kernel / influence curvature damping (default ${DEFAULT-VALUE}).")
    double damping;

    @Option(names = "--subsets", defaultValue = "100", description = "M, random subsets (default ${DEFAULT-VALUE}).")
    int subsets;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Subset fraction (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap resamples for the CI (default ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--threads", defaultValue = "2", description = "Subset models trained at once (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--cache", paramLabel = "DIR", description = "Cache of subset-model outputs reused by later runs (default: none).")
    Path cache;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of subsets, models and projections (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--removal-ks", split = ",", description = "Also run the top-k removal check with these k.")
    int[] removalKs;

    @Option(names = "--removal-test-points", defaultValue = "10", description = "Test points of the removal check (default ${DEFAULT-VALUE}).")
    int removalTestPoints;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getErr();
        // every input checked before any training
        DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training features");
        DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test features");
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns, " + trainFeatures + " has " + x.cols());
        }
        int[] y = Validation.classLabels(trainLabels, x.rows(), trainFeatures);
        int[] yt = Validation.classLabels(testLabels, xt.rows(), testFeatures);
        int classes = 2;
        for (int v : y) {
            classes = Math.max(classes, v + 1);
        }
        for (int i = 0; i < yt.length; i++) {
            if (yt[i] >= classes) {
                throw new DataException(testLabels, "label " + yt[i] + " at row " + i + " is not a training class (0.."
                        + (classes - 1) + ")");
            }
        }
        Lds.Options o = new Lds.Options(subsets, alpha, seed, bootstrap, threads, cache);
        Lds.subsets(x.rows(), 1, alpha, seed);
        ModelRecipe recipe = switch (model.toLowerCase(Locale.ROOT)) {
            case "softmax" -> ModelRecipe.linear(LinearModels.Kind.SOFTMAX, l2, new TightTrainingOptions(1e-8, 3000, 0));
            case "logistic" -> {
                if (classes != 2) {
                    throw new DataException(trainLabels, "--model logistic needs labels 0/1, found " + classes
                            + " classes");
                }
                yield ModelRecipe.linear(LinearModels.Kind.LOGISTIC, l2, new TightTrainingOptions(1e-8, 3000, 0));
            }
            case "mlp" -> ModelRecipe.mlp(hidden, Activation.RELU,
                    TrainingOptions.adam(1e-3).withBatchSize(64).withEpochs(epochs).withL2(mlpL2));
            default -> throw new IllegalArgumentException("--model must be softmax, logistic or mlp, got '" + model + "'");
        };
        RecipeMethods.Settings ms = new RecipeMethods.Settings(recipe, k, RandomProjection.Kind.parse(projection), damping, l2, seed);
        RecipeMethods.check(methods, recipe.isLinear());
        if (removalKs != null) {
            for (int kk : removalKs) {
                if (kk < 1 || kk >= x.rows()) {
                    throw new IllegalArgumentException("--removal-ks entry " + kk + " outside [1, " + (x.rows() - 1) + "]");
                }
            }
        }
        Examples train = Examples.labeled(x, y);
        Examples test = Examples.labeled(xt, yt);
        SubsetTrainer trainer = SubsetTrainer.of(recipe, classes);
        if (!quiet) {
            log.printf(Locale.ROOT, "lds: training %d subset models (alpha %.2f)%s%n", subsets, alpha,
                    cache == null ? "" : ", cache " + cache);
            log.flush();
        }
        Lds.SubsetOutputs actual = Lds.subsetOutputs(train, test, trainer, o);
        if (!quiet) {
            log.printf(Locale.ROOT, "lds: %d trained, %d reused from the cache, %.1f s%n", actual.trained(),
                    actual.reused(), actual.seconds());
            log.flush();
        }
        List<Object[]> rows = new ArrayList<>();
        Map<String, double[]> perTest = new LinkedHashMap<>();
        Map<String, DenseMatrix> scores = new LinkedHashMap<>();
        List<Map<String, Object>> results = new ArrayList<>();
        List<Object[]> removal = new ArrayList<>();
        for (String m : methods) {
            long t0 = System.nanoTime();
            PreparedAttributor<Examples> a = RecipeMethods.prepare(m, ms, train);
            Examples scored = RecipeMethods.inputs(m, test);
            double prep = (System.nanoTime() - t0) * 1e-9;
            long t1 = System.nanoTime();
            var attribution = a.attribute(scored);
            double scoreSeconds = (System.nanoTime() - t1) * 1e-9;
            Lds.Result r = Lds.score(attribution.scores(), actual, alpha, bootstrap, seed);
            rows.add(new Object[] {m, r.lds(), r.ciLow(), r.ciHigh(), r.undefined(), subsets, alpha, prep, scoreSeconds,
                a instanceof TrakAttributor t ? t.bytesPerTrainingPoint() : 0});
            perTest.put(m, r.perTest());
            scores.put(m, attribution.scores());
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("method", m);
            res.put("lds", r.lds());
            res.put("ci95", List.of(r.ciLow(), r.ciHigh()));
            res.put("undefined_test_points", r.undefined());
            res.put("prepare_seconds", prep);
            res.put("score_seconds", scoreSeconds);
            res.put("convention", attribution.convention());
            res.put("diagnostics", attribution.diagnostics());
            res.put("provenance", attribution.provenance());
            if (removalKs != null) {
                int nt = Math.min(removalTestPoints, xt.rows());
                TopKRemoval.Result rr = TopKRemoval.run(attribution.scores().rowRange(0, nt), train, test.rows(0, nt),
                        trainer, removalKs, seed, threads);
                res.put("removal", rr);
                for (int i = 0; i < rr.ks().length; i++) {
                    removal.add(new Object[] {m, rr.ks()[i], rr.meanDrop()[i], rr.flipFraction()[i],
                        rr.randomMeanDrop()[i], rr.randomFlipFraction()[i], nt});
                }
            }
            results.add(res);
            if (!quiet) {
                log.printf(Locale.ROOT, "lds: %s %.4f [%.4f, %.4f] (prepare %.1f s, score %.1f s)%n", m, r.lds(),
                        r.ciLow(), r.ciHigh(), prep, scoreSeconds);
                log.flush();
            }
        }
        LdsOutputs.write(this, rows, perTest, scores, results, removal, actual, recipe, xt.rows());
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "| method | LDS | 95%% CI |%n|---|---|---|%n");
        for (Object[] r : rows) {
            w.printf(Locale.ROOT, "| %s | %.4f | [%.4f, %.4f] |%n", r[0], (double) r[1], (double) r[2], (double) r[3]);
        }
        w.flush();
        return 0;
    }
}
