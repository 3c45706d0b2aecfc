package org.exemplar.response;

import java.util.Locale;

/** The ablations of Bae et al. 2022, Sec. 6.2 / App. E.4: what a {@link PbrfSweep} varies. */
public enum SweepParameter {
    /** Width of every hidden layer (MLPs built here only). */
    WIDTH("width"),
    /** Number of hidden layers, each as wide as the first (MLPs built here only). */
    DEPTH("depth"),
    /** K, base training epochs (responses K/2). */
    EPOCHS("epochs"),
    /** Weight decay of J. */
    L2("l2"),
    /** lambda of the proximal terms and of G + lambda I. */
    DAMPING("damping"),
    /** Fraction of the training set removed per removal (groups). */
    REMOVED_FRACTION("removed_fraction");

    private final String externalName;

    SweepParameter(String externalName) {
        this.externalName = externalName;
    }

    public String externalName() {
        return externalName;
    }

    /** Whether the values are integers. */
    public boolean integral() {
        return this == WIDTH || this == DEPTH || this == EPOCHS;
    }

    public static SweepParameter parse(String s) {
        String k = s.toLowerCase(Locale.ROOT).replace('-', '_');
        if (k.equals("fraction") || k.equals("removed")) {
            return REMOVED_FRACTION;
        }
        if (k.equals("weight_decay")) {
            return L2;
        }
        for (SweepParameter p : values()) {
            if (p.externalName.equals(k)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown sweep parameter '" + s + "' (expected width, depth, epochs, l2, "
                + "damping or removed_fraction)");
    }
}
