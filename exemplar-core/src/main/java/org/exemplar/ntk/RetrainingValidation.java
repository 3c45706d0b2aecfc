package org.exemplar.ntk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.exemplar.eval.Correlation;
import org.exemplar.linalg.DenseMatrix;

/**
 * Table 1 of Zhang &amp; Zhang (2022): NTK-predicted influence against the influence measured by actually
 * retraining the finite-width network without each of the most influential training points.
 *
 * <p>For one test point: the NTK influence of every training point (eq. 8-9) picks the {@code topK} points of
 * largest |I|; then for each width one network W(0) is drawn (seeded), trained on all points and once without
 * each selected point, from the same W(0) with the same schedule; the measured influence is
 * 1/2 (f^{\i}_nn(x_te) - y_te)^2 - 1/2 (f_nn(x_te) - y_te)^2 (eq. 7). Pearson and Spearman correlations over the
 * selected points are reported per width.
 */
public final class RetrainingValidation {
    private RetrainingValidation() {
    }

    /**
     * Settings.
     *
     * @param lambda         ridge strength of eq. (2)
     * @param widths         network widths m
     * @param topK           number of most influential training points retrained without
     * @param kappa          initialization scale
     * @param initialization unit drawing scheme
     * @param seed           seed of W(0) (the same for every width's leave-one-out runs)
     * @param schedule       the minimizer
     */
    public record Options(double lambda, int[] widths, int topK, double kappa, Initialization initialization,
                          long seed, TrainingSchedule schedule) {
        public Options {
            if (widths.length == 0 || topK < 2) {
                throw new IllegalArgumentException("need at least one width and topK >= 2");
            }
            widths = widths.clone();
        }
    }

    /**
     * One (width, test point) row.
     *
     * @param width                    m
     * @param testIndex                index of the test point
     * @param trainIndices             the retrained-without training points (by decreasing |NTK influence|)
     * @param predicted                NTK influence of those points (eq. 8-9)
     * @param actual                   influence measured by retraining (eq. 7)
     * @param pearson                  Pearson's R of predicted vs actual
     * @param spearman                 Spearman's rho
     * @param networkPrediction        f_nn(x_te) trained on all points
     * @param ntkPrediction            f_ntk(x_te) (eq. 6)
     * @param worstRelativeGradient    largest final ||grad L|| / ||grad L(W(0))|| over the topK + 1 trainings
     * @param allConverged             every training reached the schedule's tolerance
     * @param seconds                  wall time for this width
     */
    public record Row(int width, int testIndex, int[] trainIndices, double[] predicted, double[] actual,
                      double pearson, double spearman, double networkPrediction, double ntkPrediction,
                      double worstRelativeGradient, boolean allConverged, double seconds) {
    }

    /**
     * Runs the comparison for each listed test point and width.
     *
     * @param x         n x d training inputs on the unit sphere
     * @param y         targets in [-1, 1]
     * @param xTest     test inputs on the unit sphere
     * @param yTest     test targets
     * @param tests     indices into xTest to validate on
     * @param progress  receives each finished row (may be null)
     */
    public static List<Row> run(DenseMatrix x, double[] y, DenseMatrix xTest, double[] yTest, int[] tests,
                                Options o, Consumer<Row> progress) {
        DenseMatrix sel = xTest.selectRows(tests);
        double[] ySel = new double[tests.length];
        for (int j = 0; j < tests.length; j++) {
            ySel[j] = yTest[tests[j]];
        }
        NtkInfluence fit = NtkInfluence.fit(NtkKernel.gram(x), y, o.lambda());
        InfluenceScores scores = fit.score(NtkKernel.matrix(sel, x), ySel);
        int n = x.rows();
        int k = Math.min(o.topK(), n);
        List<Row> rows = new ArrayList<>();
        for (int width : o.widths()) {
            long t0 = System.nanoTime();
            TwoLayerReluNetwork net = TwoLayerReluNetwork.initialize(width, x.cols(), o.kappa(), o.initialization(),
                    o.seed());
            ReluNetworkTrainer trainer = ReluNetworkTrainer.prepare(net, x, y, sel, o.lambda());
            net = null; // W(0) is no longer needed: the trainer holds W(0) X^T and W(0) X_test^T
            ReluNetworkTrainer.TrainingResult full = trainer.train(o.schedule());
            double worst = full.relativeGradientNorm();
            boolean ok = full.converged();
            int[][] top = new int[tests.length][];
            for (int j = 0; j < tests.length; j++) {
                final int jj = j;
                double[] abs = new double[n];
                for (int i = 0; i < n; i++) {
                    abs[i] = Math.abs(scores.exact().get(jj, i));
                }
                top[j] = org.exemplar.linalg.Ranking.topDescending(abs, k);
            }
            // Retrain once per distinct removed point; each retraining serves every test point.
            double[][] looPred = new double[n][];
            for (int j = 0; j < tests.length; j++) {
                for (int i : top[j]) {
                    if (looPred[i] == null) {
                        ReluNetworkTrainer.TrainingResult r = trainer.trainWithout(i, o.schedule());
                        looPred[i] = r.testPredictions();
                        worst = Math.max(worst, r.relativeGradientNorm());
                        ok &= r.converged();
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (int j = 0; j < tests.length; j++) {
                double[] pred = new double[k];
                double[] act = new double[k];
                double base = full.testPredictions()[j] - ySel[j];
                for (int q = 0; q < k; q++) {
                    int i = top[j][q];
                    pred[q] = scores.exact().get(j, i);
                    double loo = looPred[i][j] - ySel[j];
                    act[q] = 0.5 * (loo * loo - base * base);
                }
                Row row = new Row(width, tests[j], top[j], pred, act, Correlation.pearson(pred, act),
                        Correlation.spearman(pred, act), full.testPredictions()[j], scores.predictions()[j], worst,
                        ok, seconds);
                rows.add(row);
                if (progress != null) {
                    progress.accept(row);
                }
            }
        }
        return rows;
    }

    /** Mean of Pearson (index 0) and Spearman (index 1) over the rows of one width. */
    public static double[] meanCorrelations(List<Row> rows, int width) {
        double[] p = rows.stream().filter(r -> r.width() == width).mapToDouble(Row::pearson).toArray();
        double[] s = rows.stream().filter(r -> r.width() == width).mapToDouble(Row::spearman).toArray();
        return new double[] {Arrays.stream(p).average().orElse(Double.NaN),
            Arrays.stream(s).average().orElse(Double.NaN)};
    }
}
