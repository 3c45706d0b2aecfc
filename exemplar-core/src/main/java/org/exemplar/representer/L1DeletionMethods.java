package org.exemplar.representer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.linalg.CsrMatrix;

/**
 * The methods and test points that case-deletion diagnostics of L1 logistic regression compares (Tsai et al. 2023,
 * Sec. 6.2, Table 1): the high-dim representer (eq. 9), the L2 representer, the support-restricted influence
 * function, and a seeded random baseline, scored on test points drawn from the seed. One place for
 * {@code exemplar evaluate deletion l1} and {@code exemplar spark auc-del l1}, so both draw the same test points
 * and rank with the same scores.
 *
 * @param testIndices the drawn test points (distinct indices into the test matrix)
 * @param methods     the methods, in the order named
 */
public record L1DeletionMethods(int[] testIndices, List<AttributionMethod> methods) {
    /** The accepted method names. */
    public static final List<String> NAMES = List.of("highdim", "l2", "if", "random");

    /**
     * @param rep        the representer of the fitted L1 model
     * @param test       test features
     * @param names      any of highdim, l2, if, random
     * @param testPoints how many test points to draw (at most the test set's size)
     * @param seed       seed of the test-point draw and of the random baseline
     */
    public static L1DeletionMethods of(HighDimRepresenter rep, CsrMatrix test, List<String> names, int testPoints,
                                       long seed) {
        if (testPoints < 1) {
            throw new IllegalArgumentException("--test-points must be >= 1, got " + testPoints);
        }
        int n = rep.alpha().length;
        SplittableRandom rnd = new SplittableRandom(seed);
        int m = Math.min(testPoints, test.rows());
        int[] tests = rnd.ints(0, test.rows()).distinct().limit(m).toArray();
        long randomSeed = rnd.nextLong();
        List<AttributionMethod> ms = new ArrayList<>();
        for (String name : names) {
            ms.add(switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "highdim" -> method("high-dim representer", t -> rep.values(test, t));
                case "l2" -> method("L2 representer", t -> rep.l2Values(test, t));
                case "if" -> method("influence function", t -> rep.influenceValues(test, t));
                case "random" -> method("random", t -> {
                    SplittableRandom r = new SplittableRandom(randomSeed + t);
                    double[] s = new double[n];
                    for (int i = 0; i < n; i++) {
                        s[i] = r.nextGaussian();
                    }
                    return s;
                });
                default -> throw new IllegalArgumentException("unknown method '" + name
                        + "' (expected highdim, l2, if, random)");
            });
        }
        return new L1DeletionMethods(tests, List.copyOf(ms));
    }

    /** A named score function as an {@link AttributionMethod}. */
    public static AttributionMethod method(String name, java.util.function.IntFunction<double[]> f) {
        return new AttributionMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] scores(int testIndex) {
                return f.apply(testIndex);
            }
        };
    }
}
