package org.exemplar.model;

import java.util.Locale;

/**
 * Element-wise hidden-layer activation functions sigma(z) of an {@link Mlp}, with their first and second
 * derivatives. All derivatives are expressed from the <b>pre-activation</b> z (not from sigma(z)), so a
 * backward pass only needs the cached pre-activations.
 *
 * <p>Second derivatives are used by the exact Hessian-vector product ({@link Mlp#hessianVectorProduct}); for
 * {@link #RELU} and {@link #IDENTITY} they are zero (almost everywhere for ReLU), for {@link #TANH},
 * {@link #SIGMOID} and {@link #SOFTPLUS} they are not. At the ReLU kink z = 0 the derivative is taken as 0
 * (the PyTorch convention).
 */
public enum Activation {
    /** max(z, 0). */
    RELU,
    /** tanh(z). */
    TANH,
    /** The logistic function 1 / (1 + e^{-z}), evaluated without overflow. */
    SIGMOID,
    /** log(1 + e^z), evaluated stably for large |z| (it equals z + log1p(e^{-z}) for z &gt; 0). */
    SOFTPLUS,
    /** z (a linear layer). */
    IDENTITY;

    /** The lower-case name used on the command line and in files ("relu", "tanh", ...). */
    public String externalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a name as written by {@link #externalName()}; case is ignored and "linear" is accepted for
     * {@link #IDENTITY}.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is unknown
     */
    public static Activation fromName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("activation name is null (expected relu, tanh, sigmoid, softplus or identity)");
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "relu" -> RELU;
            case "tanh" -> TANH;
            case "sigmoid", "logistic" -> SIGMOID;
            case "softplus" -> SOFTPLUS;
            case "identity", "linear" -> IDENTITY;
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "' (expected relu, tanh, sigmoid, softplus or identity)");
        };
    }

    /** sigma(z). */
    public double apply(double z) {
        return switch (this) {
            case RELU -> z > 0 ? z : 0.0;
            case TANH -> Math.tanh(z);
            case SIGMOID -> sigmoid(z);
            case SOFTPLUS -> softplus(z);
            case IDENTITY -> z;
        };
    }

    /** sigma'(z), from the pre-activation z. */
    public double derivative(double z) {
        return switch (this) {
            case RELU -> z > 0 ? 1.0 : 0.0;
            case TANH -> {
                double t = Math.tanh(z);
                yield 1.0 - t * t;
            }
            case SIGMOID -> {
                double s = sigmoid(z);
                yield s * (1.0 - s);
            }
            case SOFTPLUS -> sigmoid(z);
            case IDENTITY -> 1.0;
        };
    }

    /** sigma''(z), from the pre-activation z (0 for ReLU away from the kink and for the identity). */
    public double secondDerivative(double z) {
        return switch (this) {
            case RELU, IDENTITY -> 0.0;
            case TANH -> {
                double t = Math.tanh(z);
                yield -2.0 * t * (1.0 - t * t);
            }
            case SIGMOID -> {
                double s = sigmoid(z);
                yield s * (1.0 - s) * (1.0 - 2.0 * s);
            }
            case SOFTPLUS -> {
                double s = sigmoid(z);
                yield s * (1.0 - s);
            }
        };
    }

    /** Whether this activation has a nonzero second derivative somewhere off its kinks. */
    public boolean isCurved() {
        return this == TANH || this == SIGMOID || this == SOFTPLUS;
    }

    /** out[i] := sigma(z[i]) (out may be z). */
    void applyAll(double[] z, double[] out) {
        int n = z.length;
        switch (this) {
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    double v = z[i];
                    out[i] = v > 0 ? v : 0.0;
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.tanh(z[i]);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    out[i] = sigmoid(z[i]);
                }
            }
            case SOFTPLUS -> {
                for (int i = 0; i < n; i++) {
                    out[i] = softplus(z[i]);
                }
            }
            case IDENTITY -> {
                if (out != z) {
                    System.arraycopy(z, 0, out, 0, n);
                }
            }
        }
    }

    /** g[i] := g[i] * sigma'(z[i]), the backward step through this activation. */
    void multiplyByDerivative(double[] z, double[] g) {
        int n = z.length;
        switch (this) {
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    if (!(z[i] > 0)) {
                        g[i] = 0.0;
                    }
                }
            }
            case IDENTITY -> {
                // sigma' = 1
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    g[i] *= derivative(z[i]);
                }
            }
        }
    }

    static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }
}
