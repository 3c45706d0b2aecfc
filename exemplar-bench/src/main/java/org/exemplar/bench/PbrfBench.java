package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.influence.TrainingData;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.response.BatchSchedule;
import org.exemplar.response.GaussNewtonInfluence;
import org.exemplar.response.InfluenceEstimate;
import org.exemplar.response.OptimizerRun;
import org.exemplar.response.ResponseFunctions;
import org.exemplar.response.ResponseKind;
import org.exemplar.response.ResponseObjective;
import org.exemplar.response.ResponseSettings;
import org.exemplar.response.ScheduledSgd;
import org.exemplar.response.SolverChoice;

/**
 * Time per response function for an MLP 784-{width}-{width}-10 on the shipped MNIST slice (issue 9): one SGD epoch
 * of each objective of Bae et al. 2022 Table 1 (retraining, proximal, PBRF through vector-Jacobian products,
 * linearized PBRF through Gauss-Newton products) on the continuation schedule, best of {@code repeats}, and one
 * damped Gauss-Newton influence estimate by LiSSA of {@code lissadepth} steps. With {@code twin=true} (default) also
 * one PBRF mini-batch gradient (eq. 8) at a theta != theta^s next to its PyTorch twin {@code python/pbrf_bench.py}
 * on the same weights, batch and removed point: the two gradients are compared and both steps timed (median of
 * {@code twinrepeats} after {@code twinwarmup}), PyTorch with {@code threads} threads (default: the
 * OPENBLAS_NUM_THREADS the Java side runs with, else the core count). Arguments key=value, run from the
 * repository root.
 */
public final class PbrfBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("width", "128");
        a.put("ntrain", "5000");
        a.put("batch", "128");
        a.put("epochs", "2");
        a.put("repeats", "3");
        a.put("lr", "0.1");
        a.put("damping", "1e-3");
        a.put("lissadepth", "100");
        a.put("seed", "1");
        a.put("mnist", "exemplar-cli/src/main/resources/org/exemplar/cli/data/mnist");
        a.put("twin", "true");
        a.put("twinwarmup", "10");
        a.put("twinrepeats", "200");
        a.put("threads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        a.put("python", "/usr/bin/python3");
        a.put("work", "target/pbrf-bench");
        BenchData.overrideArgs(a, args);
        int width = Integer.parseInt(a.get("width"));
        int n = Integer.parseInt(a.get("ntrain"));
        int repeats = Integer.parseInt(a.get("repeats"));
        long seed = Long.parseLong(a.get("seed"));
        double damping = Double.parseDouble(a.get("damping"));
        System.out.println(Blas.backendNotice());
        Path dir = Path.of(a.get("mnist"));
        DenseMatrix x = Idx.readMatrix(dir.resolve("train-images-idx3-ubyte.gz")).scaleInPlace(1 / 255.0)
                .rowRange(0, n);
        int[] y = java.util.Arrays.copyOf(Idx.readLabels(dir.resolve("train-labels-idx1-ubyte.gz")), n);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        TrainingData data = new TrainingData(x, loss.targetsFromLabels(y, 10), loss, 0.0);
        Mlp net = Mlp.initialize(784, new int[] {width, width}, Activation.RELU, 10, seed);
        ResponseSettings s = ResponseSettings.sgd(Integer.parseInt(a.get("epochs")), Integer.parseInt(a.get("batch")),
                Double.parseDouble(a.get("lr")), 0.0, damping, seed);
        ResponseFunctions rf = ResponseFunctions.train(net, data, s, null);
        System.out.printf("MLP 784-%d-%d-10 (%d parameters), %d training digits, base training %d epochs: %.2f s "
                + "(%.3f s/epoch), ||grad J|| = %.3e%n", width, width, net.parameterCount(), n, s.epochs(),
                rf.baseRun().seconds(), rf.baseRun().seconds() / s.epochs(), rf.baseRun().gradientNorm());
        double[] thetaS = rf.trainedParameters();
        int[] z = {17};
        double eps = rf.epsilon();
        BatchSchedule one = BatchSchedule.of(n, s.batchSize(), seed, s.epochs(), s.epochs() + 1);
        Map<String, ResponseObjective> objectives = new LinkedHashMap<>();
        objectives.put("cold/warm-start (retraining, eq. 2)", ResponseObjective.retraining(rf.trainedModel(), data, z, eps));
        objectives.put("proximal (eq. 7)", ResponseObjective.proximal(rf.trainedModel(), data, z, eps, damping, thetaS));
        objectives.put("PBRF (eq. 8, VJP)", ResponseObjective.bregman(rf.trainedModel(), data, z, eps, damping, thetaS));
        objectives.put("linearized PBRF (eq. 11, GNVP)",
                ResponseObjective.linearizedBregman(rf.trainedModel(), data, z, eps, damping, thetaS));
        System.out.println("| objective | one SGD epoch (best of " + repeats + ") | per step |");
        System.out.println("|---|---|---|");
        for (Map.Entry<String, ResponseObjective> e : objectives.entrySet()) {
            double best = Double.POSITIVE_INFINITY;
            for (int r = 0; r < repeats; r++) {
                OptimizerRun run = ScheduledSgd.sgd(e.getValue(), thetaS, one, s.learningRate() / 10, null);
                best = Math.min(best, run.seconds());
            }
            System.out.printf("| %s | %.3f s | %.2f ms |%n", e.getKey(), best, 1e3 * best / one.batchesPerEpoch());
        }
        if (Boolean.parseBoolean(a.get("twin"))) {
            twin(a, (Mlp) rf.trainedModel(), data, objectives.get("PBRF (eq. 8, VJP)"), z, eps, damping,
                    s.batchSize(), seed);
        }
        long t0 = System.nanoTime();
        rf.respond(z, ResponseKind.PBRF, null);
        System.out.printf("one PBRF response (%d epochs, plus the final full-batch gradient): %.2f s%n",
                s.responseEpochs(), (System.nanoTime() - t0) * 1e-9);
        SolverChoice lissa = SolverChoice.of(SolverChoice.Kind.LISSA, seed)
                .withLissa(Integer.parseInt(a.get("lissadepth")), 1, Double.NaN, s.batchSize());
        InfluenceEstimate est = GaussNewtonInfluence.estimate(rf.trainedModel(), data, damping, lissa, List.of(z), eps);
        System.out.printf("influence estimate, LiSSA depth %s (scale from 50 full-batch power iterations): %.2f s%n",
                a.get("lissadepth"), est.seconds());
    }

    /**
     * One PBRF mini-batch gradient (eq. 8, {@link ResponseObjective#batchGradient}) at theta = theta^s + 0.01 N(0, I)
     * on a random batch, next to the PyTorch twin on the same inputs: agreement and median times.
     */
    private static void twin(Map<String, String> a, Mlp trained, TrainingData data, ResponseObjective pbrf, int[] z,
                             double eps, double damping, int batchSize, long seed) throws Exception {
        Path work = Path.of(a.get("work"));
        Files.createDirectories(work);
        SplittableRandom rnd = new SplittableRandom(seed + 2);
        double[] thetaS = trained.parameters();
        double[] theta = thetaS.clone();
        for (int k = 0; k < theta.length; k++) {
            theta[k] += 0.01 * rnd.nextGaussian();
        }
        int n = data.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] batch = Arrays.copyOf(perm, batchSize);
        Mlp at = trained.copy();
        at.setParameters(theta);
        for (int k = 0; k < 3; k++) {
            Npy.write(work.resolve("W" + k + ".npy"), at.weight(k));
            Npy.write(work.resolve("b" + k + ".npy"), at.bias(k));
            Npy.write(work.resolve("Ws" + k + ".npy"), trained.weight(k));
            Npy.write(work.resolve("bs" + k + ".npy"), trained.bias(k));
        }
        Npy.write(work.resolve("xb.npy"), data.features().selectRows(batch));
        Npy.write(work.resolve("tb.npy"), labels(data.targets().selectRows(batch)));
        Npy.write(work.resolve("xz.npy"), data.features().selectRows(z));
        Npy.write(work.resolve("tz.npy"), labels(data.targets().selectRows(z)));
        int warmup = Integer.parseInt(a.get("twinwarmup"));
        int repeats = Integer.parseInt(a.get("twinrepeats"));
        double[] grad = new double[theta.length];
        for (int r = 0; r < warmup; r++) {
            pbrf.batchGradient(theta, batch, grad);
        }
        double[] times = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            pbrf.batchGradient(theta, batch, grad);
            times[r] = (System.nanoTime() - t0) * 1e-9;
        }
        Npy.write(work.resolve("java_grad.npy"), grad);
        List<String> cmd = List.of(a.get("python"), script().toString(), work.toString(), String.valueOf(eps),
                String.valueOf(damping), String.valueOf(data.l2()), String.valueOf(warmup), String.valueOf(repeats),
                a.get("threads"));
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
        double java = median(times);
        double torch = py.get("median_seconds").asDouble();
        System.out.printf("%nPBRF mini-batch gradient (eq. 8), batch %d, 1 removed point, theta = theta^s + 0.01 N(0, I), "
                + "||grad|| = %.6e; median of %d after %d warm-up%n", batchSize, norm(grad), repeats, warmup);
        System.out.println("| step | Exemplar (Java) | PyTorch | ratio Java/PyTorch |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| PBRF batch gradient | %.3f ms | %.3f ms (PyTorch %s, %d threads, float64) | %.2f |%n",
                1e3 * java, 1e3 * torch, py.get("torch").asText(), py.get("threads").asInt(), java / torch);
        System.out.printf("agreement: max |g_java - g_torch| / max |g_java| = %.2e, ||g_java - g_torch|| / ||g_java|| "
                + "= %.2e (max abs diff %.2e)%n", py.get("max_rel_diff").asDouble(),
                py.get("norm_rel_diff").asDouble(), py.get("max_abs_diff").asDouble());
        if (!(py.get("max_rel_diff").asDouble() <= 1e-10)) {
            throw new IllegalStateException("Java and PyTorch PBRF gradients disagree beyond 1e-10 relative");
        }
    }

    private static int[] labels(DenseMatrix oneHot) {
        int[] y = new int[oneHot.rows()];
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < oneHot.cols(); j++) {
                if (oneHot.get(i, j) > oneHot.get(i, y[i])) {
                    y[i] = j;
                }
            }
        }
        return y;
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static Path script() throws IOException {
        for (Path candidate : new Path[] {Path.of("exemplar-bench/python/pbrf_bench.py"),
            Path.of("python/pbrf_bench.py")}) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IOException("pbrf_bench.py not found: run from the repository root");
    }
}
