package org.exemplar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.Solver;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.eval.Lds;
import org.exemplar.eval.SubsetTrainer;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelRecipe;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.model.TrainingOptions;

/**
 * dattri's MNIST-10 LDS setting (Deng et al. 2024): the first {@code ntrain} training and {@code ntest} test digits
 * of MNIST, a multinomial logistic regression and a small MLP, LDS with alpha = 0.5 over {@code subsets} random
 * subsets (subset models cached under {@code cache}), for every attribution method of the project that applies.
 * Writes {@code out/lds.csv} (one row per model and method, appended as each finishes), {@code out/summary.json}
 * and the score matrices {@code out/<model>/scores_<method>.npy}. Arguments key=value, run from the repository root:
 *
 * <pre>java -Xmx4g -cp exemplar-bench/target/exemplar-bench.jar org.exemplar.bench.DattriMnistLds \
 *     mnist=../shared/data/mnist/idx out=target/dattri cache=target/dattri-cache</pre>
 */
public final class DattriMnistLds {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("mnist", "../shared/data/mnist/idx");
        a.put("ntrain", "5000");
        a.put("ntest", "500");
        a.put("subsets", "100");
        a.put("alpha", "0.5");
        a.put("models", "logistic,mlp");
        a.put("methods", "rps,if-exact,if-cg,if-lissa,if-arnoldi,trak-1,trak-10,trak-50");
        a.put("l2", "0.01");
        a.put("damping", "0.001");
        a.put("hidden", "64");
        a.put("epochs", "20");
        a.put("mlpl2", "0.0001");
        a.put("k", "1024");
        a.put("k50", "512");
        a.put("threads", "2");
        a.put("seed", "0");
        a.put("bootstrap", "1000");
        a.put("lissadepth", "1000");
        a.put("mlpiftests", "50");
        a.put("out", "target/dattri");
        a.put("cache", "target/dattri-cache");
        BenchData.overrideArgs(a, args);
        Path mnist = Path.of(a.get("mnist"));
        Path imgs = mnist.resolve("train10k-images-idx3-ubyte.gz");
        if (!Files.isRegularFile(imgs)) {
            System.err.println("MNIST not found under " + mnist + " (needs train10k-*/t10k-* IDX files): give mnist=DIR");
            System.exit(2);
        }
        int n = Integer.parseInt(a.get("ntrain"));
        int nt = Integer.parseInt(a.get("ntest"));
        DenseMatrix x = Idx.readMatrix(imgs).scaleInPlace(1 / 255.0).rowRange(0, n);
        int[] y = Arrays.copyOf(Idx.readLabels(mnist.resolve("train10k-labels-idx1-ubyte.gz")), n);
        DenseMatrix xt = Idx.readMatrix(mnist.resolve("t10k-images-idx3-ubyte.gz")).scaleInPlace(1 / 255.0)
                .rowRange(0, nt);
        int[] yt = Arrays.copyOf(Idx.readLabels(mnist.resolve("t10k-labels-idx1-ubyte.gz")), nt);
        Examples train = Examples.labeled(x, y);
        Examples test = Examples.labeled(xt, yt);
        Path out = Path.of(a.get("out"));
        Files.createDirectories(out);
        Path csv = out.resolve("lds.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "model,method,lds,ci_low,ci_high,undefined,subsets,alpha,prepare_s,score_s,"
                    + "bytes_per_train_point,test_points\n");
        }
        long seed = Long.parseLong(a.get("seed"));
        int threads = Integer.parseInt(a.get("threads"));
        Lds.Options o = Lds.Options.defaults().withSubsets(Integer.parseInt(a.get("subsets")))
                .withAlpha(Double.parseDouble(a.get("alpha"))).withSeed(seed)
                .withBootstrap(Integer.parseInt(a.get("bootstrap"))).withThreads(threads)
                .withCache(Path.of(a.get("cache")));
        double l2 = Double.parseDouble(a.get("l2"));
        double damping = Double.parseDouble(a.get("damping"));
        TightTrainingOptions tight = new TightTrainingOptions(1e-8, 3000, 0);
        int hidden = Integer.parseInt(a.get("hidden"));
        TrainingOptions mlpTraining = TrainingOptions.adam(1e-3).withBatchSize(64)
                .withEpochs(Integer.parseInt(a.get("epochs"))).withL2(Double.parseDouble(a.get("mlpl2")));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("settings", a);
        List<Map<String, Object>> rows = new ArrayList<>();
        summary.put("results", rows);
        for (String model : a.get("models").split(",")) {
            ModelRecipe recipe = model.equals("logistic")
                    ? ModelRecipe.linear(LinearModels.Kind.SOFTMAX, l2, tight)
                    : ModelRecipe.mlp(new int[] {hidden}, Activation.RELU, mlpTraining);
            Path dir = out.resolve(model);
            Files.createDirectories(dir);
            log(model + ": training " + o.subsets() + " subset models (alpha " + o.alpha() + ", cache "
                    + o.cache() + ")");
            Lds.SubsetOutputs actual = Lds.subsetOutputs(train, test, SubsetTrainer.of(recipe, 10), o);
            log(model + ": subset outputs: " + actual.trained() + " trained, " + actual.reused() + " reused, "
                    + String.format("%.1f s", actual.seconds()));
            Npy.write(dir.resolve("subset_outputs.npy"), actual.outputs());
            Mlp base = null;
            for (String method : a.get("methods").split(",")) {
                long t0 = System.nanoTime();
                PreparedAttributor<Examples> p;
                Examples scoredTest = test;
                try {
                    switch (method) {
                        case "rps" -> {
                            if (recipe.isLinear()) {
                                p = Attributors.representer().lambda(l2 / 2).prepare(
                                        Examples.labeled(x.withOnesColumn(), y));
                                scoredTest = Examples.labeled(xt.withOnesColumn(), yt);
                            } else {
                                if (base == null) {
                                    base = recipe.train(x, y, 10, seed);
                                }
                                DenseMatrix f = base.features(x).withOnesColumn();
                                p = Attributors.representer().lambda(0.003).teacherLogits(base.logits(x))
                                        .startFrom(LinearModels.withBiasColumn(base.lastLayerWeight(),
                                                base.lastLayerBias()))
                                        .prepare(Examples.unlabeled(f));
                                scoredTest = Examples.labeled(base.features(xt).withOnesColumn(), yt);
                            }
                        }
                        case "if-exact", "if-cg", "if-lissa", "if-arnoldi" -> {
                            Solver s = switch (method) {
                                case "if-exact" -> Solver.EXACT;
                                case "if-cg" -> Solver.CG;
                                case "if-lissa" -> Solver.LISSA;
                                default -> Solver.ARNOLDI;
                            };
                            var b = recipe.isLinear()
                                    ? Attributors.influence(LinearModels.Kind.SOFTMAX).l2(l2).training(tight)
                                    : Attributors.influence(base == null ? (base = recipe.train(x, y, 10, seed)) : base,
                                    new SoftmaxCrossEntropy()).l2(mlpTraining.l2()).curvature(Curvature.GAUSS_NEWTON);
                            b = b.solver(s).damping(damping).seed(seed).cg(1e-6, recipe.isLinear() ? 300 : 100)
                                    .lissa(Integer.parseInt(a.get("lissadepth")), 1, null, 128).lissaTolerance(1.0)
                                    .arnoldi(200, 100);
                            p = b.prepare(train);
                            if (!recipe.isLinear() && s != Solver.ARNOLDI) {
                                // one CG/LiSSA solve per test point on the MLP costs minutes: a prefix of the test set
                                scoredTest = test.rows(0, Math.min(nt, Integer.parseInt(a.get("mlpiftests"))));
                            }
                        }
                        case "kfac", "ekfac" -> {
                            // K-FAC adds only its damping to the Fisher: damping + the training L2 matches the
                            // damped Hessian of the influence rows (which carries l2 itself)
                            boolean ek = method.equals("ekfac");
                            org.exemplar.attribution.KfacAttributor.Builder kb;
                            if (recipe.isLinear()) {
                                kb = (ek ? Attributors.ekfac(LinearModels.Kind.SOFTMAX)
                                        : Attributors.kfac(LinearModels.Kind.SOFTMAX)).l2(l2).training(tight)
                                        .damping(damping + l2);
                            } else {
                                if (base == null) {
                                    base = recipe.train(x, y, 10, seed);
                                }
                                kb = (ek ? Attributors.ekfac(base, new SoftmaxCrossEntropy())
                                        : Attributors.kfac(base, new SoftmaxCrossEntropy()))
                                        .damping(damping + mlpTraining.l2());
                            }
                            p = kb.fisher(org.exemplar.curvature.FisherKind.EXPECTED).seed(seed).prepare(train);
                        }
                        case "tracin" -> {
                            // TracInCP over the checkpoints of SGD (lr 0.1, batch 32, 10 epochs, one per epoch)
                            p = Attributors.tracInNetwork(recipe.isLinear() ? new int[0] : new int[] {hidden},
                                    Activation.RELU, new SoftmaxCrossEntropy()).initSeed(seed).prepare(train);
                        }
                        default -> {
                            if (!method.startsWith("trak-")) {
                                throw new IllegalArgumentException("unknown method " + method);
                            }
                            // trak-M, or trak-M-dLAMBDA for another kernel damping (e.g. n * l2)
                            String[] parts = method.substring(5).split("-d");
                            int m = Integer.parseInt(parts[0]);
                            double lam = parts.length > 1 ? Double.parseDouble(parts[1]) : damping;
                            int k = Integer.parseInt(a.get(m >= 50 ? "k50" : "k"));
                            p = Attributors.trak().train(recipe, m).dimension(k).damping(lam).seed(seed)
                                    .prepare(train);
                        }
                    }
                } catch (RuntimeException e) {
                    log(model + " " + method + ": FAILED " + e);
                    continue;
                }
                double prep = (System.nanoTime() - t0) * 1e-9;
                long t1 = System.nanoTime();
                DenseMatrix scores = p.attribute(scoredTest).scores();
                double score = (System.nanoTime() - t1) * 1e-9;
                Lds.SubsetOutputs act = actual;
                if (scores.rows() < nt) {
                    DenseMatrix cut = new DenseMatrix(actual.outputs().rows(), scores.rows());
                    for (int m = 0; m < cut.rows(); m++) {
                        for (int t = 0; t < cut.cols(); t++) {
                            cut.set(m, t, actual.outputs().get(m, t));
                        }
                    }
                    act = new Lds.SubsetOutputs(actual.subsets(), cut, 0, 0, 0);
                }
                Lds.Result r = Lds.score(scores, act, o.alpha(), o.bootstrap(), seed);
                Npy.write(dir.resolve("scores_" + method + ".npy"), scores);
                long bytes = p instanceof org.exemplar.attribution.TrakAttributor ta ? ta.bytesPerTrainingPoint() : 0;
                String line = String.format(java.util.Locale.ROOT, "%s,%s,%.4f,%.4f,%.4f,%d,%d,%.2f,%.1f,%.1f,%d,%d%n",
                        model, method, r.lds(), r.ciLow(), r.ciHigh(), r.undefined(), r.subsets(), r.alpha(), prep,
                        score, bytes, scores.rows());
                Files.writeString(csv, line, java.nio.file.StandardOpenOption.APPEND);
                log(line.trim() + "  diagnostics: " + p.diagnostics());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("model", model);
                row.put("method", method);
                row.put("lds", r.lds());
                row.put("ci95", List.of(r.ciLow(), r.ciHigh()));
                row.put("prepareSeconds", prep);
                row.put("scoreSeconds", score);
                row.put("provenance", p.provenance());
                rows.add(row);
                summary.put("library", Provenance.currentLibraryVersion());
                Files.writeString(out.resolve("summary.json"), Json.write(summary));
            }
        }
    }

    private static void log(String s) {
        System.err.println(java.time.LocalTime.now().withNano(0) + " " + s);
    }
}
