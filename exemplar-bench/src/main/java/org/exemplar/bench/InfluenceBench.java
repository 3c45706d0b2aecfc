package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.InfluenceScores;
import org.exemplar.influence.TestFunction;
import org.exemplar.influence.TrainingData;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelObjective;
import org.exemplar.model.OptimumFit;
import org.exemplar.model.TightTrainer;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.ConjugateGradientSolver;
import org.exemplar.solver.ExactSolver;
import org.exemplar.solver.InverseHessianSolver;
import org.exemplar.solver.Lissa;
import org.exemplar.solver.LissaOptions;
import org.exemplar.solver.SolveResult;

/**
 * Influence-function benchmarks (issue 3), Java next to PyTorch / NumPy in the same run on the same data:
 * <ol>
 *   <li>{@code products}: Hessian-vector and Gauss-Newton-vector products of an MLP 784-{width}-{width}-10 (ReLU,
 *   softmax cross-entropy, float64) on a batch, against PyTorch (double backward for H v; forward-mode J v, H_y,
 *   then a VJP for G v) on the same weights, with the largest relative difference of the results;</li>
 *   <li>{@code solvers}: wall time of one CG and one LiSSA inverse-Gauss-Newton-vector product for that MLP on
 *   {@code ntrainmlp} training points (Java only);</li>
 *   <li>{@code scores}: influence of all {@code n} training points on {@code ntest} test points for softmax
 *   regression on {@code p}-dimensional features (exact solver), next to a NumPy twin of the same computation.</li>
 * </ol>
 * Arguments are key=value (see the defaults in {@link #main}); run from the repository root.
 */
public final class InfluenceBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("parts", "products,solvers,scores");
        a.put("width", "1024");
        a.put("batch", "128");
        a.put("repeats", "5");
        a.put("ntrainmlp", "1024");
        a.put("cgiters", "100");
        a.put("lissadepth", "100");
        a.put("n", "50000");
        a.put("ntest", "100");
        a.put("p", "512");
        a.put("c", "10");
        a.put("l2", "1e-3");
        a.put("damping", "1e-3");
        a.put("tol", "1e-8");
        a.put("seed", "1");
        a.put("threads", "2");
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/influence-bench");
        a.put("mnist", "exemplar-cli/src/main/resources/org/exemplar/cli/data/mnist");
        a.put("corrupt", "0.1");
        a.put("fractions", "0,0.05,0.1,0.15,0.2,0.3,0.5");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        System.out.println(Blas.backendNotice());
        System.out.printf("settings: %s%n", a);
        List<String> parts = Arrays.asList(a.get("parts").split(","));
        List<String> table = new ArrayList<>();
        table.add("| measurement | Exemplar (Java) | reference | ratio (reference time / Java time) |");
        table.add("|---|---|---|---|");
        if (parts.contains("products") || parts.contains("solvers")) {
            mlpBench(a, work, parts, table);
        }
        if (parts.contains("scores")) {
            scoresBench(a, work, table);
        }
        if (parts.contains("mislabel")) {
            mislabel(a);
        }
        System.out.println();
        table.forEach(System.out::println);
    }

    // ------------------------------------------------------------------ MLP products and solvers

    private static void mlpBench(Map<String, String> a, Path work, List<String> parts, List<String> table)
            throws Exception {
        int width = Integer.parseInt(a.get("width"));
        int batch = Integer.parseInt(a.get("batch"));
        int repeats = Integer.parseInt(a.get("repeats"));
        double l2 = Double.parseDouble(a.get("l2"));
        long seed = Long.parseLong(a.get("seed"));
        int[] widths = {784, width, width, 10};
        Mlp net = Mlp.initialize(widths, new Activation[] {Activation.RELU, Activation.RELU}, seed);
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        int nData = Math.max(batch, Integer.parseInt(a.get("ntrainmlp")));
        DenseMatrix x = new DenseMatrix(nData, 784);
        int[] labels = new int[nData];
        for (int i = 0; i < nData; i++) {
            labels[i] = rnd.nextInt(10);
            for (int j = 0; j < 784; j++) {
                x.set(i, j, rnd.nextDouble());
            }
        }
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix xb = x.rowRange(0, batch);
        DenseMatrix tb = loss.targetsFromLabels(Arrays.copyOf(labels, batch), 10);
        double[] v = new double[net.parameterCount()];
        for (int k = 0; k < v.length; k++) {
            v[k] = rnd.nextGaussian();
        }
        if (parts.contains("products")) {
            for (int k = 0; k < 3; k++) {
                Npy.write(work.resolve("W" + k + ".npy"), net.weight(k));
                Npy.write(work.resolve("b" + k + ".npy"), net.bias(k));
            }
            Npy.write(work.resolve("x.npy"), xb);
            Npy.write(work.resolve("labels.npy"), Arrays.copyOf(labels, batch));
            Npy.write(work.resolve("v.npy"), v);
            double[] hv = null;
            double[] gv = null;
            double hvBest = Double.POSITIVE_INFINITY;
            double gvBest = Double.POSITIVE_INFINITY;
            for (int r = 0; r < repeats + 3; r++) { // 3 warm-up rounds for the JIT
                long t0 = System.nanoTime();
                hv = net.hessianVectorProduct(xb, tb, loss, l2, v);
                double t1 = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                gv = net.gaussNewtonVectorProduct(xb, tb, loss, l2, v);
                double t2 = (System.nanoTime() - t0) / 1e9;
                if (r >= 3) {
                    hvBest = Math.min(hvBest, t1);
                    gvBest = Math.min(gvBest, t2);
                }
            }
            Npy.write(work.resolve("java_hv.npy"), hv);
            Npy.write(work.resolve("java_gv.npy"), gv);
            JsonNode py = python(a, "products", work.toString(), String.valueOf(l2), String.valueOf(repeats),
                    a.get("threads"));
            double pyHv = py.get("hvp_seconds").asDouble();
            double pyGv = py.get("gnvp_seconds").asDouble();
            String torch = "PyTorch " + py.get("torch").asText() + ", " + py.get("threads").asInt() + " threads";
            table.add(String.format("| H v, MLP 784-%d-%d-10, batch %d, P = %d (best of %d, s) | %.4f | %.4f (%s; max rel. diff %.1e) | %.2f |",
                    width, width, batch, net.parameterCount(), repeats, hvBest, pyHv, torch,
                    py.get("hvp_max_rel_diff").asDouble(), pyHv / hvBest));
            table.add(String.format("| G v (Gauss-Newton), same (s) | %.4f | %.4f (%s; max rel. diff %.1e) | %.2f |",
                    gvBest, pyGv, torch, py.get("gnvp_max_rel_diff").asDouble(), pyGv / gvBest));
        }
        if (parts.contains("solvers")) {
            double damping = Double.parseDouble(a.get("damping"));
            TrainingData data = new TrainingData(x, loss.targetsFromLabels(labels, 10), loss, l2);
            InfluenceOptions o = InfluenceOptions.of(Curvature.GAUSS_NEWTON, damping);
            int cgIters = Integer.parseInt(a.get("cgiters"));
            InfluenceFunctions cg = InfluenceFunctions.prepare(net, data, o, new ConjugateGradientSolver(1e-6, cgIters));
            double[] b = net.perExampleGradients(x.rowRange(0, 1), data.targets().rowRange(0, 1), loss).row(0);
            long t0 = System.nanoTime();
            SolveResult rc = prepare(cg).solve(b);
            double tc = (System.nanoTime() - t0) / 1e9;
            double mu = Lissa.largestEigenvalue(cg.curvature(), 30, seed);
            int depth = Integer.parseInt(a.get("lissadepth"));
            InverseHessianSolver lissa = new Lissa(new LissaOptions(depth, 1, 1.5 * mu, batch, seed));
            t0 = System.nanoTime();
            SolveResult rl = lissa.prepare(cg.curvature()).solve(b);
            double tl = (System.nanoTime() - t0) / 1e9;
            double bn = org.exemplar.linalg.Vectors.norm2(b);
            table.add(String.format("| CG inverse-GNH-vector product, that MLP, n = %d, damping %.0e (s) | %.2f (%d it, %.3f s/it, rel. residual %.1e, %s) | - | - |",
                    nData, damping, tc, rc.iterations(), tc / Math.max(1, rc.iterations()), rc.residualNorm() / bn,
                    rc.converged() ? "converged" : "iteration cap"));
            table.add(String.format("| LiSSA inverse-GNH-vector product, depth %d, batch %d, scale %.3g (s) | %.2f (%.4f s/step, rel. residual %.1e, %s) | - | - |",
                    depth, batch, 1.5 * mu, tl, tl / depth, rl.residualNorm() / bn,
                    rl.converged() ? "no divergence" : "diverged"));
        }
    }

    private static InverseHessianSolver.Prepared prepare(InfluenceFunctions f) {
        return f.solver().prepare(f.curvature());
    }

    // ------------------------------------------------------------------ scores at scale

    private static void scoresBench(Map<String, String> a, Path work, List<String> table) throws Exception {
        int n = Integer.parseInt(a.get("n"));
        int nt = Integer.parseInt(a.get("ntest"));
        int p = Integer.parseInt(a.get("p"));
        int c = Integer.parseInt(a.get("c"));
        double l2 = Double.parseDouble(a.get("l2"));
        double damping = Double.parseDouble(a.get("damping"));
        long seed = Long.parseLong(a.get("seed"));
        SplittableRandom rnd = new SplittableRandom(seed + 7);
        DenseMatrix means = new DenseMatrix(c, p);
        for (int k = 0; k < means.data().length; k++) {
            means.data()[k] = rnd.nextGaussian() * 0.3;
        }
        DenseMatrix f = new DenseMatrix(n, p);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextInt(c);
            for (int j = 0; j < p; j++) {
                f.set(i, j, Math.max(0, means.get(y[i], j) + rnd.nextGaussian()));
            }
        }
        DenseMatrix ft = new DenseMatrix(nt, p);
        int[] yt = new int[nt];
        for (int i = 0; i < nt; i++) {
            yt[i] = rnd.nextInt(c);
            for (int j = 0; j < p; j++) {
                ft.set(i, j, Math.max(0, means.get(yt[i], j) + rnd.nextGaussian()));
            }
        }
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix targets = loss.targetsFromLabels(y, c);
        Mlp start = LinearModels.zeros(p, c);
        double tol = Double.parseDouble(a.get("tol"));
        OptimumFit fit = new TightTrainer(TightTrainingOptions.defaults().withTolerance(tol))
                .fit(new ModelObjective(start, f, targets, loss, l2), start.parameters(), null);
        Mlp m = start.copy();
        m.setParameters(fit.theta());
        TrainingData data = new TrainingData(f, targets, loss, l2);
        long t0 = System.nanoTime();
        InfluenceFunctions inf = InfluenceFunctions.prepare(m, data, InfluenceOptions.of(Curvature.HESSIAN, damping),
                new ExactSolver());
        double prep = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        InfluenceScores s = inf.scores(ft, loss.targetsFromLabels(yt, c), TestFunction.LOSS, null);
        double score = (System.nanoTime() - t0) / 1e9;
        Npy.write(work.resolve("s_features.npy"), f);
        Npy.write(work.resolve("s_labels.npy"), y);
        Npy.write(work.resolve("s_test_features.npy"), ft);
        Npy.write(work.resolve("s_test_labels.npy"), yt);
        Npy.write(work.resolve("s_theta.npy"), m.parameters());
        Npy.write(work.resolve("s_scores_java.npy"), s.scores());
        JsonNode py = python(a, "scores", work.toString(), String.valueOf(l2), String.valueOf(damping),
                String.valueOf(c), a.get("threads"));
        double pyPrep = py.get("prepare_seconds").asDouble();
        double pyScore = py.get("score_seconds").asDouble();
        table.add(String.format("| softmax regression fit, n = %d, p = %d, c = %d, to rel. gradient %.0e (s) | %.1f (%d L-BFGS + %d Newton it, rel. gradient %.1e) | - | - |",
                n, p, c, tol, fit.seconds(), fit.lbfgsIterations(), fit.newtonIterations(), fit.relativeGradientNorm()));
        table.add(String.format("| influence %d test x %d train, P = %d: explicit Hessian + Cholesky (s) | %.2f | %.2f (NumPy %s) | %.2f |",
                nt, n, m.parameterCount(), prep, pyPrep, py.get("numpy").asText(), pyPrep / prep));
        table.add(String.format("| same: s_test solves + per-example gradients + scores (s) | %.2f | %.2f (max rel. diff of scores %.1e) | %.2f |",
                score, pyScore, py.get("max_rel_diff").asDouble(), pyScore / score));
        table.add(String.format("| same: total (s) | %.2f | %.2f | %.2f |", prep + score, pyPrep + pyScore,
                (pyPrep + pyScore) / (prep + score)));
    }

    // ------------------------------------------------------------------ mislabel detection (App. F.3)

    private static void mislabel(Map<String, String> a) {
        Path dir = Path.of(a.get("mnist"));
        DenseMatrix x = org.exemplar.data.Idx.readMatrix(dir.resolve("train-images-idx3-ubyte.gz")).scaleInPlace(1 / 255.0);
        int[] y = org.exemplar.data.Idx.readLabels(dir.resolve("train-labels-idx1-ubyte.gz"));
        DenseMatrix xt = org.exemplar.data.Idx.readMatrix(dir.resolve("test-images-idx3-ubyte.gz")).scaleInPlace(1 / 255.0);
        int[] yt = org.exemplar.data.Idx.readLabels(dir.resolve("test-labels-idx1-ubyte.gz"));
        double[] fractions = Arrays.stream(a.get("fractions").split(",")).mapToDouble(Double::parseDouble).toArray();
        org.exemplar.eval.MislabelDetection.Settings s = new org.exemplar.eval.MislabelDetection.Settings(
                Double.parseDouble(a.get("corrupt")), Double.parseDouble(a.get("l2")), Double.parseDouble(a.get("damping")),
                fractions, Long.parseLong(a.get("seed")), Double.parseDouble(a.get("tol")));
        long t0 = System.nanoTime();
        org.exemplar.eval.MislabelDetection.Result r = org.exemplar.eval.MislabelDetection.run(x, y, xt, yt, 10, s,
                new ExactSolver());
        System.out.printf("%nmislabel detection: MNIST slice %d train / %d test, softmax regression (P = %d), %.0f %% "
                        + "labels corrupted (%d), l2 %s, damping %s, seed %s; self-influence %.1f s, total %.1f s; "
                        + "||grad J|| at the noisy fit %.1e%n", x.rows(), xt.rows(), 10 * 785,
                100 * s.corruptFraction(), r.corrupted().length, a.get("l2"), a.get("damping"), a.get("seed"),
                r.secondsSelfInfluence(), (System.nanoTime() - t0) / 1e9, r.fitGradientNorm());
        System.out.printf("test accuracy: clean labels %.4f, corrupted labels %.4f%n", r.cleanAccuracy(),
                r.corruptedAccuracy());
        StringBuilder head = new StringBuilder("| ranking |");
        StringBuilder sep = new StringBuilder("|---|");
        for (double f : fractions) {
            head.append(String.format(" %.0f %% inspected |", 100 * f));
            sep.append("---|");
        }
        System.out.println(head);
        System.out.println(sep);
        for (org.exemplar.representer.DebuggingCurve c : r.curves()) {
            StringBuilder row = new StringBuilder("| " + c.ordering() + " |");
            for (int k = 0; k < fractions.length; k++) {
                row.append(String.format(" %.3f found, acc %.4f |", c.foundMean()[k], c.accuracyMean()[k]));
            }
            System.out.println(row);
        }
    }

    private static JsonNode python(Map<String, String> a, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(a.get("python"));
        cmd.add(script().toString());
        cmd.addAll(Arrays.asList(args));
        Process proc = new ProcessBuilder(cmd).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("python benchmark failed: " + err);
        }
        return Json.mapper().readTree(out);
    }

    private static Path script() throws IOException {
        for (Path candidate : new Path[] {Path.of("exemplar-bench/python/influence_bench.py"),
            Path.of("python/influence_bench.py")}) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IOException("influence_bench.py not found: run from the repository root");
    }
}
