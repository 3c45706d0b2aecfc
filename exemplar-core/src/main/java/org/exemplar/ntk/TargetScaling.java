package org.exemplar.ntk;

/**
 * The affine target map y -> (y - center) / halfRange that sends the training targets' range [min, max] onto
 * [-1, 1], as the NTK theory assumes |y| &lt;= 1. Reversible: {@link #invert} maps predictions back. Influence
 * computed on scaled targets is in scaled squared-loss units; multiply by {@code halfRange^2} for the original
 * units ({@link #influenceToOriginalUnits}).
 *
 * @param center    (max + min) / 2 of the training targets
 * @param halfRange (max - min) / 2, or 1 when all targets are equal
 */
public record TargetScaling(double center, double halfRange) {

    public TargetScaling {
        if (!(halfRange > 0) || !Double.isFinite(halfRange) || !Double.isFinite(center)) {
            throw new IllegalArgumentException("halfRange must be finite and > 0, center finite; got center "
                    + center + ", halfRange " + halfRange);
        }
    }

    /** The identity map (targets already in [-1, 1]). */
    public static TargetScaling identity() {
        return new TargetScaling(0.0, 1.0);
    }

    /** The map sending [min(y), max(y)] onto [-1, 1]. */
    public static TargetScaling fit(double[] y) {
        if (y.length == 0) {
            throw new IllegalArgumentException("no targets");
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double half = (hi - lo) / 2;
        return new TargetScaling((hi + lo) / 2, half > 0 ? half : 1.0);
    }

    public double[] apply(double[] y) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (y[i] - center) / halfRange;
        }
        return out;
    }

    public double[] invert(double[] scaled) {
        double[] out = new double[scaled.length];
        for (int i = 0; i < scaled.length; i++) {
            out[i] = scaled[i] * halfRange + center;
        }
        return out;
    }

    /** Scaled-unit influence (a difference of half squared errors) in the original target units. */
    public double influenceToOriginalUnits(double influence) {
        return influence * halfRange * halfRange;
    }

    /** The first index with |y| > 1 + tol, or -1. */
    public static int firstOutsideUnitInterval(double[] y, double tol) {
        for (int i = 0; i < y.length; i++) {
            if (!(Math.abs(y[i]) <= 1 + tol)) {
                return i;
            }
        }
        return -1;
    }
}
