package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.data.Npy;
import org.exemplar.data.SparseNpz;
import org.exemplar.io.Json;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticRegression;
import org.exemplar.representer.HighDimRepresenter;

/**
 * Per-test-point explanation time of the L1 high-dimensional representer (Tsai et al. 2023, Corollary 2) and the
 * L2-representer baseline on a bag-of-words corpus, next to a scipy.sparse implementation of the same formulas
 * in the same run (exemplar-bench/python/l1_bench.py). Inputs: the SciPy .npz files written by
 * {@code exemplar text bow} (e.g. IMDB from ../shared/data). Arguments key=value: train, labels, test, lambda, tol,
 * points, repeats, python, work. Also compares a warm-started and a cold refit after removing 5 % of the rows.
 */
public final class L1Bench {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("train", "target/imdb/train.npz");
        a.put("labels", "target/imdb/train.labels.npy");
        a.put("test", "target/imdb/test.npz");
        a.put("lambda", "3e-5");
        a.put("tol", "1e-8");
        a.put("points", "200");
        a.put("repeats", "3");
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/l1-bench");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        for (String k : new String[] {"train", "labels", "test"}) {
            BenchData.require(k, a.get(k), BenchData.IMDB);
        }
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        CsrMatrix x = SparseNpz.read(Path.of(a.get("train")));
        CsrMatrix test = SparseNpz.read(Path.of(a.get("test")));
        double[] y = SparseLogisticRegression.signedLabels(Npy.read(Path.of(a.get("labels"))).toDoubleArray(),
                Path.of(a.get("labels")));
        double lambda = Double.parseDouble(a.get("lambda"));
        int points = Math.min(Integer.parseInt(a.get("points")), test.rows());
        int repeats = Integer.parseInt(a.get("repeats"));
        SparseLogisticRegression trainer = new SparseLogisticRegression(SparseLogisticRegression.Penalty.L1, lambda,
                false, Double.parseDouble(a.get("tol")), 20000);
        SparseFit fit = trainer.fit(x, y, null);
        HighDimRepresenter rep = new HighDimRepresenter(x, y, fit, lambda);
        Npy.write(work.resolve("theta.npy"), fit.theta());
        Npy.write(work.resolve("alpha.npy"), rep.alpha());
        Npy.write(work.resolve("signed_labels.npy"), y);
        for (int t = 0; t < points; t++) { // JIT warm-up
            rep.values(test, t);
        }
        double bestHd = Double.POSITIVE_INFINITY;
        double bestL2 = Double.POSITIVE_INFINITY;
        double checksum = 0;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            double s = 0;
            for (int t = 0; t < points; t++) {
                s += rep.values(test, t)[t];
            }
            bestHd = Math.min(bestHd, (System.nanoTime() - t0) / 1e6 / points);
            checksum = s;
            t0 = System.nanoTime();
            for (int t = 0; t < points; t++) {
                rep.l2Values(test, t);
            }
            bestL2 = Math.min(bestL2, (System.nanoTime() - t0) / 1e6 / points);
        }
        Process p = new ProcessBuilder(a.get("python"), script().toString(), a.get("train"), a.get("test"),
                work.toString(), String.valueOf(points), String.valueOf(repeats)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("python benchmark failed: " + err);
        }
        JsonNode py = Json.mapper().readTree(out);
        System.out.printf("data: %d x %d (nnz %d), test points %d, lambda %g, support %d, KKT %.1e, fit %.1f s%n",
                x.rows(), x.cols(), x.nnz(), points, lambda, fit.support(), fit.kktResidual(), fit.seconds());
        System.out.printf("| explanation of one test point (all %d training points) | Exemplar (Java) | scipy.sparse | ratio |%n"
                + "|---|---|---|---|%n", x.rows());
        System.out.printf("| high-dim representer (ms) | %.2f | %.2f | %.2fx faster |%n", bestHd,
                py.get("highdim_ms").asDouble(), py.get("highdim_ms").asDouble() / bestHd);
        double pyL2 = Math.min(py.get("l2_ms").asDouble(), py.get("l2_columns_ms").asDouble());
        System.out.printf("| L2 representer (ms; scipy: best of X @ x_t %.2f and column-wise %.2f) | %.2f | %.2f | %.2fx "
                + "faster |%n", py.get("l2_ms").asDouble(), py.get("l2_columns_ms").asDouble(), bestL2, pyL2,
                pyL2 / bestL2);
        double l2Check = 0;
        for (int t = 0; t < points; t++) {
            l2Check += rep.l2Values(test, t)[t];
        }
        System.out.printf("checksums: high-dim java %.9e, scipy %.9e; L2 java %.9e, scipy %.9e / %.9e (scipy %s)%n",
                checksum, py.get("checksum").asDouble(), l2Check, py.get("l2_checksum").asDouble(),
                py.get("l2_columns_checksum").asDouble(), py.get("scipy").asText());

        // retraining as deletion diagnostics do it: warm start from the full-data optimum vs a cold fit
        int[] removed = java.util.stream.IntStream.range(0, x.rows() / 20).map(i -> i * 7 % x.rows()).distinct().toArray();
        boolean[] drop = new boolean[y.length];
        for (int r : removed) {
            drop[r] = true;
        }
        double[] yk = java.util.stream.IntStream.range(0, y.length).filter(i -> !drop[i]).mapToDouble(i -> y[i]).toArray();
        CsrMatrix xk = x.withoutRows(removed);
        SparseFit warm = trainer.fit(xk, yk, fit.theta());
        SparseFit cold = trainer.fit(xk, yk, null);
        double diff = 0;
        for (int j = 0; j < warm.theta().length; j++) {
            diff = Math.max(diff, Math.abs(warm.theta()[j] - cold.theta()[j]));
        }
        System.out.printf("retraining without %d rows: warm %.1f s (KKT %.1e), cold %.1f s (KKT %.1e), max |theta_warm - "
                + "theta_cold| = %.1e (max |theta| %.2f)%n", removed.length, warm.seconds(), warm.kktResidual(),
                cold.seconds(), cold.kktResidual(), diff, org.exemplar.linalg.Vectors.maxAbs(cold.theta()));
    }

    private static Path script() {
        for (Path c : new Path[] {Path.of("exemplar-bench/python/l1_bench.py"), Path.of("python/l1_bench.py")}) {
            if (Files.exists(c)) {
                return c;
            }
        }
        throw new IllegalStateException("l1_bench.py not found: run from the repository root");
    }
}
