package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;

/**
 * End-to-end benchmark of representer points against NumPy/SciPy in the same run (issue: foundation):
 * (1) scoring every test point against every training point, {@code values = (F_t F^T) * alpha[:, c_t]}, as
 * GFLOP/s (2 n_test n p flops) next to NumPy's matmul doing the same blocks; (2) the last-layer fit of eq. (3)
 * to a stationarity residual of {@code tol}, next to SciPy's L-BFGS-B on the same objective and data, stopped by
 * the same rule. Arguments are key=value: n, ntest, p, c, block, repeats, lambda, tol, seed, python, work.
 */
public final class RepresenterBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("n", "50000");
        a.put("ntest", "10000");
        a.put("p", "512");
        a.put("c", "10");
        a.put("block", "256");
        a.put("repeats", "3");
        a.put("lambda", "0.003");
        a.put("tol", "1e-6,1e-8,1e-10");
        a.put("seed", "1");
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/bench-work");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        int n = Integer.parseInt(a.get("n"));
        int nt = Integer.parseInt(a.get("ntest"));
        int p = Integer.parseInt(a.get("p"));
        int c = Integer.parseInt(a.get("c"));
        int block = Integer.parseInt(a.get("block"));
        int repeats = Integer.parseInt(a.get("repeats"));
        double lambda = Double.parseDouble(a.get("lambda"));
        double[] tols = java.util.Arrays.stream(a.get("tol").split(",")).mapToDouble(Double::parseDouble).toArray();
        long seed = Long.parseLong(a.get("seed"));
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        System.out.println(Blas.backendNotice());
        System.out.printf("settings: %s%n", a);

        SplittableRandom rnd = new SplittableRandom(seed);
        // ReLU-like features with class structure, as a network's last hidden layer would give
        int[] labels = new int[n];
        DenseMatrix means = gaussian(c, p, rnd, 1.0);
        DenseMatrix f = new DenseMatrix(n, p);
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(c);
            for (int j = 0; j < p; j++) {
                f.set(i, j, Math.max(0, means.get(labels[i], j) + 1.5 * rnd.nextGaussian()));
            }
        }
        DenseMatrix ft = gaussian(nt, p, rnd, 1.0);
        DenseMatrix alpha = gaussian(n, c, rnd, 1e-3);
        int[] cls = new int[nt];
        for (int t = 0; t < nt; t++) {
            cls[t] = rnd.nextInt(c);
        }
        Npy.write(work.resolve("train_features.npy"), f);
        Npy.write(work.resolve("test_features.npy"), ft);
        Npy.write(work.resolve("alpha.npy"), alpha);
        Npy.write(work.resolve("classes.npy"), cls);
        Npy.write(work.resolve("fit_features.npy"), f);
        Npy.write(work.resolve("fit_labels.npy"), labels);

        // (1) scoring
        Loss loss = new SoftmaxCrossEntropy();
        RepresenterPoints rp = RepresenterPoints.fromAlpha(f, alpha, loss, lambda);
        double best = Double.POSITIVE_INFINITY;
        double checksum = 0;
        for (int r = 0; r < repeats; r++) {
            double[] sum = new double[1];
            long t0 = System.nanoTime();
            rp.values(ft, cls, block, (first, b) -> {
                for (int k = 0; k < b.rows(); k++) {
                    sum[0] += b.data()[k * b.cols()];
                }
            });
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            checksum = sum[0];
        }
        double flops = 2.0 * nt * (double) n * p;

        // (2) fine-tuning on eq. (3)
        new LastLayerFitter(new FitOptions(lambda, 1e-8, 20000, true)).fit(f.rowRange(0, Math.min(n, 2000)),
                loss.targetsFromLabels(java.util.Arrays.copyOf(labels, Math.min(n, 2000)), c), loss, null, null); // JIT warm-up
        LastLayerFit[] fits = new LastLayerFit[tols.length];
        for (int k = 0; k < tols.length; k++) {
            fits[k] = new LastLayerFitter(new FitOptions(lambda, tols[k], 20000, true)).fit(f,
                    loss.targetsFromLabels(labels, c), loss, null, null);
        }

        // Python twin, same data, same machine, same moment
        ProcessBuilder pb = new ProcessBuilder(a.get("python"), pythonScript().toString(), work.toString(),
                String.valueOf(block), String.valueOf(repeats), String.valueOf(lambda), a.get("tol"));
        pb.redirectErrorStream(false);
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("python benchmark failed: " + err);
        }
        JsonNode py = Json.mapper().readTree(out);
        double pyScore = py.get("score_seconds").asDouble();

        System.out.println();
        System.out.printf("| step | Exemplar (Java) | NumPy/SciPy | ratio |%n|---|---|---|---|%n");
        System.out.printf("| score %d x %d, p = %d (GFLOP/s) | %.1f (%.2f s) | %.1f (%.2f s) | %.2f of numpy |%n",
                nt, n, p, flops / best / 1e9, best, flops / pyScore / 1e9, pyScore, pyScore / best);
        for (int k = 0; k < tols.length; k++) {
            LastLayerFit fit = fits[k];
            JsonNode pyFit = py.get("fits").get(k);
            boolean pyReached = pyFit.get("converged").asBoolean();
            System.out.printf("| fit eq. (3), n = %d, p = %d, c = %d, to residual %.0e (s) | %.2f (%d it, residual %.1e, %s)"
                            + " | %.2f (%d it, residual %.1e, %s) | %s |%n", n, p, c, tols[k], fit.seconds(),
                    fit.iterations(), fit.stationarityResidual(), fit.converged() ? fit.method() : "NOT reached",
                    pyFit.get("seconds").asDouble(), pyFit.get("iterations").asInt(), pyFit.get("residual").asDouble(),
                    pyReached ? "reached" : "NOT reached: " + pyFit.get("message").asText(),
                    pyReached ? String.format("%.2fx scipy's speed", pyFit.get("seconds").asDouble() / fit.seconds())
                            : "scipy stalls above the tolerance");
        }
        System.out.printf("%nchecksums: java %.6e, numpy %.6e; numpy %s, scipy %s%n", checksum,
                py.get("score_checksum").asDouble(), py.get("numpy").asText(), py.get("scipy").asText());
    }

    private static DenseMatrix gaussian(int r, int c, SplittableRandom rnd, double scale) {
        DenseMatrix m = new DenseMatrix(r, c);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = scale * rnd.nextGaussian();
        }
        return m;
    }

    private static Path pythonScript() throws IOException {
        for (Path candidate : new Path[] {Path.of("exemplar-bench/python/representer_bench.py"),
            Path.of("python/representer_bench.py")}) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IOException("representer_bench.py not found: run from the repository root");
    }
}
