package org.exemplar.cf;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The test pairs of a case-deletion evaluation (Tsai et al. 2023, Sec. 6.3): a seeded sample of held-out
 * (user, item) pairs whose user and item both have training ratings, so the trained model has embeddings for them.
 *
 * @param users the sampled pairs' users
 * @param items the sampled pairs' items
 */
public record HeldOutPairs(int[] users, int[] items) {

    /**
     * {@code count} distinct usable pairs of {@code split.test()}, drawn without replacement by a partial
     * Fisher-Yates shuffle of the usable pairs (in held-out order) with {@code new SplittableRandom(seed)}.
     *
     * @throws IllegalArgumentException when fewer than {@code count} held-out pairs are usable
     */
    public static HeldOutPairs sample(Ratings.Split split, int count, long seed) {
        Ratings train = split.train();
        Ratings test = split.test();
        int[] cand = IntStream.range(0, test.size())
                .filter(t -> train.userCount(test.user(t)) > 0 && train.itemCount(test.item(t)) > 0)
                .toArray();
        if (cand.length < count) {
            throw new IllegalArgumentException("only " + cand.length + " usable held-out pairs for --test-points "
                    + count);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int p = 0; p < count; p++) {
            int q = p + rng.nextInt(cand.length - p);
            int tmp = cand[p];
            cand[p] = cand[q];
            cand[q] = tmp;
        }
        int[] tu = new int[count];
        int[] ti = new int[count];
        for (int p = 0; p < count; p++) {
            tu[p] = test.user(cand[p]);
            ti[p] = test.item(cand[p]);
        }
        return new HeldOutPairs(tu, ti);
    }
}
