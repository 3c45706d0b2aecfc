package org.exemplar.solver;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.LinearOperator;

/**
 * The symmetric operator A = H + damping I (or G + damping I) that an {@link InverseHessianSolver} inverts,
 * with the two extras some solvers need: a mini-batch estimate (LiSSA) and the explicit matrix (the exact
 * solver). The damping is part of the operator, so every solver sees the same A.
 */
public interface CurvatureOperator extends LinearOperator {

    /**
     * An unbiased mini-batch estimate A_B = H_B + damping I over {@code batchSize} examples drawn without
     * replacement with {@code random}; the default (an operator that is not a sum over examples) is A itself.
     */
    default LinearOperator sample(int batchSize, SplittableRandom random) {
        return this;
    }

    /** The explicit dim x dim matrix; the default applies A to every unit vector and symmetrizes. */
    default DenseMatrix toDense() {
        int p = dim();
        DenseMatrix a = new DenseMatrix(p, p);
        double[] e = new double[p];
        double[] col = new double[p];
        for (int k = 0; k < p; k++) {
            e[k] = 1.0;
            apply(e, col);
            e[k] = 0.0;
            for (int r = 0; r < p; r++) {
                a.set(r, k, col[r]);
            }
        }
        for (int r = 0; r < p; r++) {
            for (int k = r + 1; k < p; k++) {
                double v = 0.5 * (a.get(r, k) + a.get(k, r));
                a.set(r, k, v);
                a.set(k, r, v);
            }
        }
        return a;
    }

    /** A given symmetric matrix as an operator (no mini-batches). */
    static CurvatureOperator of(DenseMatrix a) {
        LinearOperator op = LinearOperator.of(a);
        return new CurvatureOperator() {
            @Override
            public int dim() {
                return op.dim();
            }

            @Override
            public void apply(double[] x, double[] y) {
                op.apply(x, y);
            }

            @Override
            public DenseMatrix toDense() {
                return a.copy();
            }
        };
    }
}
