package org.exemplar.influence;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.LinearOperator;
import org.exemplar.model.Curvature;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.ExplicitCurvature;
import org.exemplar.model.Mlp;
import org.exemplar.model.LinearModels;
import org.exemplar.solver.CurvatureOperator;

/**
 * A = C + damping I for C the Hessian or the Gauss-Newton matrix of the training objective at the model's current
 * parameters (the model is copied; later changes to the caller's model do not affect the operator). Applying A
 * costs one exact curvature-vector product over the whole training set; {@link #sample} gives the mini-batch
 * estimate C_B + damping I = (1/|B|) sum_{i in B} C_i + l2 I + damping I that LiSSA uses.
 */
public final class ModelCurvature implements CurvatureOperator {
    private final DifferentiableModel model;
    private final TrainingData data;
    private final Curvature curvature;
    private final double damping;

    public ModelCurvature(DifferentiableModel model, TrainingData data, Curvature curvature, double damping) {
        if (!(damping >= 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("damping must be finite and >= 0, got " + damping);
        }
        if (data.features().cols() != model.inputWidth()) {
            throw new IllegalArgumentException("training features have " + data.features().cols()
                    + " columns but the model expects " + model.inputWidth());
        }
        if (data.targets().cols() != model.outputWidth()) {
            throw new IllegalArgumentException("training targets have " + data.targets().cols()
                    + " columns but the model has " + model.outputWidth() + " outputs");
        }
        this.model = model.copy();
        this.data = data;
        this.curvature = curvature;
        this.damping = damping;
    }

    public Curvature curvature() {
        return curvature;
    }

    public double damping() {
        return damping;
    }

    @Override
    public int dim() {
        return model.parameterCount();
    }

    @Override
    public void apply(double[] x, double[] y) {
        applyOn(data.features(), data.targets(), x, y);
    }

    private void applyOn(DenseMatrix xs, DenseMatrix ts, double[] v, double[] y) {
        double[] cv = model.curvatureVectorProduct(curvature, xs, ts, data.loss(), data.l2(), v);
        for (int k = 0; k < cv.length; k++) {
            y[k] = cv[k] + damping * v[k];
        }
    }

    @Override
    public LinearOperator sample(int batchSize, SplittableRandom random) {
        int n = data.size();
        if (batchSize >= n) {
            return this;
        }
        // partial Fisher-Yates: the first batchSize entries of a random permutation (without replacement)
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < batchSize; i++) {
            int j = i + random.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] rows = java.util.Arrays.copyOf(idx, batchSize);
        DenseMatrix xs = data.features().selectRows(rows);
        DenseMatrix ts = data.targets().selectRows(rows);
        int p = dim();
        return new LinearOperator() {
            @Override
            public int dim() {
                return p;
            }

            @Override
            public void apply(double[] x, double[] y) {
                applyOn(xs, ts, x, y);
            }
        };
    }

    /**
     * The explicit matrix: assembled analytically for a model without hidden layers (where H = G), column by
     * column from exact products otherwise ({@link ExplicitCurvature}).
     */
    @Override
    public DenseMatrix toDense() {
        DenseMatrix a = LinearModels.isLinear(model)
                ? ExplicitCurvature.linearModel((Mlp) model, data.features(), data.targets(), data.loss(), data.l2())
                : ExplicitCurvature.byColumns(model, data.features(), data.targets(), data.loss(), data.l2(),
                curvature);
        for (int k = 0; k < a.rows(); k++) {
            a.add(k, k, damping);
        }
        return a;
    }
}
