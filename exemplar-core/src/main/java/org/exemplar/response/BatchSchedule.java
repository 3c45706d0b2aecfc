package org.exemplar.response;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A recorded mini-batch order: for each epoch a permutation of the N training indices, walked in consecutive
 * batches of {@link #batchSize()} (the last batch of an epoch may be smaller). The permutations come from one
 * {@link SplittableRandom} seeded with {@link #seed()}: epoch e's permutation is the (e+1)-th Fisher-Yates shuffle of
 * the previous epoch's order (starting from 0..N-1), so epochs [a, b) of the same seed are always the same
 * batches, whichever range is asked for. This is how the cold-start response replays the base training's order
 * for its first K epochs and how every response continues with the same next epochs (Bae et al. 2022, App. E.2).
 *
 * <p>Instances are immutable; {@link #order(int)} returns a copy.
 */
public final class BatchSchedule {
    private final int n;
    private final int batchSize;
    private final long seed;
    private final int firstEpoch;
    private final int[][] orders;

    private BatchSchedule(int n, int batchSize, long seed, int firstEpoch, int[][] orders) {
        this.n = n;
        this.batchSize = batchSize;
        this.seed = seed;
        this.firstEpoch = firstEpoch;
        this.orders = orders;
    }

    /**
     * Epochs [fromEpoch, toEpoch) of the seeded stream for N examples.
     *
     * @throws IllegalArgumentException on n &lt; 1, batchSize &lt; 1 or a bad epoch range
     */
    public static BatchSchedule of(int n, int batchSize, long seed, int fromEpoch, int toEpoch) {
        if (n < 1) {
            throw new IllegalArgumentException("a batch schedule needs at least one example, got n = " + n);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (fromEpoch < 0 || toEpoch < fromEpoch) {
            throw new IllegalArgumentException("bad epoch range [" + fromEpoch + ", " + toEpoch + ")");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[][] orders = new int[toEpoch - fromEpoch][];
        for (int e = 0; e < toEpoch; e++) {
            shuffle(order, rnd);
            if (e >= fromEpoch) {
                orders[e - fromEpoch] = order.clone();
            }
        }
        return new BatchSchedule(n, batchSize, seed, fromEpoch, orders);
    }

    /** A schedule replaying given permutations (e.g. read back from a responses.npz); each must permute 0..n-1. */
    public static BatchSchedule replay(int batchSize, long seed, int firstEpoch, int[][] orders) {
        Objects.requireNonNull(orders, "orders");
        if (orders.length == 0) {
            throw new IllegalArgumentException("a replayed schedule needs at least one epoch");
        }
        int n = orders[0].length;
        int[][] copy = new int[orders.length][];
        for (int e = 0; e < orders.length; e++) {
            int[] o = orders[e];
            if (o.length != n) {
                throw new IllegalArgumentException("epoch " + e + " orders " + o.length + " examples, epoch 0 " + n);
            }
            boolean[] seen = new boolean[n];
            for (int i : o) {
                if (i < 0 || i >= n || seen[i]) {
                    throw new IllegalArgumentException("epoch " + e + " is not a permutation of 0.." + (n - 1)
                            + " (entry " + i + ")");
                }
                seen[i] = true;
            }
            copy[e] = o.clone();
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        return new BatchSchedule(n, batchSize, seed, firstEpoch, copy);
    }

    /** The epochs [fromEpoch, toEpoch) of the same seeded stream. */
    public BatchSchedule epochs(int fromEpoch, int toEpoch) {
        return of(n, batchSize, seed, fromEpoch, toEpoch);
    }

    public int size() {
        return n;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    /** The index of the first recorded epoch in the seeded stream. */
    public int firstEpoch() {
        return firstEpoch;
    }

    /** Number of recorded epochs. */
    public int epochCount() {
        return orders.length;
    }

    /** Mini-batches per epoch, ceil(N / batch size). */
    public int batchesPerEpoch() {
        int b = Math.min(batchSize, n);
        return (n + b - 1) / b;
    }

    /** A copy of the permutation of recorded epoch e (0-based within this schedule). */
    public int[] order(int e) {
        return orders[e].clone();
    }

    /** The indices of batch b of recorded epoch e. */
    public int[] batch(int e, int b) {
        int size = Math.min(batchSize, n);
        int from = b * size;
        if (from >= n || b < 0) {
            throw new IndexOutOfBoundsException("batch " + b + " outside [0, " + batchesPerEpoch() + ")");
        }
        return Arrays.copyOfRange(orders[e], from, Math.min(n, from + size));
    }

    /** All permutations as one (epochs x N) row-major int array (for recording in an .npz). */
    public int[] flatOrders() {
        int[] out = new int[orders.length * n];
        for (int e = 0; e < orders.length; e++) {
            System.arraycopy(orders[e], 0, out, e * n, n);
        }
        return out;
    }

    /** Fisher-Yates shuffle driven by {@code rnd}. */
    private static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
