package org.exemplar.influence;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.representer.InspectionRanking;
import org.exemplar.representer.RepresenterPoints;
import org.exemplar.solver.ExactSolver;

/**
 * The "influence" order of Yeh et al. 2018, Fig. 2 (after Koh &amp; Liang 2017, Sec. 5.4): training points by
 * decreasing self-influence I(i, i) = (1/n) grad L_i^T H^{-1} grad L_i of the model the ranking is shown (the
 * eq. (3) fit on the noisy labels), computed from that model itself by {@link InfluenceFunctions} with the exact
 * Hessian and no damping. Unlike {@link SelfInfluenceRanking}, which ranks precomputed values, this ordering
 * recomputes them for every model it sees, so it can run inside a repeated experiment.
 *
 * <p>Mapping to the influence package's objective: eq. (3) on features [x | 1],
 * (1/n) sum_i L + lambda ||Theta||^2, is the linear model W x + b of {@link LinearModels} with l2 = 2 lambda (its
 * penalty is (l2/2)(||W||^2 + ||b||^2)), the weight of the ones column being the bias b. The features must
 * therefore end with a column of ones.
 */
public final class SelfInfluenceInspection implements InspectionRanking {

    @Override
    public String name() {
        return "influence (self)";
    }

    @Override
    public int[] order(Context context) {
        return InspectionRanking.descending(values(context));
    }

    /** Self-influence of every training point of the context's fitted model (one per training row). */
    public static double[] values(Context context) {
        RepresenterPoints rp = context.points();
        DenseMatrix f = context.features();
        int n = f.rows();
        int p = f.cols();
        for (int i = 0; i < n; i++) {
            if (f.get(i, p - 1) != 1.0) {
                throw new IllegalArgumentException("self-influence inspection needs features ending with a ones "
                        + "column (the bias of eq. 3); row " + i + " has " + f.get(i, p - 1) + " there");
            }
        }
        DenseMatrix theta = rp.theta();
        int c = theta.rows();
        DenseMatrix x = new DenseMatrix(n, p - 1);
        for (int i = 0; i < n; i++) {
            System.arraycopy(f.data(), i * p, x.data(), i * (p - 1), p - 1);
        }
        Mlp model = LinearModels.zeros(p - 1, c);
        double[] params = new double[c * p];
        for (int r = 0; r < c; r++) {
            System.arraycopy(theta.data(), r * p, params, r * (p - 1), p - 1);
            params[c * (p - 1) + r] = theta.get(r, p - 1);
        }
        model.setParameters(params);
        TrainingData data = new TrainingData(x, context.targets(), context.loss(), 2 * rp.lambda());
        SelfInfluence self = InfluenceFunctions.prepare(model, data, InfluenceOptions.of(Curvature.HESSIAN, 0.0),
                new ExactSolver()).selfInfluence(null);
        return self.values();
    }
}
