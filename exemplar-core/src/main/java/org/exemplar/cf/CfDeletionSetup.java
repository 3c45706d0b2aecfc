package org.exemplar.cf;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.exemplar.eval.AttributionMethod;

/**
 * The setup of case-deletion diagnostics for collaborative filtering (Tsai et al. 2023, Sec. 6.3, Tables 2 and 8):
 * the seeded held-out split of the ratings, the seeded test pairs among the held-out ones, the model settings and
 * the retraining target. One place for {@code exemplar evaluate deletion cf} (retrainings on threads) and
 * {@code exemplar spark auc-del cf} (retrainings as Spark tasks), so both evaluate the same pairs, methods, k
 * schedule and retrainings.
 *
 * @param train      the training part of the split (the model is fitted and retrained on it)
 * @param split      the split: {@code all.split(testFraction, seed)}
 * @param pairs      the test pairs: {@link HeldOutPairs#sample} with seed + 1
 * @param algorithm  ALS, SGD or Soft-Impute
 * @param mf         the MF settings (null for Soft-Impute)
 * @param softImpute the Soft-Impute settings (null for MF)
 */
public record CfDeletionSetup(Ratings train, Ratings.Split split, HeldOutPairs pairs, CfFit.Algorithm algorithm,
                              MfOptions mf, SoftImpute.Options softImpute) {

    /**
     * Refuses, before any data is read, a k schedule that is not strictly increasing and positive, fewer than one
     * test point, and a method that is unknown or does not apply to the algorithm ({@link CfDeletion#checkMethods}).
     */
    public static void check(int[] ks, int testPoints, List<String> methods, CfFit.Algorithm a) {
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1 || (i > 0 && ks[i] <= ks[i - 1])) {
                throw new IllegalArgumentException("--ks must be increasing positive integers, got "
                        + Arrays.toString(ks));
            }
        }
        if (testPoints < 1) {
            throw new IllegalArgumentException("--test-points must be >= 1, got " + testPoints);
        }
        CfDeletion.checkMethods(methods, a);
    }

    /**
     * Splits {@code all} (a fraction {@code testFraction} held out, seeded by {@code seed}) and draws
     * {@code testPoints} usable held-out pairs (seeded by {@code seed + 1}).
     *
     * @param mf   the MF settings; ignored (stored as null) for Soft-Impute
     * @param soft the Soft-Impute settings; ignored (stored as null) for MF
     */
    public static CfDeletionSetup of(Ratings all, double testFraction, int testPoints, CfFit.Algorithm a,
                                     MfOptions mf, SoftImpute.Options soft, long seed) {
        Ratings.Split split = all.split(testFraction, seed);
        HeldOutPairs pairs = HeldOutPairs.sample(split, testPoints, seed + 1);
        boolean si = a == CfFit.Algorithm.SOFT_IMPUTE;
        return new CfDeletionSetup(split.train(), split, pairs, a, si ? null : mf, si ? soft : null);
    }

    /** The full-data fit ({@link CfFit#fit}) on the training part. */
    public CfFit.Result fit() {
        return CfFit.fit(train, algorithm, mf, softImpute);
    }

    /** The retraining target over the test pairs, same algorithm and settings as {@link #fit} ({@link CfFit#deletion}). */
    public CfDeletion target() {
        return CfFit.deletion(train, algorithm, mf, softImpute, pairs.users(), pairs.items());
    }

    /** The test points of the evaluation: 0 .. (number of pairs - 1), indices into {@link #pairs}. */
    public int[] testIndices() {
        return IntStream.range(0, pairs.users().length).toArray();
    }

    /** The named methods on {@code target}'s pairs ({@link CfDeletion#methods}), from the fit {@code fit}. */
    public List<AttributionMethod> methods(CfDeletion target, List<String> names, CfFit.Result fit, double fiaDamping,
                                           long seed) {
        return target.methods(names, train, fit, mf, fiaDamping, seed);
    }
}
