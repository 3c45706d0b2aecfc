package org.exemplar.influence;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;
import org.exemplar.loss.Loss;
import org.exemplar.model.DifferentiableModel;

/**
 * What is measured at a test point: the quantity f_t(theta) whose change the influence estimate predicts
 * (kronfluence's "measurement", separate from the training loss). Built-in: the test {@link #LOSS}, the
 * classification {@link #MARGIN} and a single {@link #logit}.
 */
public interface TestFunction {

    /** Short name for summaries ("loss", "margin", "logit:3"). */
    String name();

    /** f_t(theta) for every test row. */
    double[] values(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss);

    /** Row t: grad_theta f_t(theta), shape (n_test, P). */
    DenseMatrix gradients(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss);

    /** f_t = L(t_t, Phi(x_t)), the test loss. */
    TestFunction LOSS = new TestFunction() {
        @Override
        public String name() {
            return "loss";
        }

        @Override
        public double[] values(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss) {
            DenseMatrix phi = model.logits(x);
            int c = phi.cols();
            double[] out = new double[x.rows()];
            for (int t = 0; t < out.length; t++) {
                out[t] = loss.value(phi.data(), t * c, targets.data(), t * c, c);
            }
            return out;
        }

        @Override
        public DenseMatrix gradients(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss) {
            return model.perExampleGradients(x, targets, loss);
        }
    };

    /**
     * The margin of the true class, a prediction rather than a loss: Phi_y - max_{j != y} Phi_j with y the argmax of
     * the target row (c &gt; 1), or (2y - 1) Phi for one sigmoid output with y = 1 when the target is &gt;= 0.5,
     * or Phi itself for a single real output of a regression. Positive = correctly classified.
     */
    TestFunction MARGIN = new TestFunction() {
        @Override
        public String name() {
            return "margin";
        }

        @Override
        public double[] values(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss) {
            DenseMatrix phi = model.logits(x);
            DenseMatrix u = marginCotangent(phi, targets, loss);
            double[] out = new double[x.rows()];
            int c = phi.cols();
            for (int t = 0; t < out.length; t++) {
                out[t] = Vectors.dot(u.data(), t * c, phi.data(), t * c, c);
            }
            return out;
        }

        @Override
        public DenseMatrix gradients(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss) {
            return linearFunctionalGradients(model, x, marginCotangent(model.logits(x), targets, loss));
        }
    };

    /** f_t = Phi_j(x_t), logit (or real output) j. */
    static TestFunction logit(int j) {
        return new TestFunction() {
            @Override
            public String name() {
                return "logit:" + j;
            }

            @Override
            public double[] values(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss) {
                check(model);
                return model.logits(x).column(j);
            }

            @Override
            public DenseMatrix gradients(DifferentiableModel model, DenseMatrix x, DenseMatrix targets, Loss loss) {
                check(model);
                DenseMatrix u = new DenseMatrix(x.rows(), model.outputWidth());
                for (int t = 0; t < x.rows(); t++) {
                    u.set(t, j, 1.0);
                }
                return linearFunctionalGradients(model, x, u);
            }

            private void check(DifferentiableModel model) {
                if (j < 0 || j >= model.outputWidth()) {
                    throw new IllegalArgumentException("logit " + j + " outside [0, " + model.outputWidth() + ")");
                }
            }
        };
    }

    /** Parses "loss", "margin" or "logit:J". */
    static TestFunction parse(String s) {
        if (s.equalsIgnoreCase("loss")) {
            return LOSS;
        }
        if (s.equalsIgnoreCase("margin")) {
            return MARGIN;
        }
        if (s.toLowerCase(java.util.Locale.ROOT).startsWith("logit:")) {
            try {
                return logit(Integer.parseInt(s.substring(6)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad logit index in '" + s + "'");
            }
        }
        throw new IllegalArgumentException("unknown test function '" + s + "' (expected loss, margin or logit:J)");
    }

    /** Cotangent rows u_t with margin_t = u_t . Phi_t. */
    private static DenseMatrix marginCotangent(DenseMatrix phi, DenseMatrix targets, Loss loss) {
        int n = phi.rows();
        int c = phi.cols();
        DenseMatrix u = new DenseMatrix(n, c);
        for (int t = 0; t < n; t++) {
            if (c == 1) {
                boolean binary = !loss.name().equals("squared");
                u.set(t, 0, binary ? (targets.get(t, 0) >= 0.5 ? 1.0 : -1.0) : 1.0);
                continue;
            }
            int y = Vectors.argmax(targets.data(), t * c, c);
            int best = -1;
            for (int j = 0; j < c; j++) {
                if (j != y && (best < 0 || phi.get(t, j) > phi.get(t, best))) {
                    best = j;
                }
            }
            u.set(t, y, 1.0);
            u.set(t, best, -1.0);
        }
        return u;
    }

    /** Row t: J_t^T u_t, by one batched per-example backward pass with the linear "loss" u . Phi. */
    private static DenseMatrix linearFunctionalGradients(DifferentiableModel model, DenseMatrix x, DenseMatrix u) {
        return model.perExampleGradients(x, u, LinearFunctional.INSTANCE);
    }
}
