package org.exemplar.response;

import java.util.List;
import java.util.Objects;

import org.exemplar.influence.ModelCurvature;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Curvature;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.solver.BatchSolveResult;
import org.exemplar.solver.InverseHessianSolver;

/**
 * The damped Gauss-Newton influence estimate of removing each of a list of point sets (Bae et al. 2022, eq. 6, and
 * eq. 49: the optimum of the linearized PBRF):
 *
 * <pre>  delta_theta_R = eps (G + lambda I)^{-1} sum_{z in R} grad L_z(theta^s),   G = (1/N) sum_i J_i^T H_y,i J_i + l2 I</pre>
 *
 * with G the Gauss-Newton matrix of {@link ModelCurvature} at theta^s and any {@link InverseHessianSolver}; every
 * right-hand side is solved in one batch (so stochastic solvers see one seeded stream). The removal gradients are
 * vector-Jacobian products, sum_z J_z^T grad_y L_z.
 */
public final class GaussNewtonInfluence {
    private GaussNewtonInfluence() {
    }

    /** The estimates for each removal in {@code removals}, epsilon per removed point. */
    public static InfluenceEstimate estimate(DifferentiableModel atThetaS, TrainingData data, double damping,
                                             SolverChoice choice, List<int[]> removals, double epsilon) {
        Objects.requireNonNull(choice, "solver choice");
        long t0 = System.nanoTime();
        ModelCurvature a = new ModelCurvature(atThetaS, data, Curvature.GAUSS_NEWTON, damping);
        InverseHessianSolver solver = choice.create(a);
        int p = atThetaS.parameterCount();
        DenseMatrix rhs = new DenseMatrix(removals.size(), p);
        for (int r = 0; r < removals.size(); r++) {
            rhs.setRow(r, removalGradient(atThetaS, data, removals.get(r)));
        }
        BatchSolveResult s = solver.prepare(a).solve(rhs);
        DenseMatrix dx = s.solutions().copy().scaleInPlace(epsilon);
        return new InfluenceEstimate(solver.name(), solver.settings(), dx, s, (System.nanoTime() - t0) * 1e-9);
    }

    /** sum_{z in R} grad_theta L_z at the model's parameters, as one vector-Jacobian product. */
    public static double[] removalGradient(DifferentiableModel model, TrainingData data, int[] removed) {
        if (removed.length == 0) {
            return new double[model.parameterCount()];
        }
        DenseMatrix xr = data.features().selectRows(removed);
        DenseMatrix tr = data.targets().selectRows(removed);
        DenseMatrix phi = model.logits(xr);
        int c = phi.cols();
        DenseMatrix cot = new DenseMatrix(removed.length, c);
        for (int r = 0; r < removed.length; r++) {
            data.loss().valueAndGradient(phi.data(), r * c, tr.data(), r * c, cot.data(), r * c, c);
        }
        return model.parameterVjp(xr, cot);
    }
}
