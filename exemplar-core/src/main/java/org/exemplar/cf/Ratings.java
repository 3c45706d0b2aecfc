package org.exemplar.cf;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An immutable set of observed ratings D = {(i, j, y_ij)}: parallel arrays of 0-based user index, item index and
 * value, with per-user and per-item index lists (CSR-style offsets into the rating indices, each list in
 * increasing rating index). Duplicate (user, item) pairs are allowed by the store but rejected by the readers.
 */
public final class Ratings {
    private final int numUsers;
    private final int numItems;
    private final int[] users;
    private final int[] items;
    private final double[] values;
    private final int[] userStart;
    private final int[] userIndex;
    private final int[] itemStart;
    private final int[] itemIndex;

    /**
     * @param numUsers |U| (every user index must be below it)
     * @param numItems |I|
     */
    public Ratings(int numUsers, int numItems, int[] users, int[] items, double[] values) {
        if (users.length != items.length || users.length != values.length) {
            throw new IllegalArgumentException("users, items and values differ in length: " + users.length + ", "
                    + items.length + ", " + values.length);
        }
        if (numUsers < 0 || numItems < 0) {
            throw new IllegalArgumentException("negative matrix size " + numUsers + " x " + numItems);
        }
        for (int t = 0; t < users.length; t++) {
            if (users[t] < 0 || users[t] >= numUsers || items[t] < 0 || items[t] >= numItems) {
                throw new IllegalArgumentException("rating " + t + " (user " + users[t] + ", item " + items[t]
                        + ") outside the " + numUsers + " x " + numItems + " matrix");
            }
            if (!Double.isFinite(values[t])) {
                throw new IllegalArgumentException("rating " + t + " has non-finite value " + values[t]);
            }
        }
        this.numUsers = numUsers;
        this.numItems = numItems;
        this.users = users.clone();
        this.items = items.clone();
        this.values = values.clone();
        this.userStart = new int[numUsers + 1];
        this.itemStart = new int[numItems + 1];
        this.userIndex = group(this.users, numUsers, userStart);
        this.itemIndex = group(this.items, numItems, itemStart);
    }

    private static int[] group(int[] keys, int n, int[] start) {
        for (int k : keys) {
            start[k + 1]++;
        }
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, n);
        int[] idx = new int[keys.length];
        for (int t = 0; t < keys.length; t++) {
            idx[fill[keys[t]]++] = t;
        }
        return idx;
    }

    public int size() {
        return values.length;
    }

    public int numUsers() {
        return numUsers;
    }

    public int numItems() {
        return numItems;
    }

    public int user(int t) {
        return users[t];
    }

    public int item(int t) {
        return items[t];
    }

    public double value(int t) {
        return values[t];
    }

    /** Copies of the triplet arrays. */
    public int[] users() {
        return users.clone();
    }

    public int[] items() {
        return items.clone();
    }

    public double[] values() {
        return values.clone();
    }

    /** Rating indices of user i, increasing. */
    public int[] ofUser(int i) {
        return Arrays.copyOfRange(userIndex, userStart[i], userStart[i + 1]);
    }

    /** Rating indices of item j, increasing. */
    public int[] ofItem(int j) {
        return Arrays.copyOfRange(itemIndex, itemStart[j], itemStart[j + 1]);
    }

    public int userCount(int i) {
        return userStart[i + 1] - userStart[i];
    }

    public int itemCount(int j) {
        return itemStart[j + 1] - itemStart[j];
    }

    /** Index of the rating (i, j), or -1 when it is not observed. */
    public int find(int i, int j) {
        for (int p = userStart[i]; p < userStart[i + 1]; p++) {
            if (items[userIndex[p]] == j) {
                return userIndex[p];
            }
        }
        return -1;
    }

    /** The ratings at the given indices (in that order), same matrix size. */
    public Ratings subset(int[] indices) {
        int[] u = new int[indices.length];
        int[] it = new int[indices.length];
        double[] v = new double[indices.length];
        for (int p = 0; p < indices.length; p++) {
            u[p] = users[indices[p]];
            it[p] = items[indices[p]];
            v[p] = values[indices[p]];
        }
        return new Ratings(numUsers, numItems, u, it, v);
    }

    /** The same ratings with every value mapped by a*y + b (e.g. a = 0.5, b = -1.5 maps 1..5 onto [-1, 1]). */
    public Ratings affine(double a, double b) {
        double[] v = new double[values.length];
        for (int t = 0; t < v.length; t++) {
            v[t] = a * values[t] + b;
        }
        return new Ratings(numUsers, numItems, users, items, v);
    }

    /**
     * A seeded random split: each rating goes to the test part with probability {@code testFraction}
     * (exactly round(testFraction * n) ratings, chosen by a seeded Fisher-Yates shuffle); both parts keep the
     * matrix size and the original order.
     */
    public Split split(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        int n = size();
        int nTest = (int) Math.round(testFraction * n);
        int[] perm = permutation(n, new SplittableRandom(seed));
        boolean[] isTest = new boolean[n];
        for (int p = 0; p < nTest; p++) {
            isTest[perm[p]] = true;
        }
        int[] tr = new int[n - nTest];
        int[] te = new int[nTest];
        int a = 0;
        int b = 0;
        for (int t = 0; t < n; t++) {
            if (isTest[t]) {
                te[b++] = t;
            } else {
                tr[a++] = t;
            }
        }
        return new Split(subset(tr), subset(te));
    }

    /** A train/test pair of rating sets over the same matrix. */
    public record Split(Ratings train, Ratings test) {
    }

    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
