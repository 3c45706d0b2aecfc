package org.exemplar.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.Idx;
import org.exemplar.influence.TrainingData;
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
 * damped Gauss-Newton influence estimate by LiSSA of {@code lissadepth} steps. Java only: no PyTorch twin (the
 * machine this was written on has no python3-torch). Arguments key=value, run from the repository root.
 */
public final class PbrfBench {

    public static void main(String[] args) {
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
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + " (known: " + a.keySet() + ")");
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
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
}
