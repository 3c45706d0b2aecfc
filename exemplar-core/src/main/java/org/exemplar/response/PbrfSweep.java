package org.exemplar.response;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.DifferentiableModel;

/**
 * The ablations of Bae et al. 2022, Sec. 6.2 (Figure 5): the {@link PbrfExperiment} repeated with one parameter
 * varied, one {@link SweepRow} per value. Width and depth rebuild the network through the caller's factory
 * (hidden widths to theta^0, the same initialization seed); the other parameters change the settings.
 */
public final class PbrfSweep {
    private PbrfSweep() {
    }

    /**
     * Runs the sweep.
     *
     * @param architecture hidden widths to a fresh model at theta^0 (for linear models, one that ignores its argument)
     * @param hidden       the base hidden widths, or null when the model has no such structure (width and depth
     *                     sweeps then fail)
     * @param data         the training set (its l2 is replaced by the settings' for each run)
     */
    public static List<SweepRow> run(Function<int[], DifferentiableModel> architecture, int[] hidden,
                                     TrainingData data, DenseMatrix testX, DenseMatrix testT, PbrfSettings base,
                                     SweepParameter parameter, double[] values, ResponseListener listener) {
        Objects.requireNonNull(parameter, "parameter");
        if (values.length == 0) {
            throw new IllegalArgumentException("a sweep needs at least one value");
        }
        if ((parameter == SweepParameter.WIDTH || parameter == SweepParameter.DEPTH)
                && (hidden == null || hidden.length == 0)) {
            throw new IllegalArgumentException("a " + parameter.externalName() + " sweep needs an MLP built here "
                    + "(mlp:WIDTHS); this model has no hidden layers to vary");
        }
        for (double v : values) {
            if (parameter.integral() && (v != Math.rint(v) || v < (parameter == SweepParameter.EPOCHS ? 0 : 1))) {
                throw new IllegalArgumentException(parameter.externalName() + " values must be integers >= "
                        + (parameter == SweepParameter.EPOCHS ? 0 : 1) + ", got " + v);
            }
        }
        ResponseListener lis = listener == null ? ResponseListener.NONE : listener;
        List<SweepRow> rows = new ArrayList<>();
        for (int vi = 0; vi < values.length; vi++) {
            double v = values[vi];
            lis.task(String.format("sweep %s = %s (%d of %d)", parameter.externalName(), format(v), vi + 1,
                    values.length), 0);
            int[] h = hidden == null ? null : hidden.clone();
            PbrfSettings s = base;
            ResponseSettings r = base.response();
            switch (parameter) {
                case WIDTH -> Arrays.fill(h, (int) v);
                case DEPTH -> {
                    int w = h[0];
                    h = new int[(int) v];
                    Arrays.fill(h, w);
                }
                case EPOCHS -> s = s.withResponse(r.withEpochs((int) v));
                case L2 -> s = s.withResponse(r.withL2(v));
                case DAMPING -> s = s.withResponse(r.withDamping(v));
                case REMOVED_FRACTION -> s = s.withRemovedFraction(v);
                default -> throw new IllegalStateException(parameter.toString());
            }
            TrainingData d = new TrainingData(data.features(), data.targets(), data.loss(), s.response().l2());
            PbrfResult res = PbrfExperiment.run(architecture.apply(h), d, testX, testT, s, lis);
            Map<String, Double> pearson = new LinkedHashMap<>();
            Map<String, Double> spearman = new LinkedHashMap<>();
            String first = res.influence().get(0).solver();
            for (CorrelationRow c : res.correlations()) {
                if (c.solver().equals(first)) {
                    pearson.put(c.groundTruth(), c.pearson());
                    spearman.put(c.groundTruth(), c.spearman());
                }
            }
            rows.add(new SweepRow(parameter, v, res.meanGaps(), pearson, spearman, res.base().gradientNorm(),
                    res.secondsTotal()));
        }
        return rows;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
