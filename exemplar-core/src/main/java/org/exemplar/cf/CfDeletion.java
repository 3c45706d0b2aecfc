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
