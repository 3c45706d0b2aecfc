package org.exemplar.attribution;

import java.util.Arrays;
import java.util.Objects;

/**
 * Test pairs (user, item) for the collaborative-filtering attributors, optionally with the observed rating (the
 * shape of a ratings file; the rating is carried along, never required).
 *
 * @param users   0-based user indices
 * @param items   0-based item indices
 * @param ratings the ratings, or null
 */
public record RatingPairs(int[] users, int[] items, double[] ratings) implements TestSet<RatingPairs> {
    public RatingPairs {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(items, "items");
        if (users.length != items.length || (ratings != null && ratings.length != users.length)) {
            throw new IllegalArgumentException("pairs need equally long users (" + users.length + "), items ("
                    + items.length + ")" + (ratings == null ? "" : " and ratings (" + ratings.length + ")"));
        }
    }

    /** Pairs without ratings. */
    public static RatingPairs of(int[] users, int[] items) {
        return new RatingPairs(users.clone(), items.clone(), null);
    }

    @Override
    public int size() {
        return users.length;
    }

    @Override
    public RatingPairs rows(int from, int to) {
        return new RatingPairs(Arrays.copyOfRange(users, from, to), Arrays.copyOfRange(items, from, to),
                ratings == null ? null : Arrays.copyOfRange(ratings, from, to));
    }

    /** Checks every index against the matrix size. */
    void check(int numUsers, int numItems) {
        for (int t = 0; t < users.length; t++) {
            if (users[t] < 0 || users[t] >= numUsers || items[t] < 0 || items[t] >= numItems) {
                throw new IllegalArgumentException("test pair " + t + " = (" + users[t] + ", " + items[t]
                        + ") outside the " + numUsers + " x " + numItems + " rating matrix");
            }
        }
    }
}
