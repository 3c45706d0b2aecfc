package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.MethodCatalog;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.Solver;
import org.exemplar.attribution.TrakAttributor;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.eval.Lds;
import org.exemplar.eval.SubsetTrainer;
import org.exemplar.eval.TopKRemoval;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
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

    /** Every setting a method needs. */
    record MethodSettings(ModelRecipe recipe, int k, RandomProjection.Kind projection, double damping, double l2,
                          long seed) {
    }

    /**
     * The method name -> prepared attributor selection (one place; to be merged with the attribute command's).
     *
     * @return the attributor, prepared on {@code train}
     */
    static PreparedAttributor<Examples> select(String method, MethodSettings s, Examples train) {
        String m = method.trim().toLowerCase(Locale.ROOT);
        if (m.equals("trak") || m.startsWith("trak-")) {
            int models = m.equals("trak") ? 1 : Integer.parseInt(m.substring(5));
            return Attributors.trak().train(s.recipe(), models).dimension(s.k()).projection(s.projection())
                    .damping(s.damping()).seed(s.seed()).prepare(train);
        }
        if (m.equals("kfac") || m.equals("ekfac") || m.equals("tracin")) {
            boolean linear = s.recipe().isLinear();
            // tracin: a linear recipe checkpoints a linear softmax under the builder's SGD default; an MLP recipe
            // checkpoints its own training
            return MethodCatalog.prepare(m, new MethodCatalog.Spec(linear ? s.recipe().kind() : null, null,
                    s.recipe(), s.recipe().loss(), org.exemplar.influence.TestFunction.LOSS, 0, s.l2(), s.damping(),
                    null, org.exemplar.curvature.FisherKind.SAMPLED, null,
                    linear ? new int[0] : s.recipe().hidden(), linear ? Activation.RELU : s.recipe().activation(),
                    linear ? null : s.recipe().training(), 1, false, 1, 0, s.seed()), train);
        }
        if (!s.recipe().isLinear()) {
            throw new IllegalArgumentException("method '" + method + "' needs a linear model here (--model softmax or "
                    + "logistic); for an MLP use trak, kfac, ekfac or tracin");
        }
        return switch (m) {
            case "rps" -> Attributors.representer().lambda(s.l2() / 2).prepare(train);
            case "if-exact", "if-cg", "if-lissa", "if-arnoldi" -> Attributors.influence(s.recipe().kind()).l2(s.l2())
                    .training(s.recipe().tight()).damping(s.damping()).seed(s.seed())
                    .solver(Solver.valueOf(m.substring(3).toUpperCase(Locale.ROOT))).prepare(train);
            default -> throw new IllegalArgumentException("unknown method '" + method
                    + "' (expected trak, trak-N, kfac, ekfac, tracin, rps, if-exact, if-cg, if-lissa, if-arnoldi)");
        };
    }

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
        MethodSettings ms = new MethodSettings(recipe, k, RandomProjection.Kind.parse(projection), damping, l2, seed);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String m : methods) {
            String n = m.trim().toLowerCase(Locale.ROOT);
            if (!seen.add(n)) {
                throw new IllegalArgumentException("--method lists '" + m + "' twice");
            }
            boolean known = n.equals("trak") || n.matches("trak-[1-9][0-9]*") || List.of("rps", "if-exact", "if-cg",
                    "if-lissa", "if-arnoldi", "kfac", "ekfac", "tracin").contains(n);
            if (!known) {
                throw new IllegalArgumentException("unknown method '" + m
                        + "' (expected trak, trak-N, kfac, ekfac, tracin, rps, if-exact, if-cg, if-lissa, if-arnoldi)");
            }
            if (!n.startsWith("trak") && !List.of("kfac", "ekfac", "tracin").contains(n) && !recipe.isLinear()) {
                throw new IllegalArgumentException("method '" + m + "' needs --model softmax or logistic");
            }
        }
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
            PreparedAttributor<Examples> a = m.trim().equalsIgnoreCase("rps")
                    ? Attributors.representer().lambda(l2 / 2).prepare(Examples.labeled(x.withOnesColumn(), y))
                    : select(m, ms, train);
            Examples scored = m.trim().equalsIgnoreCase("rps") ? Examples.labeled(xt.withOnesColumn(), yt) : test;
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
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.putAll(recipe.settings());
        settings.put("methods", methods);
        settings.put("subsets", subsets);
        settings.put("alpha", alpha);
        settings.put("bootstrap", bootstrap);
        settings.put("projection_dim", k);
        settings.put("projection", projection);
        settings.put("damping", damping);
        settings.put("explained", "correct-class log-odds of the test label (rank-equivalent to -loss)");
        Map<String, Path> in = new LinkedHashMap<>();
        in.put("train_features", trainFeatures);
        in.put("train_labels", trainLabels);
        in.put("test_features", testFeatures);
        in.put("test_labels", testLabels);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", "linear datamodeling score");
        summary.put("results", results);
        summary.put("subset_models_trained", actual.trained());
        summary.put("subset_models_reused", actual.reused());
        summary.put("settings", settings);
        summary.put("provenance", Provenance.of("evaluate-lds", settings, in, seed));
        try (OutputDirectory dir = new OutputDirectory(out)) {
            Csv.write(dir.file("lds.csv"), new String[] {"method", "lds", "ci_low", "ci_high", "undefined", "subsets",
                "alpha", "prepare_seconds", "score_seconds", "bytes_per_train_point"}, rows);
            List<Object[]> pt = new ArrayList<>();
            for (int t = 0; t < xt.rows(); t++) {
                Object[] row = new Object[1 + perTest.size()];
                row[0] = t;
                int c = 1;
                for (double[] v : perTest.values()) {
                    row[c++] = v[t];
                }
                pt.add(row);
            }
            List<String> header = new ArrayList<>();
            header.add("test_index");
            header.addAll(perTest.keySet());
            Csv.write(dir.file("per_test.csv"), header.toArray(new String[0]), pt);
            for (var e : scores.entrySet()) {
                Npy.write(dir.file("scores_" + e.getKey().trim().toLowerCase(Locale.ROOT) + ".npy"), e.getValue());
            }
            Npy.write(dir.file("subset_outputs.npy"), actual.outputs());
            DenseMatrix sub = new DenseMatrix(actual.subsets().length, actual.subsets()[0].length);
            for (int m = 0; m < sub.rows(); m++) {
                for (int j = 0; j < sub.cols(); j++) {
                    sub.set(m, j, actual.subsets()[m][j]);
                }
            }
            Npy.write(dir.file("subsets.npy"), sub);
            if (removalKs != null) {
                Csv.write(dir.file("removal.csv"), new String[] {"method", "k", "mean_drop", "flip_fraction",
                    "random_mean_drop", "random_flip_fraction", "test_points"}, removal);
            }
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "| method | LDS | 95%% CI |%n|---|---|---|%n");
        for (Object[] r : rows) {
            w.printf(Locale.ROOT, "| %s | %.4f | [%.4f, %.4f] |%n", r[0], (double) r[1], (double) r[2], (double) r[3]);
        }
        w.flush();
        return 0;
    }
}
