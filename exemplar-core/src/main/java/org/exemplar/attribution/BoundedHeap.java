package org.exemplar.attribution;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one bounded heap behind every ranking of the library ({@link TopKSink}, {@link MergeableTopK}, the explanation
 * index's streaming scan): the k best (training id, score) pairs seen, best = larger {@code sign * score}, then the
 * smaller id, so the kept list equals a stable sort of everything offered, whatever the order of the offers or of
 * merges. The root is the worst pair kept; an offer costs O(log k), memory O(k). Serializable, so a distributed
 * engine can ship partial heaps and merge them.
 */
public final class BoundedHeap implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long[] idx;
    private final double[] val;
    private final double sign;
    private int size;

    /**
     * @param k    capacity (&gt;= 0)
     * @param sign +1 to keep the largest scores (supporting), -1 the most negative (opposing)
     */
    public BoundedHeap(int k, double sign) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (sign != 1.0 && sign != -1.0) {
            throw new IllegalArgumentException("sign must be +1 or -1, got " + sign);
        }
        idx = new long[k];
        val = new double[k];
        this.sign = sign;
    }

    /** Pairs kept. */
    public int size() {
        return size;
    }

    /** Whether (i, a) ranks before (j, b). */
    private boolean better(long i, double a, long j, double b) {
        double x = sign * a;
        double y = sign * b;
        return x > y || (x == y && i < j);
    }

    /** Offers one pair; kept if the heap is not full or it ranks before the worst pair kept. */
    public void offer(long i, double s) {
        if (idx.length == 0) {
            return;
        }
        if (size < idx.length) {
            int c = size++;
            idx[c] = i;
            val[c] = s;
            while (c > 0) {             // sift up: the worst goes to the root
                int p = (c - 1) / 2;
                if (better(idx[p], val[p], idx[c], val[c])) {
                    swap(p, c);
                    c = p;
                } else {
                    break;
                }
            }
        } else if (better(i, s, idx[0], val[0])) {
            idx[0] = i;
            val[0] = s;
            int c = 0;
            while (true) {              // sift down
                int l = 2 * c + 1;
                int r = l + 1;
                int w = c;
                if (l < size && better(idx[w], val[w], idx[l], val[l])) {
                    w = l;
                }
                if (r < size && better(idx[w], val[w], idx[r], val[r])) {
                    w = r;
                }
                if (w == c) {
                    break;
                }
                swap(c, w);
                c = w;
            }
        }
    }

    /** Multiplies every kept score by a positive factor (the order is unchanged). */
    public void scale(double factor) {
        for (int q = 0; q < size; q++) {
            val[q] *= factor;
        }
    }

    /** Offers every pair of another heap (same sign). */
    public void mergeFrom(BoundedHeap o) {
        if (o.sign != sign) {
            throw new IllegalArgumentException("cannot merge heaps of opposite signs");
        }
        for (int q = 0; q < o.size; q++) {
            offer(o.idx[q], o.val[q]);
        }
    }

    private void swap(int a, int b) {
        long ti = idx[a];
        idx[a] = idx[b];
        idx[b] = ti;
        double tv = val[a];
        val[a] = val[b];
        val[b] = tv;
    }

    private Integer[] order() {
        Integer[] o = new Integer[size];
        for (int q = 0; q < size; q++) {
            o[q] = q;
        }
        Arrays.sort(o, (p, q) -> better(idx[p], val[p], idx[q], val[q]) ? -1
                : better(idx[q], val[q], idx[p], val[p]) ? 1 : 0);
        return o;
    }

    /** Ids kept, best first. */
    public long[] sortedIds() {
        Integer[] o = order();
        long[] out = new long[size];
        for (int q = 0; q < size; q++) {
            out[q] = idx[o[q]];
        }
        return out;
    }

    /** Scores matching {@link #sortedIds}. */
    public double[] sortedScores() {
        Integer[] o = order();
        double[] out = new double[size];
        for (int q = 0; q < size; q++) {
            out[q] = val[o[q]];
        }
        return out;
    }

    /** The kept pairs, best first, as ranked training indices (every id must fit an int). */
    public List<RankedPoint> sorted() {
        Integer[] o = order();
        List<RankedPoint> out = new ArrayList<>(size);
        for (int q = 0; q < size; q++) {
            out.add(new RankedPoint(Math.toIntExact(idx[o[q]]), val[o[q]]));
        }
        return List.copyOf(out);
    }
}
