package org.exemplar.response;

import java.util.Arrays;
import java.util.Objects;

import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.solver.DifferentiableFunction;

/**
 * The objectives of Bae et al. 2022, Table 1, for removing the training points R with weight epsilon each, over
 * the training objective J(theta) = (1/N) sum_i L_i(theta) + (l2/2) ||theta||^2 of {@link TrainingData}:
 *
 * <pre>
 *  RETRAINING           J(theta) - eps sum_{z in R} L_z(theta)                                       (eq. 2)
 *  PROXIMAL             J(theta) - eps sum_z L_z(theta) + (lambda/2) ||theta - theta^s||^2             (eq. 7)
 *  BREGMAN (PBRF)       (1/N) sum_i D_L(f(theta, x_i), y_i^s) + ((l2 + lambda)/2) ||theta - theta^s||^2
 *                         - eps sum_z L_z(theta),
 *                       D_L(y, y^s) = L(y, t_i) - L(y^s, t_i) - grad_y L(y^s, t_i)^T (y - y^s)          (eq. 8, 9)
 *  LINEARIZED_BREGMAN   (1/2) d^T (G + lambda I) d - eps (sum_z grad L_z(theta^s))^T d,  d = theta - theta^s,
 *                       G = (1/N) sum_i J_i^T H_y,i J_i + l2 I at theta^s                                (eq. 11, 47)
 * </pre>
 *
 * The l2 term of J is part of the loss (paper, Sec. 3), so its Bregman divergence is (l2/2)||theta - theta^s||^2.
 * The linearized objective uses the second-order expansion of L with the factor 1/2 (eq. 12 prints it without;
 * eq. 48's gradient J^T H J (theta - theta^s) needs it), so its unique optimum is
 * theta^s + eps (G + lambda I)^{-1} sum_z grad L_z(theta^s), the damped Gauss-Newton influence estimate (eq. 49).
 *
 * <p>{@link #valueAndGradient} is the full-batch objective (for L-BFGS and the reported final gradient norm);
 * {@link #batchGradient} its mini-batch estimate for SGD. Retraining objectives weight the removed points
 * 1 - eps N inside the batch they fall in (0 for eps = 1/N) and divide by the full batch size; Bregman objectives
 * add the removal term in every step (see the package documentation). The PBRF gradient is a vector-Jacobian
 * product with the output-space cotangent grad_y L(y, t_i) - grad_y L(y^s, t_i): J is never formed.
 *
 * <p>Not thread-safe: it owns a working copy of the model whose parameters it overwrites.
 */
public final class ResponseObjective implements DifferentiableFunction {

    /** Which objective of Table 1. */
    public enum Form { RETRAINING, PROXIMAL, BREGMAN, LINEARIZED_BREGMAN }

    private final Form form;
    private final DifferentiableModel model;
    private final TrainingData data;
    private final int[] removed;
    private final double epsilon;
    private final double damping;
    private final double[] anchor;
    private final double[] weights;
    private final DenseMatrix anchorOutputs;
    private final DenseMatrix anchorOutputGradients;
    private final DenseMatrix removedX;
    private final DenseMatrix removedT;
    private final double[] removalGradientAtAnchor;

    private ResponseObjective(Form form, DifferentiableModel model, TrainingData data, int[] removed, double epsilon,
                              double damping, double[] anchor) {
        this.form = Objects.requireNonNull(form, "form");
        this.data = Objects.requireNonNull(data, "data");
        this.model = model.copy();
        int n = data.size();
        if (model.inputWidth() != data.features().cols() || model.outputWidth() != data.targets().cols()) {
            throw new IllegalArgumentException("model (" + model.inputWidth() + " inputs, " + model.outputWidth()
                    + " outputs) does not match the data " + data.features().shapeString() + " / "
                    + data.targets().shapeString());
        }
        this.removed = removed.clone();
        for (int z : this.removed) {
            if (z < 0 || z >= n) {
                throw new IllegalArgumentException("removed index " + z + " outside [0, " + n + ")");
            }
        }
        if (!Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite, got " + epsilon);
        }
        if (!(damping >= 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("damping must be finite and >= 0, got " + damping);
        }
        this.epsilon = epsilon;
        this.damping = damping;
        this.anchor = anchor == null ? null : anchor.clone();
        if (form != Form.RETRAINING && (anchor == null || anchor.length != model.parameterCount())) {
            throw new IllegalArgumentException(form + " needs theta^s of length " + model.parameterCount());
        }
        this.weights = new double[n];
        Arrays.fill(weights, 1.0);
        for (int z : this.removed) {
            weights[z] -= epsilon * n;
        }
        this.removedX = data.features().selectRows(this.removed);
        this.removedT = data.targets().selectRows(this.removed);
        if (form == Form.BREGMAN || form == Form.LINEARIZED_BREGMAN) {
            this.model.setParameters(this.anchor);
            this.anchorOutputs = this.model.logits(data.features());
            this.anchorOutputGradients = outputGradients(anchorOutputs, data.targets());
            if (form == Form.LINEARIZED_BREGMAN) {
                double[] g = this.removed.length == 0 ? new double[model.parameterCount()]
                        : this.model.parameterVjp(removedX, outputGradients(this.model.logits(removedX), removedT));
                this.removalGradientAtAnchor = g;
            } else {
                this.removalGradientAtAnchor = null;
            }
        } else {
            this.anchorOutputs = null;
            this.anchorOutputGradients = null;
            this.removalGradientAtAnchor = null;
        }
    }

    /** J - eps sum_{z in R} L_z (eq. 2); eps = 1/N removes the points. */
    public static ResponseObjective retraining(DifferentiableModel model, TrainingData data, int[] removed,
                                               double epsilon) {
        return new ResponseObjective(Form.RETRAINING, model, data, removed, epsilon, 0.0, null);
    }

    /** J - eps sum_z L_z + (lambda/2) ||theta - theta^s||^2 (eq. 7). */
    public static ResponseObjective proximal(DifferentiableModel model, TrainingData data, int[] removed,
                                             double epsilon, double damping, double[] thetaS) {
        return new ResponseObjective(Form.PROXIMAL, model, data, removed, epsilon, damping, thetaS);
    }

    /** The PBRF objective (eq. 8) around theta^s. */
    public static ResponseObjective bregman(DifferentiableModel model, TrainingData data, int[] removed,
                                            double epsilon, double damping, double[] thetaS) {
        return new ResponseObjective(Form.BREGMAN, model, data, removed, epsilon, damping, thetaS);
    }

    /** The linearized PBRF objective (eq. 11) around theta^s. */
    public static ResponseObjective linearizedBregman(DifferentiableModel model, TrainingData data, int[] removed,
                                                      double epsilon, double damping, double[] thetaS) {
        return new ResponseObjective(Form.LINEARIZED_BREGMAN, model, data, removed, epsilon, damping, thetaS);
    }

    public Form form() {
        return form;
    }

    /** The removed training indices R. */
    public int[] removed() {
        return removed.clone();
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public int dim() {
        return model.parameterCount();
    }

    /** The full-batch objective and its gradient at theta. */
    @Override
    public double valueAndGradient(double[] theta, double[] grad) {
        int n = data.size();
        double l2 = data.l2();
        double value;
        switch (form) {
            case RETRAINING, PROXIMAL -> {
                model.setParameters(theta);
                DenseMatrix phi = model.logits(data.features());
                DenseMatrix cot = new DenseMatrix(n, phi.cols());
                value = weightedLoss(phi, data.targets(), allRows(n), 1.0 / n, cot);
                double[] g = model.parameterVjp(data.features(), cot);
                double sq = 0;
                for (int k = 0; k < g.length; k++) {
                    g[k] += l2 * theta[k];
                    sq += theta[k] * theta[k];
                }
                value += 0.5 * l2 * sq;
                if (form == Form.PROXIMAL) {
                    value += proximalTerm(theta, damping, g);
                }
                System.arraycopy(g, 0, grad, 0, g.length);
            }
            case BREGMAN -> {
                model.setParameters(theta);
                DenseMatrix phi = model.logits(data.features());
                DenseMatrix cot = new DenseMatrix(n, phi.cols());
                value = bregmanRows(phi, allRows(n), 1.0 / n, cot);
                double[] g = model.parameterVjp(data.features(), cot);
                value += proximalTerm(theta, l2 + damping, g);
                value -= removalTerm(g);
                System.arraycopy(g, 0, grad, 0, g.length);
            }
            case LINEARIZED_BREGMAN -> {
                double[] d = minus(theta, anchor);
                model.setParameters(anchor);
                double[] gd = model.gaussNewtonVectorProduct(data.features(), data.targets(), data.loss(), l2, d);
                value = 0;
                for (int k = 0; k < d.length; k++) {
                    gd[k] += damping * d[k];
                    value += d[k] * (0.5 * gd[k] - epsilon * removalGradientAtAnchor[k]);
                    grad[k] = gd[k] - epsilon * removalGradientAtAnchor[k];
                }
            }
            default -> throw new IllegalStateException(form.toString());
        }
        return value;
    }

    /**
     * The mini-batch estimate of the gradient at theta over the training rows {@code batch} (the mean over the
     * batch divided by its full size), written into {@code grad}.
     */
    public void batchGradient(double[] theta, int[] batch, double[] grad) {
        int b = batch.length;
        double l2 = data.l2();
        DenseMatrix xb = data.features().selectRows(batch);
        switch (form) {
            case RETRAINING, PROXIMAL -> {
                model.setParameters(theta);
                DenseMatrix phi = model.logits(xb);
                DenseMatrix cot = new DenseMatrix(b, phi.cols());
                weightedLoss(phi, data.targets(), batch, 1.0 / b, cot);
                double[] g = model.parameterVjp(xb, cot);
                for (int k = 0; k < g.length; k++) {
                    g[k] += l2 * theta[k];
                }
                if (form == Form.PROXIMAL) {
                    proximalTerm(theta, damping, g);
                }
                System.arraycopy(g, 0, grad, 0, g.length);
            }
            case BREGMAN -> {
                model.setParameters(theta);
                DenseMatrix phi = model.logits(xb);
                DenseMatrix cot = new DenseMatrix(b, phi.cols());
                bregmanRows(phi, batch, 1.0 / b, cot);
                double[] g = model.parameterVjp(xb, cot);
                proximalTerm(theta, l2 + damping, g);
                removalTerm(g);
                System.arraycopy(g, 0, grad, 0, g.length);
            }
            case LINEARIZED_BREGMAN -> {
                double[] d = minus(theta, anchor);
                model.setParameters(anchor);
                double[] gd = model.gaussNewtonVectorProduct(xb, data.targets().selectRows(batch), data.loss(), l2, d);
                for (int k = 0; k < d.length; k++) {
                    grad[k] = gd[k] + damping * d[k] - epsilon * removalGradientAtAnchor[k];
                }
            }
            default -> throw new IllegalStateException(form.toString());
        }
    }

    /**
     * The Bregman divergence term alone, (1/N) sum_i D_L(f(theta, x_i), f(theta^s, x_i)) (eq. 9), and its gradient
     * (1/N) sum_i J_i^T (grad_y L(y_i) - grad_y L(y_i^s)) into {@code grad}; zero with zero gradient at theta^s.
     *
     * @throws IllegalStateException unless the form is {@link Form#BREGMAN}
     */
    public double bregmanDivergence(double[] theta, double[] grad) {
        if (form != Form.BREGMAN) {
            throw new IllegalStateException("the Bregman divergence belongs to the PBRF objective, not " + form);
        }
        int n = data.size();
        model.setParameters(theta);
        DenseMatrix phi = model.logits(data.features());
        DenseMatrix cot = new DenseMatrix(n, phi.cols());
        double v = bregmanRows(phi, allRows(n), 1.0 / n, cot);
        double[] g = model.parameterVjp(data.features(), cot);
        System.arraycopy(g, 0, grad, 0, g.length);
        return v;
    }

    // ------------------------------------------------------------------ pieces

    /** sum over rows r of w_{rows[r]} L(t_{rows[r]}, phi_r) * scale; cot row r = scale w dL/dphi. */
    private double weightedLoss(DenseMatrix phi, DenseMatrix targets, int[] rows, double scale, DenseMatrix cot) {
        int c = phi.cols();
        double[] p = phi.data();
        double[] t = targets.data();
        double[] g = cot.data();
        double sum = 0;
        for (int r = 0; r < rows.length; r++) {
            int i = rows[r];
            double w = weights[i];
            double li = data.loss().valueAndGradient(p, r * c, t, i * c, g, r * c, c);
            double s = scale * w;
            for (int j = 0; j < c; j++) {
                g[r * c + j] *= s;
            }
            sum += s * li;
        }
        return sum;
    }

    /** scale * sum_r D_L(phi_r, y^s_{rows[r]}); cot row r = scale (grad L(phi_r) - grad L(y^s)). */
    private double bregmanRows(DenseMatrix phi, int[] rows, double scale, DenseMatrix cot) {
        int c = phi.cols();
        double[] p = phi.data();
        double[] t = data.targets().data();
        double[] ys = anchorOutputs.data();
        double[] gs = anchorOutputGradients.data();
        double[] g = cot.data();
        double sum = 0;
        for (int r = 0; r < rows.length; r++) {
            int i = rows[r];
            double li = data.loss().valueAndGradient(p, r * c, t, i * c, g, r * c, c);
            double ls = data.loss().value(ys, i * c, t, i * c, c);
            double lin = 0;
            for (int j = 0; j < c; j++) {
                lin += gs[i * c + j] * (p[r * c + j] - ys[i * c + j]);
                g[r * c + j] = scale * (g[r * c + j] - gs[i * c + j]);
            }
            sum += scale * (li - ls - lin);
        }
        return sum;
    }

    /** Adds mu (theta - theta^s) to g and returns (mu/2) ||theta - theta^s||^2. */
    private double proximalTerm(double[] theta, double mu, double[] g) {
        double sq = 0;
        for (int k = 0; k < g.length; k++) {
            double d = theta[k] - anchor[k];
            g[k] += mu * d;
            sq += d * d;
        }
        return 0.5 * mu * sq;
    }

    /**
     * Subtracts eps sum_z grad L_z(theta) from g (the model holds theta) and returns eps sum_z L_z(theta).
     */
    private double removalTerm(double[] g) {
        if (removed.length == 0 || epsilon == 0) {
            return 0.0;
        }
        DenseMatrix phi = model.logits(removedX);
        int c = phi.cols();
        DenseMatrix cot = new DenseMatrix(removed.length, c);
        double[] p = phi.data();
        double[] t = removedT.data();
        double[] gd = cot.data();
        double sum = 0;
        for (int r = 0; r < removed.length; r++) {
            sum += data.loss().valueAndGradient(p, r * c, t, r * c, gd, r * c, c);
        }
        double[] v = model.parameterVjp(removedX, cot);
        for (int k = 0; k < g.length; k++) {
            g[k] -= epsilon * v[k];
        }
        return epsilon * sum;
    }

    /** Row i: grad_y L(t_i, phi_i). */
    private DenseMatrix outputGradients(DenseMatrix phi, DenseMatrix targets) {
        int c = phi.cols();
        DenseMatrix g = new DenseMatrix(phi.rows(), c);
        for (int r = 0; r < phi.rows(); r++) {
            data.loss().valueAndGradient(phi.data(), r * c, targets.data(), r * c, g.data(), r * c, c);
        }
        return g;
    }

    private static int[] allRows(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            d[k] = a[k] - b[k];
        }
        return d;
    }
}
