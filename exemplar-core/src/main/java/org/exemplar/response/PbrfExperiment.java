package org.exemplar.response;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.exemplar.eval.Correlation;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.DifferentiableModel;

/**
 * The protocol of Bae et al. 2022, App. E.2 and Sec. 6: train the base model, draw P random removals (seeded), run
 * the six responses and the damped Gauss-Newton influence estimate of every solver for each, and measure
 * <ul>
 *   <li>the five gaps of Table 5: warm-start (cold vs warm), proximity (warm vs proximal), non-convergence (proximal
 *   vs PBRF), linearization (PBRF vs linearized PBRF), solver (linearized PBRF vs the first solver's estimate), each
 *   as mean_i ||f(theta_a, x_i) - f(theta_b, x_i)||_2 over the training inputs;</li>
 *   <li>the correlations of Tables 2 / 6 / 8: Pearson and Spearman, over the P removals, between each solver's
 *   predicted test-loss change grad L_test(theta^s)^T delta_theta (eq. 23) and each response's actual change
 *   L_test(theta_response) - L_test(theta^s).</li>
 * </ul>
 */
public final class PbrfExperiment {
    private PbrfExperiment() {
    }

    /**
     * Runs the experiment from the model's current parameters theta^0.
     *
     * @param data  the training set and objective (its l2 must equal the settings')
     * @param testX test inputs; testT their targets in the loss's target space
     */
    public static PbrfResult run(DifferentiableModel initial, TrainingData data, DenseMatrix testX, DenseMatrix testT,
                                 PbrfSettings settings, ResponseListener listener) {
        ResponseListener lis = listener == null ? ResponseListener.NONE : listener;
        if (testX.rows() == 0 || testX.rows() != testT.rows() || testX.cols() != initial.inputWidth()
                || testT.cols() != initial.outputWidth()) {
            throw new IllegalArgumentException("test set " + testX.shapeString() + " / " + testT.shapeString()
                    + " does not fit a model with " + initial.inputWidth() + " inputs and " + initial.outputWidth()
                    + " outputs");
        }
        if (!settings.testLoss().isMean() && settings.testLoss().pointIndex() >= testX.rows()) {
            throw new IllegalArgumentException("test point " + settings.testLoss().pointIndex() + " outside [0, "
                    + testX.rows() + ")");
        }
        long t0 = System.nanoTime();
        ResponseFunctions rf = ResponseFunctions.train(initial, data, settings.response(), lis);
        double[] thetaS = rf.trainedParameters();
        DifferentiableModel atS = rf.trainedModel();
        List<int[]> removals = removals(data.size(), settings);
        int pCount = removals.size();
        double eps = rf.epsilon();

        DenseMatrix tx = settings.testLoss().isMean() ? testX : testX.rowRange(settings.testLoss().pointIndex(),
                settings.testLoss().pointIndex() + 1);
        DenseMatrix tt = settings.testLoss().isMean() ? testT : testT.rowRange(settings.testLoss().pointIndex(),
                settings.testLoss().pointIndex() + 1);
        double baseTestLoss = atS.meanLoss(tx, tt, data.loss());
        double[] testGradient = atS.gradient(tx, tt, data.loss(), 0.0);

        List<InfluenceEstimate> influence = new ArrayList<>();
        List<double[]> predicted = new ArrayList<>();
        List<DenseMatrix> predictedOutputs = new ArrayList<>();
        for (SolverChoice sc : settings.solvers()) {
            lis.task("influence (" + sc.kind().externalName() + ")", 0);
            InfluenceEstimate est = GaussNewtonInfluence.estimate(atS, data, settings.response().damping(), sc,
                    removals, eps);
            influence.add(est);
            double[] pred = new double[pCount];
            for (int r = 0; r < pCount; r++) {
                pred[r] = dot(testGradient, est.parameterChanges(), r);
            }
            predicted.add(pred);
            DenseMatrix outs = new DenseMatrix(pCount, testX.rows() * initial.outputWidth());
            for (int r = 0; r < pCount; r++) {
                outs.setRow(r, atS.parameterJvp(testX, est.parameterChanges().row(r)).data());
            }
            predictedOutputs.add(outs);
        }

        ResponseKind[] kinds = ResponseKind.values();
        Map<ResponseKind, DenseMatrix> changes = new EnumMap<>(ResponseKind.class);
        Map<ResponseKind, double[]> gradNorms = new EnumMap<>(ResponseKind.class);
        Map<ResponseKind, double[]> secs = new EnumMap<>(ResponseKind.class);
        Map<ResponseKind, double[]> testChanges = new EnumMap<>(ResponseKind.class);
        int params = thetaS.length;
        for (ResponseKind k : kinds) {
            changes.put(k, new DenseMatrix(pCount, params));
            gradNorms.put(k, new double[pCount]);
            secs.put(k, new double[pCount]);
            testChanges.put(k, new double[pCount]);
        }
        DenseMatrix gaps = new DenseMatrix(pCount, PbrfResult.GAP_NAMES.size());
        DenseMatrix solverGaps = new DenseMatrix(pCount, settings.solvers().size());
        DifferentiableModel probe = atS.copy();
        for (int r = 0; r < pCount; r++) {
            int[] removed = removals.get(r);
            Map<ResponseKind, DenseMatrix> outputs = new EnumMap<>(ResponseKind.class);
            OptimizerRun warm = null;
            for (int ki = 0; ki < kinds.length; ki++) {
                ResponseKind k = kinds[ki];
                int epochs = k == ResponseKind.COLD_START
                        ? settings.response().epochs() + settings.response().coldExtraEpochs()
                        : settings.response().responseEpochs();
                lis.task(String.format("point %d of %d, response %d of %d: %s", r + 1, pCount, ki + 1, kinds.length,
                        k.externalName()), epochs);
                // two-stage reuses this point's warm-start run (its first stage)
                OptimizerRun run = k == ResponseKind.TWO_STAGE ? rf.twoStage(warm, lis) : rf.respond(removed, k, lis);
                if (k == ResponseKind.WARM_START) {
                    warm = run;
                }
                double[] theta = run.theta();
                double[] d = changes.get(k).data();
                for (int j = 0; j < params; j++) {
                    d[r * params + j] = theta[j] - thetaS[j];
                }
                gradNorms.get(k)[r] = run.gradientNorm();
                secs.get(k)[r] = run.seconds();
                probe.setParameters(theta);
                testChanges.get(k)[r] = probe.meanLoss(tx, tt, data.loss()) - baseTestLoss;
                if (k != ResponseKind.TWO_STAGE) {
                    outputs.put(k, probe.logits(data.features()));
                }
            }
            gaps.set(r, 0, meanOutputDistance(outputs.get(ResponseKind.COLD_START), outputs.get(ResponseKind.WARM_START)));
            gaps.set(r, 1, meanOutputDistance(outputs.get(ResponseKind.WARM_START), outputs.get(ResponseKind.PROXIMAL)));
            gaps.set(r, 2, meanOutputDistance(outputs.get(ResponseKind.PROXIMAL), outputs.get(ResponseKind.PBRF)));
            gaps.set(r, 3, meanOutputDistance(outputs.get(ResponseKind.PBRF), outputs.get(ResponseKind.LINEARIZED_PBRF)));
            for (int s = 0; s < influence.size(); s++) {
                double[] theta = thetaS.clone();
                double[] dx = influence.get(s).parameterChanges().data();
                for (int j = 0; j < params; j++) {
                    theta[j] += dx[r * params + j];
                }
                probe.setParameters(theta);
                solverGaps.set(r, s, meanOutputDistance(outputs.get(ResponseKind.LINEARIZED_PBRF),
                        probe.logits(data.features())));
            }
            gaps.set(r, 4, solverGaps.get(r, 0));
        }

        List<CorrelationRow> corr = new ArrayList<>();
        for (int s = 0; s < influence.size(); s++) {
            for (ResponseKind k : kinds) {
                double[] actual = testChanges.get(k);
                corr.add(new CorrelationRow(k.externalName(), influence.get(s).solver(),
                        settings.testLoss().externalName(), Correlation.pearson(predicted.get(s), actual),
                        Correlation.spearman(predicted.get(s), actual)));
            }
        }
        return new PbrfResult(removals, rf.baseRun(), changes, gradNorms, secs, testChanges, influence, predicted,
                predictedOutputs, gaps, solverGaps, corr, baseTestLoss, (System.nanoTime() - t0) * 1e-9);
    }

    /**
     * The P seeded random removals: distinct single points (fraction 0) or P independent random groups of
     * max(1, round(fraction N)) points.
     */
    public static List<int[]> removals(int n, PbrfSettings settings) {
        SplittableRandom rnd = new SplittableRandom(settings.pointSeed());
        List<int[]> out = new ArrayList<>();
        if (settings.removedFraction() == 0) {
            if (settings.points() > n) {
                throw new IllegalArgumentException("cannot draw " + settings.points() + " distinct points from " + n
                        + " training examples");
            }
            int[] pick = partialShuffle(n, settings.points(), rnd);
            for (int z : pick) {
                out.add(new int[] {z});
            }
        } else {
            int m = (int) Math.max(1, Math.round(settings.removedFraction() * n));
            for (int r = 0; r < settings.points(); r++) {
                int[] g = partialShuffle(n, m, rnd);
                Arrays.sort(g);
                out.add(g);
            }
        }
        return out;
    }

    /** mean_i ||a_i - b_i||_2 over rows. */
    public static double meanOutputDistance(DenseMatrix a, DenseMatrix b) {
        int n = a.rows();
        int c = a.cols();
        double[] x = a.data();
        double[] y = b.data();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int j = 0; j < c; j++) {
                double d = x[i * c + j] - y[i * c + j];
                sq += d * d;
            }
            sum += Math.sqrt(sq);
        }
        return sum / n;
    }

    private static int[] partialShuffle(int n, int k, SplittableRandom rnd) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return Arrays.copyOf(idx, k);
    }

    private static double dot(double[] g, DenseMatrix rows, int r) {
        int p = rows.cols();
        double[] d = rows.data();
        double s = 0;
        for (int j = 0; j < p; j++) {
            s += g[j] * d[r * p + j];
        }
        return s;
    }
}
