package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.curvature.FisherKind;
import org.exemplar.curvature.KfacInfluence;
import org.exemplar.curvature.KroneckerFactors;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.influence.TestFunction;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpTrainer;
import org.exemplar.model.TrainingOptions;

/**
 * EK-FAC factor fitting and scoring time (issue 12) for an MLP 784-{hidden}-10 (ReLU) trained briefly on the
 * shipped MNIST slice, next to the same computation in PyTorch ({@code python/ekfac_bench.py}) on the same weights
 * and data: fit = A and S in one pass, their eigendecompositions and EK-FAC's corrected eigenvalues in a second
 * pass (empirical Fisher, so both sides use the same labels); score = the rotated training factors, the test
 * gradients in the eigenbasis and the {@code ntest x ntrain} influence matrix (measure = test loss). Median of
 * {@code repeats}; PyTorch with {@code threads} threads (default: the Java side's OPENBLAS_NUM_THREADS, else the
 * core count). Arguments key=value, run from the repository root.
 */
public final class EkfacBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("hidden", "128,64");
        a.put("ntrain", "5000");
        a.put("ntest", "500");
        a.put("damping", "1e-3");
        a.put("repeats", "3");
        a.put("seed", "1");
        a.put("mnist", "exemplar-cli/src/main/resources/org/exemplar/cli/data/mnist");
        a.put("twin", "true");
        a.put("threads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/ekfac-bench");
        BenchData.overrideArgs(a, args);
        int[] hidden = Arrays.stream(a.get("hidden").split(",")).mapToInt(Integer::parseInt).toArray();
        int n = Integer.parseInt(a.get("ntrain"));
        int nt = Integer.parseInt(a.get("ntest"));
        int repeats = Integer.parseInt(a.get("repeats"));
        long seed = Long.parseLong(a.get("seed"));
        double damping = Double.parseDouble(a.get("damping"));
        System.out.println(Blas.backendNotice());
        Path dir = Path.of(a.get("mnist"));
        DenseMatrix x = Idx.readMatrix(dir.resolve("train-images-idx3-ubyte.gz")).scaleInPlace(1 / 255.0)
                .rowRange(0, n);
        int[] y = Arrays.copyOf(Idx.readLabels(dir.resolve("train-labels-idx1-ubyte.gz")), n);
        DenseMatrix xt = Idx.readMatrix(dir.resolve("test-images-idx3-ubyte.gz")).scaleInPlace(1 / 255.0)
                .rowRange(0, nt);
        int[] yt = Arrays.copyOf(Idx.readLabels(dir.resolve("test-labels-idx1-ubyte.gz")), nt);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        DenseMatrix t = loss.targetsFromLabels(y, 10);
        DenseMatrix tt = loss.targetsFromLabels(yt, 10);
        Mlp net = Mlp.initialize(784, hidden, Activation.RELU, 10, seed);
        new MlpTrainer().train(net, x, t, loss, TrainingOptions.adam(1e-3).withEpochs(3).withSeed(seed), null);
        System.out.printf("MLP %s (%d parameters), %d training and %d test digits%n", Arrays.toString(net.widths()),
                net.parameterCount(), n, nt);

        double[] fitTimes = new double[repeats];
        KroneckerFactors f = null;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            f = KroneckerFactors.fit(net, x, t, loss, FisherKind.EMPIRICAL, seed, true, null);
            fitTimes[r] = (System.nanoTime() - t0) * 1e-9;
        }
        double[] scoreTimes = new double[repeats];
        DenseMatrix scores = null;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            KfacInfluence inf = new KfacInfluence(net, x, t, loss, f, damping, true);
            scores = inf.scores(xt, tt, TestFunction.LOSS);
            scoreTimes[r] = (System.nanoTime() - t0) * 1e-9;
        }
        double fit = median(fitTimes);
        double score = median(scoreTimes);
        System.out.printf("Exemplar: fit %.3f s, score %.3f s (median of %d)%n", fit, score, repeats);
        if (!Boolean.parseBoolean(a.get("twin"))) {
            return;
        }
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        for (int k = 0; k < net.layerCount(); k++) {
            Npy.write(work.resolve("W" + k + ".npy"), net.weight(k));
            Npy.write(work.resolve("b" + k + ".npy"), net.bias(k));
            Npy.write(work.resolve("java_lambda" + k + ".npy"), f.correctedEigenvalues(k));
        }
        Npy.write(work.resolve("x.npy"), x);
        Npy.write(work.resolve("y.npy"), y);
        Npy.write(work.resolve("xt.npy"), xt);
        Npy.write(work.resolve("yt.npy"), yt);
        Npy.write(work.resolve("java_scores.npy"), scores);
        List<String> cmd = List.of(a.get("python"), script().toString(), work.toString(),
                String.valueOf(net.layerCount()), String.valueOf(damping), String.valueOf(repeats), a.get("threads"));
        Process proc = new ProcessBuilder(cmd).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            if (err.contains("No module named 'torch'") || err.contains("No module named 'numpy'")) {
                System.err.println("PyTorch twin not run: " + a.get("python") + " lacks torch or numpy (install "
                        + "Debian's python3-torch and python3-numpy, choose another interpreter with python=PATH, or "
                        + "pass twin=false)");
                return;
            }
            throw new IllegalStateException("python twin failed: " + err);
        }
        JsonNode py = Json.mapper().readTree(out);
        double pf = py.get("fit_median_seconds").asDouble();
        double ps = py.get("score_median_seconds").asDouble();
        System.out.printf("PyTorch %s (%d threads): fit %.3f s, score %.3f s%n", py.get("torch").asText(),
                py.get("threads").asInt(), pf, ps);
        System.out.printf("| step | Exemplar | PyTorch | ratio Java / PyTorch |%n|---|---|---|---|%n");
        System.out.printf("| EK-FAC fit (2 passes + eigh) | %.3f s | %.3f s | %.2f |%n", fit, pf, fit / pf);
        System.out.printf("| score %d x %d | %.3f s | %.3f s | %.2f |%n", nt, n, score, ps, score / ps);
        System.out.printf("agreement: corrected eigenvalues max |diff| / max = %.2e, scores max |diff| / max = %.2e%n",
                py.get("lambda_max_rel_diff").asDouble(), py.get("scores_max_rel_diff").asDouble());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }

    private static Path script() throws IOException {
        for (Path candidate : new Path[] {Path.of("exemplar-bench/python/ekfac_bench.py"),
            Path.of("python/ekfac_bench.py")}) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IOException("ekfac_bench.py not found: run from the repository root");
    }
}
