package org.exemplar.response;

import java.util.Objects;

import org.exemplar.influence.TrainingData;
import org.exemplar.model.DifferentiableModel;

/**
 * The base training and the six responses to removing training points (Bae et al. 2022, Table 1, App. E.2, F.2).
 *
 * <p>{@link #train} optimizes J from the model's current parameters theta^0 (SGD: K epochs over the seeded batch
 * order, recorded in {@link #baseSchedule()}; L-BFGS: to the tolerance) and returns the bound instance holding
 * theta^s. {@link #respond} then answers one removal with one {@link ResponseKind}, with epsilon = 1/N per removed
 * point:
 * <ul>
 *   <li>cold-start: SGD from theta^0 over epochs [0, K + K/2) of the same seeded stream (its first K epochs are
 *   the base training's batches), learning rate lr;</li>
 *   <li>warm-start, proximal, PBRF, linearized PBRF: SGD from theta^s over epochs [K, K + K/2) of the stream, learning
 *   rate lr/10 (the response settings);</li>
 *   <li>two-stage: theta^s + (warm-start without the points) - (warm-start with all data), both on the same epochs
 *   (the all-data run is computed once and shared by every removal).</li>
 * </ul>
 * With L-BFGS every objective is minimized to the tolerance, cold-start from theta^0 and the others from theta^s.
 *
 * <p>Not thread-safe.
 */
public final class ResponseFunctions {
    private final DifferentiableModel prototype;
    private final TrainingData data;
    private final ResponseSettings settings;
    private final double[] theta0;
    private final double[] thetaS;
    private final OptimizerRun baseRun;
    private OptimizerRun warmAllData;

    private ResponseFunctions(DifferentiableModel prototype, TrainingData data, ResponseSettings settings,
                              double[] theta0, OptimizerRun baseRun) {
        this.prototype = prototype;
        this.data = data;
        this.settings = settings;
        this.theta0 = theta0;
        this.baseRun = baseRun;
        this.thetaS = baseRun.theta();
    }

    /**
     * Trains J(theta) = (1/N) sum_i L_i + (l2/2)||theta||^2 (l2 from the settings; {@code data.l2()} must agree)
     * from the model's current parameters.
     *
     * @throws IllegalArgumentException when data.l2() differs from settings.l2()
     * @throws ArithmeticException      when SGD diverges
     */
    public static ResponseFunctions train(DifferentiableModel initial, TrainingData data, ResponseSettings settings,
                                          ResponseListener listener) {
        Objects.requireNonNull(initial, "initial model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(settings, "settings");
        if (data.l2() != settings.l2()) {
            throw new IllegalArgumentException("the data's l2 " + data.l2() + " differs from the settings' l2 "
                    + settings.l2());
        }
        ResponseListener lis = listener == null ? ResponseListener.NONE : listener;
        double[] theta0 = initial.parameters();
        ResponseObjective j = ResponseObjective.retraining(initial, data, new int[0], 0.0);
        OptimizerRun run;
        if (settings.optimizer() == ResponseSettings.Optimizer.SGD) {
            lis.task("base training", settings.epochs());
            run = ScheduledSgd.sgd(j, theta0, BatchSchedule.of(data.size(), settings.batchSize(), settings.seed(), 0,
                    settings.epochs()), settings.learningRate(), lis);
        } else {
            lis.task("base training (L-BFGS)", 0);
            run = ScheduledSgd.lbfgs(j, theta0, settings.tolerance(), settings.maxIterations(), lis);
        }
        return new ResponseFunctions(initial.copy(), data, settings, theta0, run);
    }

    public ResponseSettings settings() {
        return settings;
    }

    public TrainingData data() {
        return data;
    }

    /** theta^0, a copy. */
    public double[] initialParameters() {
        return theta0.clone();
    }

    /** theta^s, a copy. */
    public double[] trainedParameters() {
        return thetaS.clone();
    }

    /** The base training run (its final gradient norm is ||grad J(theta^s)||). */
    public OptimizerRun baseRun() {
        return baseRun;
    }

    /** A copy of the model at theta^s. */
    public DifferentiableModel trainedModel() {
        return modelAt(thetaS);
    }

    /** A copy of the model at the given parameters. */
    public DifferentiableModel modelAt(double[] theta) {
        DifferentiableModel m = prototype.copy();
        m.setParameters(theta);
        return m;
    }

    /** epsilon = 1/N. */
    public double epsilon() {
        return 1.0 / data.size();
    }

    /** Epochs [0, K) of the seeded stream: the base training's batch order. */
    public BatchSchedule baseSchedule() {
        return BatchSchedule.of(data.size(), settings.batchSize(), settings.seed(), 0, settings.epochs());
    }

    /** Epochs [K, K + responseEpochs): the warm responses' batch order. */
    public BatchSchedule continuationSchedule() {
        return BatchSchedule.of(data.size(), settings.batchSize(), settings.seed(), settings.epochs(),
                settings.epochs() + settings.responseEpochs());
    }

    /** Epochs [0, K + coldExtraEpochs): the cold-start batch order. */
    public BatchSchedule coldSchedule() {
        return BatchSchedule.of(data.size(), settings.batchSize(), settings.seed(), 0,
                settings.epochs() + settings.coldExtraEpochs());
    }

    /** The response of the given kind to removing {@code removed} (epsilon = 1/N each). */
    public OptimizerRun respond(int[] removed, ResponseKind kind, ResponseListener listener) {
        return respond(removed, epsilon(), kind, listener);
    }

    /**
     * The response of the given kind to down-weighting {@code removed} by {@code epsilon} each (epsilon = 0 gives
     * the responses of removing nothing: cold-start then replays the base training).
     */
    public OptimizerRun respond(int[] removed, double epsilon, ResponseKind kind, ResponseListener listener) {
        Objects.requireNonNull(kind, "kind");
        DifferentiableModel m = modelAt(thetaS);
        double lambda = settings.damping();
        return switch (kind) {
            case COLD_START -> run(ResponseObjective.retraining(m, data, removed, epsilon), theta0, true, listener);
            case WARM_START -> run(ResponseObjective.retraining(m, data, removed, epsilon), thetaS, false, listener);
            case PROXIMAL -> run(ResponseObjective.proximal(m, data, removed, epsilon, lambda, thetaS), thetaS, false,
                    listener);
            case PBRF -> run(ResponseObjective.bregman(m, data, removed, epsilon, lambda, thetaS), thetaS, false,
                    listener);
            case LINEARIZED_PBRF -> run(ResponseObjective.linearizedBregman(m, data, removed, epsilon, lambda, thetaS),
                    thetaS, false, listener);
            case TWO_STAGE -> twoStage(removed, epsilon, listener);
        };
    }

    private OptimizerRun twoStage(int[] removed, double epsilon, ResponseListener listener) {
        return twoStage(respond(removed, epsilon, ResponseKind.WARM_START, listener), listener);
    }

    /**
     * Two-stage leave-one-out from an already computed warm-start response without the points:
     * theta^s + (that run's theta) - (the all-data warm-start run's theta).
     */
    public OptimizerRun twoStage(OptimizerRun without, ResponseListener listener) {
        OptimizerRun all = warmAllData(listener);
        double[] theta = new double[thetaS.length];
        for (int k = 0; k < theta.length; k++) {
            theta[k] = thetaS[k] + (without.theta()[k] - all.theta()[k]);
        }
        return new OptimizerRun(theta, without.optimizer(), without.steps() + all.steps(),
                Math.max(without.gradientNorm(), all.gradientNorm()), without.objective(),
                without.converged() && all.converged(), without.seconds());
    }

    /** The warm-start run on all data (the second stage of two-stage LOO), computed once. */
    public OptimizerRun warmAllData(ResponseListener listener) {
        if (warmAllData == null) {
            warmAllData = respond(new int[0], 0.0, ResponseKind.WARM_START, listener);
        }
        return warmAllData;
    }

    private OptimizerRun run(ResponseObjective q, double[] start, boolean cold, ResponseListener listener) {
        if (settings.optimizer() == ResponseSettings.Optimizer.LBFGS) {
            return ScheduledSgd.lbfgs(q, start, settings.tolerance(), settings.maxIterations(), listener);
        }
        BatchSchedule s = cold ? coldSchedule() : continuationSchedule();
        double lr = cold ? settings.learningRate() : settings.learningRate() * settings.responseLearningRateFactor();
        return ScheduledSgd.sgd(q, start, s, lr, listener);
    }
}
