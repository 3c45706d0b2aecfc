package org.exemplar.bench;

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
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.SymmetricEigen;
import org.exemplar.ntk.IhvpErrorBound;
import org.exemplar.ntk.InfluenceScores;
import org.exemplar.ntk.Initialization;
import org.exemplar.ntk.NtkDynamics;
import org.exemplar.ntk.NtkInfluence;
import org.exemplar.ntk.NtkKernel;
import org.exemplar.ntk.RetrainingValidation;
import org.exemplar.ntk.TrainingSchedule;
import org.exemplar.ntk.UnitSphere;
import org.exemplar.report.Charts;

/**
 * Benchmark and reproductions for issue 5 (influence through the NTK, Zhang &amp; Zhang 2022). Arguments are
 * key=value; {@code mode} picks:
 * <ul>
 *   <li>{@code bench} (default): all-pairs influence for n training and ntest test points on random unit
 *       vectors (kernel, Cholesky, diag of the inverse, solve, O(1) scores), best of {@code repeats}, next to
 *       NumPy/SciPy ({@code python/ntk_bench.py}, cho_factor) on the same files in the same run;</li>
 *   <li>{@code table1}: NTK influence vs leave-one-out retraining on a binary MNIST-style task from IDX files;</li>
 *   <li>{@code fig2}: Theorem 3 bound vs measured IHVP error rates for lambda = 2^-4 .. 2^4;</li>
 *   <li>{@code fig7}: share of label-flipped points among the most influential along gradient flow.</li>
 * </ul>
 * Data keys: images, labels (IDX, gz ok), classes=a,b (a -> +1, b -> -1), n, ntest, seed.
 */
public final class NtkBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("mode", "bench");
        a.put("n", "10000");
        a.put("ntest", "1000");
        a.put("d", "256");
        a.put("repeats", "2");
        a.put("lambda", "0.1");
        a.put("seed", "1");
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/bench-work-ntk");
        a.put("images", "../shared/data/mnist/idx/train10k-images-idx3-ubyte.gz");
        a.put("labels", "../shared/data/mnist/idx/train10k-labels-idx1-ubyte.gz");
        a.put("classes", "3,5");
        a.put("widths", "1000,10000");
        a.put("tests", "2");
        a.put("topk", "40");
        a.put("flip", "0.4");
        a.put("times", "0.01,0.03,0.1,0.3,1,3,10,30,100,300,1000,3000,10000");
        a.put("png", "");
        a.put("maxsteps", "40");
        a.put("tol", "1e-7");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        System.out.println(Blas.backendNotice());
        System.out.println("settings: " + a);
        switch (a.get("mode")) {
            case "bench" -> bench(a);
            case "table1" -> table1(a);
            case "fig2" -> fig2(a);
            case "fig7" -> fig7(a);
            default -> throw new IllegalArgumentException("mode must be bench, table1, fig2 or fig7");
        }
    }

    /** A binary task: rows of the two classes (first n + ntest in a seeded shuffle), on the unit sphere, y = +-1. */
    record Task(DenseMatrix x, double[] y, DenseMatrix xt, double[] yt) {
    }

    static Task task(Map<String, String> a) {
        BenchData.require("images", a.get("images"), BenchData.MNIST);
        BenchData.require("labels", a.get("labels"), BenchData.MNIST);
        DenseMatrix img = Idx.read(Path.of(a.get("images"))).toMatrix();
        int[] lab = Idx.readLabels(Path.of(a.get("labels")));
        int[] cls = Arrays.stream(a.get("classes").split(",")).mapToInt(Integer::parseInt).toArray();
        int n = Integer.parseInt(a.get("n"));
        int nt = Integer.parseInt(a.get("ntest"));
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] == cls[0] || lab[i] == cls[1]) {
                idx.add(i);
            }
        }
        SplittableRandom rng = new SplittableRandom(Long.parseLong(a.get("seed")));
        for (int i = idx.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = idx.get(i);
            idx.set(i, idx.get(j));
            idx.set(j, t);
        }
        if (idx.size() < n + nt) {
            throw new IllegalArgumentException("only " + idx.size() + " rows of classes " + a.get("classes"));
        }
        int[] tr = idx.subList(0, n).stream().mapToInt(Integer::intValue).toArray();
        int[] te = idx.subList(n, n + nt).stream().mapToInt(Integer::intValue).toArray();
        DenseMatrix x = img.selectRows(tr);
        DenseMatrix xt = img.selectRows(te);
        x = UnitSphere.fit(x).apply(x);
        xt = UnitSphere.fit(xt).apply(xt);
        double[] y = Arrays.stream(tr).mapToDouble(i -> lab[i] == cls[0] ? 1 : -1).toArray();
        double[] yt = Arrays.stream(te).mapToDouble(i -> lab[i] == cls[0] ? 1 : -1).toArray();
        return new Task(x, y, xt, yt);
    }

    static void table1(Map<String, String> a) {
        Task t = task(a);
        int[] widths = Arrays.stream(a.get("widths").split(",")).mapToInt(Integer::parseInt).toArray();
        int tests = Integer.parseInt(a.get("tests"));
        int[] testIdx = java.util.stream.IntStream.range(0, tests).toArray();
        RetrainingValidation.Options o = new RetrainingValidation.Options(Double.parseDouble(a.get("lambda")), widths,
                Integer.parseInt(a.get("topk")), 1.0, Initialization.ANTISYMMETRIC, Long.parseLong(a.get("seed")),
                TrainingSchedule.gaussNewton(Integer.parseInt(a.get("maxsteps")), Double.parseDouble(a.get("tol"))));
        List<RetrainingValidation.Row> rows = RetrainingValidation.run(t.x(), t.y(), t.xt(), t.yt(), testIdx, o,
                r -> System.out.printf("width %d test %d: pearson %.4f spearman %.4f, f_nn %.4f f_ntk %.4f, worst rel grad "
                        + "%.2e, converged %s, %.1f s%n", r.width(), r.testIndex(), r.pearson(), r.spearman(),
                        r.networkPrediction(), r.ntkPrediction(), r.worstRelativeGradient(), r.allConverged(), r.seconds()));
        System.out.println("| width | Pearson R (mean over " + tests + " test points) | Spearman rho |");
        System.out.println("|---|---|---|");
        for (int w : widths) {
            double[] m = RetrainingValidation.meanCorrelations(rows, w);
            System.out.printf("| %d | %.4f | %.4f |%n", w, m[0], m[1]);
        }
    }

    static void fig2(Map<String, String> a) {
        Task t = task(a);
        DenseMatrix k = NtkKernel.gram(t.x());
        DenseMatrix kt = NtkKernel.matrix(t.xt(), t.x());
        double lmin = SymmetricEigen.smallestValue(k);
        int topk = Integer.parseInt(a.get("topk"));
        System.out.printf("lmin = %.6e%n", lmin);
        System.out.println("| lambda | bound lmin/(lmin+lambda) | mean error rate, top-" + topk
                + " | median error rate, all pairs | Thm 3 violations / pairs |");
        System.out.println("|---|---|---|---|---|");
        for (int p = -4; p <= 4; p++) {
            double lambda = Math.pow(2, p);
            InfluenceScores s = NtkInfluence.fit(k, t.y(), lambda).score(kt, t.yt());
            IhvpErrorBound b = IhvpErrorBound.evaluate(s, lambda, lmin, topk);
            System.out.printf("| 2^%d | %.4f | %.4f | %.4f | %d / %d |%n", p, b.rateLowerBound(), b.meanErrorRateTopK(),
                    b.medianErrorRate(), b.violations(), b.pairs());
        }
    }

    static void fig7(Map<String, String> a) throws IOException {
        Task t = task(a);
        double flip = Double.parseDouble(a.get("flip"));
        SplittableRandom rng = new SplittableRandom(Long.parseLong(a.get("seed")) + 17);
        int n = t.y().length;
        boolean[] flagged = new boolean[n];
        double[] y = t.y().clone();
        int[] perm = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int q = 0; q < Math.round(flip * n); q++) {
            flagged[perm[q]] = true;
            y[perm[q]] = -y[perm[q]];
        }
        double[] times = Arrays.stream(a.get("times").split(",")).mapToDouble(Double::parseDouble).toArray();
        double lambda = Double.parseDouble(a.get("lambda"));
        long t0 = System.nanoTime();
        NtkDynamics.Result r = new NtkDynamics(NtkKernel.gram(t.x()), y, lambda)
                .influence(times, NtkKernel.matrix(t.xt(), t.x()), t.yt());
        double sec = (System.nanoTime() - t0) / 1e9;
        double[] top1 = r.shareFlaggedAmongTop(flagged, 1);
        double[] top10 = r.shareFlaggedAmongTop(flagged, 10);
        double[] acc = new double[times.length];
        for (int s = 0; s < times.length; s++) {
            int ok = 0;
            for (int j = 0; j < t.yt().length; j++) {
                ok += Math.signum(r.predictions().get(s, j)) == t.yt()[j] ? 1 : 0;
            }
            acc[s] = ok / (double) t.yt().length;
        }
        System.out.printf("dynamics: n = %d, ntest = %d, %d times, %.1f s%n", n, t.yt().length, times.length, sec);
        System.out.println("| t | noisy share, top-1 | noisy share, top-10 | clean test accuracy |");
        System.out.println("|---|---|---|---|");
        for (int s = 0; s < times.length; s++) {
            System.out.printf("| %g | %.3f | %.3f | %.3f |%n", times[s], top1[s], top10[s], acc[s]);
        }
        if (!a.get("png").isEmpty()) {
            double[] logt = Arrays.stream(times).map(Math::log10).toArray();
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("noisy share among top-1", top1);
            series.put("noisy share among top-10", top10);
            series.put("clean share among top-1", Arrays.stream(top1).map(v -> 1 - v).toArray());
            series.put("test accuracy", acc);
            AtomicFiles.writeBytes(Path.of(a.get("png")), Charts.linesPng("Most influential training points along "
                    + "gradient flow (" + Math.round(100 * flip) + "% flipped labels)", "log10 t", "share", logt, series,
                    800, 500));
            System.out.println("wrote " + a.get("png"));
        }
    }

    static void bench(Map<String, String> a) throws Exception {
        int n = Integer.parseInt(a.get("n"));
        int nt = Integer.parseInt(a.get("ntest"));
        int d = Integer.parseInt(a.get("d"));
        int repeats = Integer.parseInt(a.get("repeats"));
        double lambda = Double.parseDouble(a.get("lambda"));
        SplittableRandom rng = new SplittableRandom(Long.parseLong(a.get("seed")));
        DenseMatrix x = new DenseMatrix(n, d);
        DenseMatrix xt = new DenseMatrix(nt, d);
        for (int i = 0; i < n * d; i++) {
            x.data()[i] = rng.nextGaussian();
        }
        for (int i = 0; i < nt * d; i++) {
            xt.data()[i] = rng.nextGaussian();
        }
        x = UnitSphere.fit(x).apply(x);
        xt = UnitSphere.fit(xt).apply(xt);
        double[] y = new double[n];
        double[] yt = new double[nt];
        for (int i = 0; i < n; i++) {
            y[i] = Math.tanh(3 * x.get(i, 0));
        }
        for (int i = 0; i < nt; i++) {
            yt[i] = Math.tanh(3 * xt.get(i, 0));
        }
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        Npy.write(work.resolve("x.npy"), x);
        Npy.write(work.resolve("xt.npy"), xt);
        Npy.write(work.resolve("y.npy"), y);
        Npy.write(work.resolve("yt.npy"), yt);
        Map<String, Double> best = new LinkedHashMap<>();
        double checksum = 0;
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            DenseMatrix k = NtkKernel.gram(x);
            DenseMatrix kt = NtkKernel.matrix(xt, x);
            double kernel = (System.nanoTime() - t0) / 1e9;
            NtkInfluence fit = NtkInfluence.fit(k, y, lambda);
            k = null;
            InfluenceScores s = fit.score(kt, yt);
            Map<String, Double> t = new LinkedHashMap<>();
            t.put("kernel", kernel);
            t.put("factorization", fit.secondsFactorization());
            t.put("inverse_diagonal", fit.secondsInverseDiagonal());
            t.put("solve_alpha", s.secondsSolve());
            t.put("scores", s.secondsScores());
            t.forEach((key, v) -> best.merge(key, v, Math::min));
            checksum = Arrays.stream(s.exact().data()).map(Math::abs).sum();
        }
        ProcessBuilder pb = new ProcessBuilder(a.get("python"), pythonScript().toString(), work.toString(),
                String.valueOf(repeats), String.valueOf(lambda));
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("python benchmark failed: " + err);
        }
        Map<?, ?> py = Json.mapper().readValue(out.trim(), Map.class);
        double flops = (double) n * n * n / 3;
        System.out.printf("n = %d, n_test = %d, d = %d, lambda = %g, best of %d; numpy %s, scipy %s%n", n, nt, d, lambda,
                repeats, py.get("numpy"), py.get("scipy"));
        System.out.println("| step | Exemplar (s) | NumPy/SciPy (s) | ratio (py / java) |");
        System.out.println("|---|---|---|---|");
        double jt = 0;
        double pt = 0;
        for (String key : best.keySet()) {
            double j = best.get(key);
            double p = ((Number) py.get(key)).doubleValue();
            jt += j;
            pt += p;
            System.out.printf("| %s | %.3f | %.3f | %.2f |%n", key, j, p, p / j);
        }
        System.out.printf("| total | %.3f | %.3f | %.2f |%n", jt, pt, pt / jt);
        System.out.printf("factorization GFLOP/s (n^3/3 flops): Exemplar dpotrf %.1f, scipy cho_factor %.1f%n",
                flops / best.get("factorization") / 1e9, flops / ((Number) py.get("factorization")).doubleValue() / 1e9);
        double pc = ((Number) py.get("checksum")).doubleValue();
        System.out.printf("checksum sum|I|: Exemplar %.12e, NumPy %.12e, relative difference %.1e%n", checksum, pc,
                Math.abs(checksum - pc) / pc);
    }

    private static Path pythonScript() throws IOException {
        for (Path candidate : new Path[] {Path.of("exemplar-bench/python/ntk_bench.py"), Path.of("python/ntk_bench.py")}) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IOException("python/ntk_bench.py not found; run from the repository root");
    }
}
