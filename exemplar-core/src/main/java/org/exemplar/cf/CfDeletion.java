package org.exemplar.cf;

import java.util.SplittableRandom;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.eval.DeletionTarget;

/**
 * Case-deletion diagnostics for CF (Tsai et al. 2023, Sec. 6.3): training points are the observed ratings, test
 * points held-out (user, item) pairs, the prediction score is the model's predicted rating, and retraining runs
 * the same training (same settings, same seed) without the removed ratings. Feed it to
 * {@link org.exemplar.eval.DeletionDiagnostics#evaluate} with the methods made here.
 */
public final class CfDeletion implements DeletionTarget {

    /** Predicted score of a (user, item) pair. */
    @FunctionalInterface
    public interface PairScorer {
        double score(int user, int item);
    }

    /** Trains from scratch without the excluded ratings (null = none). Must be thread-safe. */
    @FunctionalInterface
    public interface Retrainer {
        PairScorer train(boolean[] excluded);
    }

    private final Ratings train;
    private final int[] testUsers;
    private final int[] testItems;
    private final Retrainer retrainer;
    private volatile PairScorer original;

    public CfDeletion(Ratings train, int[] testUsers, int[] testItems, Retrainer retrainer) {
        if (testUsers.length != testItems.length) {
            throw new IllegalArgumentException(testUsers.length + " test users but " + testItems.length + " test items");
        }
        this.train = train;
        this.testUsers = testUsers.clone();
        this.testItems = testItems.clone();
        this.retrainer = retrainer;
    }

    /** MF (eq. 16) retrained by {@link MfTrainer} (SGD keeps the order of the remaining ratings). */
    public static CfDeletion forMf(Ratings train, MfOptions o, MfTrainer.Algorithm a, int[] users, int[] items) {
        return new CfDeletion(train, users, items, ex -> MfTrainer.train(train, o, a, ex, false).factors()::predict);
    }

    /** The nuclear-norm model (eq. 12) retrained by Soft-Impute. */
    public static CfDeletion forSoftImpute(Ratings train, SoftImpute.Options o, int[] users, int[] items) {
        return new CfDeletion(train, users, items, ex -> SoftImpute.fit(train, o, ex).theta()::get);
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    public int testSize() {
        return testUsers.length;
    }

    public int testUser(int t) {
        return testUsers[t];
    }

    public int testItem(int t) {
        return testItems[t];
    }

    @Override
    public double score(int testIndex) {
        return original().score(testUsers[testIndex], testItems[testIndex]);
    }

    /**
     * The model trained on all ratings, trained on first use (a Spark executor that only retrains never needs it).
     */
    private PairScorer original() {
        PairScorer o = original;
        if (o == null) {
            synchronized (this) {
                o = original;
                if (o == null) {
                    o = retrainer.train(null);
                    original = o;
                }
            }
        }
        return o;
    }

    @Override
    public double scoreWithout(int testIndex, int[] removedTrainIndices) {
        boolean[] ex = new boolean[train.size()];
        for (int t : removedTrainIndices) {
            ex[t] = true;
        }
        return retrainer.train(ex).score(testUsers[testIndex], testItems[testIndex]);
    }

    /** A pair-level scorer (user, item) -&gt; scores over training ratings. */
    @FunctionalInterface
    public interface PairAttribution {
        double[] scores(int user, int item);
    }

    /** Wraps a pair-level method as an {@link AttributionMethod} over this target's test points. */
    public AttributionMethod method(String name, PairAttribution m) {
        return new AttributionMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] scores(int testIndex) {
                return m.scores(testUsers[testIndex], testItems[testIndex]);
            }
        };
    }

    /** The attribution methods case deletion compares (Sec. 6.3, Tables 2 and 8), by their command-line names. */
    public static final java.util.List<String> METHODS = java.util.List.of("high-dim", "fia", "tracincp", "random");

    /**
     * Refuses, before any training, a method name that is unknown or that does not apply to the algorithm: FIA is
     * defined for MF only (Sec. 6.3.1), TracInCP needs SGD checkpoints.
     */
    public static void checkMethods(java.util.List<String> names, CfFit.Algorithm a) {
        for (String m : names) {
            if (!METHODS.contains(m)) {
                throw new IllegalArgumentException("unknown method '" + m + "' (" + String.join(", ", METHODS) + ")");
            }
            if (m.equals("fia") && a == CfFit.Algorithm.SOFT_IMPUTE) {
                throw new IllegalArgumentException("FIA applies to MF (eq. 16) only, not to soft-impute (Sec. 6.3.1)");
            }
            if (m.equals("tracincp") && a != CfFit.Algorithm.SGD) {
                throw new IllegalArgumentException("TracInCP needs SGD checkpoints: use --train sgd or drop tracincp");
            }
        }
    }

    /**
     * The named methods over this target's test pairs, in the order given: high-dim (the fitted model's representer,
     * Definition 1), fia ({@link Fia} with {@code fiaDamping}), tracincp ({@link TracInCp} over the SGD checkpoints),
     * random ({@link #random} with {@code seed}).
     *
     * @param train the training ratings the model was fitted on
     * @param mf    the MF settings of the fit (FIA's loss, reg and weights; TracInCP's loss); unused for Soft-Impute
     */
    public java.util.List<AttributionMethod> methods(java.util.List<String> names, Ratings train, CfFit.Result fit,
                                                     MfOptions mf, double fiaDamping, long seed) {
        checkMethods(names, fit.algorithm());
        double[] w = fit.mf() == null ? null : CfRepresenter.weights(train, mf);
        java.util.List<AttributionMethod> ms = new java.util.ArrayList<>();
        for (String m : names) {
            switch (m) {
                case "high-dim" -> ms.add(method(m, fit.representer()::scores));
                case "fia" -> ms.add(method(m, new Fia(train, fit.factors(), mf.loss(), w, mf.reg(), fiaDamping)::scores));
                case "tracincp" -> ms.add(method(m, new TracInCp(train, fit.mf().checkpoints(), mf.loss(), w)::scores));
                default -> ms.add(method(m, random(train, seed)));
            }
        }
        return ms;
    }

    /**
     * The random baseline of Sec. 6.3: ratings sharing the test pair's user or item get independent scores uniform
     * in [-1, 1) \ {0} (so DEL+ and DEL- each delete a random subset of them); others 0. Seeded per pair.
     */
    public static PairAttribution random(Ratings train, long seed) {
        return (u, i) -> {
            SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (31L * u + i + 1)));
            double[] s = new double[train.size()];
            for (int t : train.ofUser(u)) {
                s[t] = nonZero(rng);
            }
            for (int t : train.ofItem(i)) {
                if (s[t] == 0) {
                    s[t] = nonZero(rng);
                }
            }
            return s;
        };
    }

    private static double nonZero(SplittableRandom rng) {
        double x;
        do {
            x = 2 * rng.nextDouble() - 1;
        } while (x == 0);
        return x;
    }
}
