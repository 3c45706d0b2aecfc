package org.exemplar.cf;

/**
 * Point-wise losses l(y, s) of a predicted score s = &lt;U_i, V_j&gt; (eq. 16), with l' = dl/ds and l'' = d^2l/ds^2.
 */
public enum CfLoss {
    /** l = (s - y)^2 / 2, l' = s - y, l'' = 1 (explicit ratings). */
    SQUARED {
        @Override
        public double value(double y, double s) {
            double r = s - y;
            return 0.5 * r * r;
        }

        @Override
        public double derivative(double y, double s) {
            return s - y;
        }

        @Override
        public double second(double y, double s) {
            return 1.0;
        }
    },
    /**
     * Binary cross-entropy on the logit, y in {0, 1}: l = log(1 + e^s) - y s, l' = sigma(s) - y,
     * l'' = sigma(s)(1 - sigma(s)) (implicit feedback, App. C).
     */
    LOGISTIC {
        @Override
        public double value(double y, double s) {
            double softplus = s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
            return softplus - y * s;
        }

        @Override
        public double derivative(double y, double s) {
            return sigmoid(s) - y;
        }

        @Override
        public double second(double y, double s) {
            double p = sigmoid(s);
            return p * (1 - p);
        }
    };

    public abstract double value(double y, double s);

    public abstract double derivative(double y, double s);

    public abstract double second(double y, double s);

    public static double sigmoid(double s) {
        return s >= 0 ? 1.0 / (1.0 + Math.exp(-s)) : Math.exp(s) / (1.0 + Math.exp(s));
    }

    /** "squared" | "logistic" (also "mse", "bce"). */
    public static CfLoss named(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "squared", "square", "mse" -> SQUARED;
            case "logistic", "bce", "sigmoid" -> LOGISTIC;
            default -> throw new IllegalArgumentException("unknown CF loss '" + name + "' (squared | logistic)");
        };
    }
}
