package org.exemplar.model;

import java.util.Objects;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.solver.TwiceDifferentiableFunction;

/**
 * A {@link DifferentiableModel}'s training objective as a function of its flat parameters, for the optimizers in
 * {@code org.exemplar.solver}:
 *
 * <pre>  J(theta) = s (1/m) sum_{i in rows} L(t_i, Phi(x_i; theta)) + (l2/2) ||theta||^2</pre>
 *
 * where m is the number of rows given and s the {@code lossScale} (1 for the ordinary objective). Leave-one-out
 * retraining that keeps the full data set's 1/n passes the n - 1 remaining rows with s = (n - 1)/n, so that
 * J_{-i}(theta) = J(theta) - (1/n) L_i(theta) exactly (Bae et al. 2022, Table 1 with epsilon = 1/N).
 *
 * <p>Evaluations run on a private copy of the model, so the caller's model is never changed.
 */
public final class ModelObjective implements TwiceDifferentiableFunction {
    private final DifferentiableModel model;
    private final DenseMatrix x;
    private final DenseMatrix targets;
    private final Loss loss;
    private final double l2;
    private final double lossScale;

    public ModelObjective(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss, double l2,
                          double lossScale) {
        this.model = Objects.requireNonNull(model, "model").copy();
        this.x = Objects.requireNonNull(x, "x");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.loss = Objects.requireNonNull(loss, "loss");
        if (!(l2 >= 0) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
        }
        if (!(lossScale > 0) || !Double.isFinite(lossScale)) {
            throw new IllegalArgumentException("loss scale must be finite and > 0, got " + lossScale);
        }
        if (x.rows() == 0 || x.cols() != model.inputWidth() || targets.rows() != x.rows()
                || targets.cols() != model.outputWidth()) {
            throw new IllegalArgumentException("inputs " + x.shapeString() + " and targets " + targets.shapeString()
                    + " do not fit a model with " + model.inputWidth() + " inputs and " + model.outputWidth()
                    + " outputs (or there are no rows)");
        }
        this.l2 = l2;
        this.lossScale = lossScale;
    }

    /** The ordinary objective (loss scale 1). */
    public ModelObjective(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss, double l2) {
        this(model, x, targets, loss, l2, 1.0);
    }

    @Override
    public int dim() {
        return model.parameterCount();
    }

    @Override
    public double valueAndGradient(double[] theta, double[] grad) {
        model.setParameters(theta);
        double[] g;
        double value;
        if (model instanceof Mlp mlp) {
            // one forward and backward pass for both the value and the gradient
            double[][] blocks = new double[2 * mlp.layerCount()][];
            value = lossScale * mlp.lossAndGradientBlocks(x, targets, loss, 1.0 / x.rows(), blocks) / x.rows();
            g = new double[theta.length];
            int off = 0;
            for (double[] b : blocks) {
                System.arraycopy(b, 0, g, off, b.length);
                off += b.length;
            }
        } else {
            g = model.gradient(x, targets, loss, 0.0);
            value = lossScale * model.meanLoss(x, targets, loss);
        }
        double sq = 0;
        for (int k = 0; k < g.length; k++) {
            grad[k] = lossScale * g[k] + l2 * theta[k];
            sq += theta[k] * theta[k];
        }
        return value + 0.5 * l2 * sq;
    }

    @Override
    public void hessianVector(double[] theta, double[] v, double[] out) {
        model.setParameters(theta);
        double[] hv = model.hessianVectorProduct(x, targets, loss, 0.0, v);
        for (int k = 0; k < hv.length; k++) {
            out[k] = lossScale * hv[k] + l2 * v[k];
        }
    }

    public double l2() {
        return l2;
    }

    public double lossScale() {
        return lossScale;
    }

    /** A copy of the model with parameters theta. */
    public DifferentiableModel modelAt(double[] theta) {
        DifferentiableModel m = model.copy();
        m.setParameters(theta);
        return m;
    }
}
