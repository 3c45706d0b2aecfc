package org.exemplar.attribution;

import java.util.Objects;

/**
 * What a score means, carried by every result: which scalar output is explained, which quantity the method computes
 * natively (its <em>raw</em> quantity), and the factor that maps the raw quantity into the package's one sign
 * convention: {@code score = rawFactor * raw}. Orientation is always rows = test points, columns = training points.
 *
 * <p>The convention (see the package documentation): a <b>positive</b> score means training point i
 * <b>supports</b> the explained output of test point t, that is, removing i is predicted to <b>lower</b> it.
 *
 * @param method    the attributor's name ("rps-l2", "influence", ...)
 * @param explained the explained scalar output g_t, e.g. "logit of the predicted class", "-loss", "margin"
 * @param raw       the method's own quantity, with its paper equation
 * @param rawFactor score = rawFactor * raw (non-zero; +1, -1 or a positive scale)
 * @param units     units and scale of the score, e.g. "logit units; carries 1/n"
 */
public record Convention(String method, String explained, String raw, double rawFactor, String units) {
    /** Rows = test points, columns = training points, in every score matrix and block. */
    public static final String ORIENTATION = "rows = test points, columns = training points";
    /** The one sign convention of every score. */
    public static final String SIGN = "positive = the training point supports the explained output "
            + "(its removal is predicted to lower it); negative = it opposes it";

    public Convention {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(explained, "explained");
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(units, "units");
        if (!(rawFactor != 0) || !Double.isFinite(rawFactor)) {
            throw new IllegalArgumentException("rawFactor must be finite and non-zero, got " + rawFactor);
        }
    }

    /** The raw quantity of a score: score / rawFactor. */
    public double toRaw(double score) {
        return score / rawFactor;
    }
}
