package org.exemplar.cli;

import static org.exemplar.cli.CfCommands.fit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.cf.CfDeletion;
import org.exemplar.cf.CfDeletionSetup;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cli.CfCommands.ModelOptions;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.eval.DeletionDiagnostics;
import org.exemplar.eval.DeletionResult;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar evaluate deletion cf}. */
@Command(name = "cf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Case-deletion diagnostics for collaborative filtering (Tsai et al. 2023, Sec. 6.3, Tables 2 and 8).",
            "Holds out a seeded fraction of the ratings, trains the model on the rest, picks --test-points held-out "
                + "pairs, and for each method removes the top-k positive (negative) training ratings, retrains with "
                + "the same settings and seed, and records DEL+ (DEL-) = new prediction - original.",
            "Methods: high-dim (Definition 1), fia (Cheng et al. 2019; MF only), tracincp (eq. 20-21; SGD only), random.",
            "Writes DIR/deletion.csv, DIR/per_test.csv (DEL+/DEL- per test pair and k; pairs as in summary.json), "
            + "DIR/deletion.json and DIR/summary.json."})
public final class CfDeletionCommand extends OutputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ratings", required = true, paramLabel = "R.npy|u.data", description = "All ratings (split here).")
    Path ratings;

    @Option(names = "--test-fraction", defaultValue = "0.1", description = "Held-out fraction (default ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--test-points", defaultValue = "40", description = "Held-out pairs to evaluate (default ${DEFAULT-VALUE}).")
    int testPoints;

    @Option(names = "--ks", split = ",", defaultValue = "10,20,30,40,50", description = "k schedule (default ${DEFAULT-VALUE}, the paper's MovieLens one).")
    int[] ks;

    @Option(names = "--methods", split = ",", defaultValue = "high-dim,fia,tracincp,random", description = "Methods (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--fia-damping", defaultValue = "0", description = "Added to FIA's restricted Hessian (default ${DEFAULT-VALUE}).")
    double fiaDamping;

    @Option(names = "--threads", defaultValue = "1", description = "Retraining threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Mixin
    ModelOptions model;


    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        if (model.train == null) {
            model.train = "sgd";
        }
        CfFit.Algorithm a = model.algorithm();
        CfDeletionSetup.check(ks, testPoints, methods, a);
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        Ratings all = model.prepare(RatingsFiles.read(ratings));
        boolean soft = a == CfFit.Algorithm.SOFT_IMPUTE;
        CfDeletionSetup setup = CfDeletionSetup.of(all, testFraction, testPoints, a, soft ? null : model.mf(),
                soft ? model.softImpute() : null, model.seed);
        Ratings.Split split = setup.split();
        Ratings train = setup.train();
        int[] tu = setup.pairs().users();
        int[] ti = setup.pairs().items();
        long t0 = System.nanoTime();
        CfFit.Result fd = fit(train, model, log, quiet);
        CfDeletion target = setup.target();
        List<AttributionMethod> ms = setup.methods(target, methods, fd, fiaDamping, model.seed);
        long total = (long) ms.size() * testPoints * 2 * ks.length;
        List<DeletionResult> res;
        try (Progress bar = Progress.start(Progress.defaultEnabled(progress, quiet), "retrain", total, "fits")) {
            res = DeletionDiagnostics.evaluate(target, ms, java.util.stream.IntStream.range(0, testPoints).toArray(),
                    ks, threads, bar::step);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Object[]> rows = new ArrayList<>();
        for (DeletionResult d : res) {
            rows.add(new Object[] {d.method(), d.aucDelPlus(), d.aucDelPlusCi95(), d.aucDelMinus(),
                d.aucDelMinusCi95(), d.testPoints()});
        }
        try (OutputDirectory dir = new OutputDirectory(out)) {
            Csv.write(dir.file("deletion.csv"), new String[] {"method", "auc_del_plus", "auc_del_plus_ci95",
                "auc_del_minus", "auc_del_minus_ci95", "test_points"}, rows);
            Csv.write(dir.file("per_test.csv"), DeletionResult.perTestHeader(),
                    DeletionResult.perTestRows(res, java.util.stream.IntStream.range(0, testPoints).toArray()));
            AtomicFiles.writeString(dir.file("deletion.json"), Json.write(res));
            Map<String, Object> settings = model.settings();
            settings.put("test_fraction", testFraction);
            settings.put("test_points", testPoints);
            settings.put("ks", ks);
            settings.put("methods", methods);
            settings.put("fia_damping", fiaDamping);
            settings.put("threads", threads);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", "case-deletion diagnostics for CF (Tsai et al. 2023, Sec. 6.3)");
            summary.put("train_ratings", train.size());
            summary.put("held_out_ratings", split.test().size());
            summary.put("test_users", tu);
            summary.put("test_items", ti);
            summary.put("fit", fd.summary());
            summary.put("results", res);
            summary.put("seconds", seconds);
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("evaluate deletion cf", settings, Map.of("ratings", ratings),
                    model.seed));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!quiet) {
            for (DeletionResult d : res) {
                log.printf("%-10s AUC-DEL+ %8.4f +- %.4f   AUC-DEL- %8.4f +- %.4f%n", d.method(), d.aucDelPlus(),
                        d.aucDelPlusCi95(), d.aucDelMinus(), d.aucDelMinusCi95());
            }
            log.printf("%d retrainings in %.1f s; wrote %s/deletion.{csv,json}, summary.json%n", total, seconds, out);
        }
        return 0;
    }
}
