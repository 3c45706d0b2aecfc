package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.trak.RandomProjection;

/**
 * TRAK's projection and scoring (the steps of {@link org.exemplar.trak.TrakModel}) against the same computation
 * in PyTorch ({@code python/trak_bench.py}, float64) on the same per-example gradient matrices: for each training
 * size n, Phi = G P (Exemplar generates the Rademacher P in row blocks from the seed while projecting; PyTorch
 * multiplies by the same P read from disk, and its own generation of a d x k Rademacher matrix is timed apart), the
 * kernel solve A = Phi (Phi^T Phi + lambda I)^{-1}, and the scores (G_t P) A^T * q of {@code ntest} test points.
 * The gradient matrices are seeded Gaussian of MNIST logistic-regression shape (d = 7850 by default): timing does
 * not depend on their values. Best of {@code repeats}; the score matrices are compared. Arguments key=value, run
 * from the repository root.
 */
public final class TrakBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("sizes", "1000,2000,4000");
        a.put("d", "7850");
        a.put("k", "512");
        a.put("ntest", "100");
        a.put("damping", "1e-3");
        a.put("repeats", "3");
        a.put("seed", "1");
        a.put("threads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "1"));
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/trak-bench");
        BenchData.overrideArgs(a, args);
        int d = Integer.parseInt(a.get("d"));
        int k = Integer.parseInt(a.get("k"));
        int nt = Integer.parseInt(a.get("ntest"));
        double lambda = Double.parseDouble(a.get("damping"));
        int repeats = Integer.parseInt(a.get("repeats"));
        long seed = Long.parseLong(a.get("seed"));
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        RandomProjection proj = new RandomProjection(RandomProjection.Kind.RADEMACHER, d, k, seed);
        Npy.write(work.resolve("P.npy"), proj.rows(0, d));
        System.out.printf("TRAK projection and scoring, d = %d, k = %d, %d test points, damping %g, float64, best of %d; "
                + "BLAS %s%n", d, k, nt, lambda, repeats, Blas.backend().description());
        System.out.println("| n | step | Exemplar (Java) | PyTorch | ratio Java/PyTorch |");
        System.out.println("|---|---|---|---|---|");
        for (String sz : a.get("sizes").split(",")) {
            int n = Integer.parseInt(sz.trim());
            SplittableRandom r = new SplittableRandom(seed + n);
            DenseMatrix g = gaussian(n, d, r);
            DenseMatrix gt = gaussian(nt, d, r);
            double[] q = new double[n];
            for (int i = 0; i < n; i++) {
                q[i] = r.nextDouble();
            }
            double[] tp = new double[repeats];
            double[] tk = new double[repeats];
            double[] ts = new double[repeats];
            DenseMatrix scores = null;
            for (int rep = 0; rep < repeats; rep++) {
                long t0 = System.nanoTime();
                DenseMatrix phi = proj.project(g);
                long t1 = System.nanoTime();
                DenseMatrix kernel = Blas.multiply(Transpose.YES, phi, Transpose.NO, phi);
                for (int c = 0; c < k; c++) {
                    kernel.add(c, c, lambda);
                }
                DenseMatrix aMat = Cholesky.factorize(kernel).solveRows(phi);
                long t2 = System.nanoTime();
                DenseMatrix phiT = proj.project(gt);
                DenseMatrix s = Blas.multiply(Transpose.NO, phiT, Transpose.YES, aMat);
                for (int t = 0; t < nt; t++) {
                    for (int i = 0; i < n; i++) {
                        s.data()[t * n + i] *= q[i];
                    }
                }
                long t3 = System.nanoTime();
                tp[rep] = (t1 - t0) * 1e-9;
                tk[rep] = (t2 - t1) * 1e-9;
                ts[rep] = (t3 - t2) * 1e-9;
                scores = s;
            }
            Npy.write(work.resolve("G.npy"), g);
            Npy.write(work.resolve("Gt.npy"), gt);
            Npy.write(work.resolve("q.npy"), q);
            Npy.write(work.resolve("java_scores.npy"), scores);
            List<String> cmd = List.of(a.get("python"), script().toString(), work.toString(), a.get("damping"),
                    a.get("repeats"), a.get("threads"));
            Process proc = new ProcessBuilder(cmd).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (proc.waitFor() != 0) {
                if (err.contains("No module named 'torch'") || err.contains("No module named 'numpy'")) {
                    System.err.println("PyTorch twin not run: " + a.get("python") + " lacks torch or numpy (install "
                            + "Debian's python3-torch and python3-numpy or choose another interpreter with python=PATH)");
                    return;
                }
                throw new IllegalStateException("python twin failed: " + err);
            }
            JsonNode py = Json.mapper().readTree(out);
            row(n, "projection G P (n x d -> n x k)", min(tp), py.get("project").asDouble());
            row(n, "kernel + solve A = Phi (Phi^T Phi + lambda I)^-1", min(tk), py.get("kernel").asDouble());
            row(n, "scoring " + nt + " test points", min(ts), py.get("score").asDouble());
            System.out.printf("| %d | PyTorch: generating the d x k Rademacher P | (inside projection) | %.3f s | |%n",
                    n, py.get("generate").asDouble());
            System.out.printf("agreement n = %d: max |s_java - s_torch| / max |s_java| = %.2e; stored projected "
                    + "gradients %d bytes per training point (k float64) = %.1f MB for n = %d; PyTorch %s, %d threads%n",
                    n, py.get("max_rel_diff").asDouble(), 8L * k, 8.0 * k * n / 1e6, n, py.get("torch").asText(),
                    py.get("threads").asInt());
            if (!(py.get("max_rel_diff").asDouble() <= 1e-8)) {
                throw new IllegalStateException("Java and PyTorch TRAK scores disagree beyond 1e-8 relative");
            }
        }
    }

    private static void row(int n, String step, double java, double torch) {
        System.out.printf("| %d | %s | %.3f s | %.3f s | %.2f |%n", n, step, java, torch, java / torch);
    }

    private static DenseMatrix gaussian(int n, int d, SplittableRandom r) {
        DenseMatrix m = new DenseMatrix(n, d);
        double[] x = m.data();
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        return m;
    }

    private static double min(double[] t) {
        return Arrays.stream(t).min().orElse(Double.NaN);
    }

    private static Path script() throws java.io.IOException {
        for (Path c : new Path[] {Path.of("exemplar-bench/python/trak_bench.py"), Path.of("python/trak_bench.py")}) {
            if (Files.exists(c)) {
                return c;
            }
        }
        throw new java.io.IOException("trak_bench.py not found: run from the repository root");
    }
}
