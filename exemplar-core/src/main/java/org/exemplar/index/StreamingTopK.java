package org.exemplar.index;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.attribution.RankedPoint;

/**
 * The ranking of {@link org.exemplar.attribution.TopKSink} for one query, fed one (index, score) at a time so that a
 * scan never holds the full score row: the k largest positive scores (supporting) and the k most negative
 * (opposing), ties broken by the smaller training index, zeros in neither list. The index tests check it against
 * {@code TopKSink} on the same rows.
 */
public final class StreamingTopK {
    private final Heap supporting;
    private final Heap opposing;

    public StreamingTopK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        supporting = new Heap(k, 1.0);
        opposing = new Heap(k, -1.0);
    }

    public void offer(int i, double s) {
        if (s > 0) {
            supporting.offer(i, s);
        } else if (s < 0) {
            opposing.offer(i, s);
        }
    }

    public List<RankedPoint> supporting() {
        return supporting.sorted();
    }

    public List<RankedPoint> opposing() {
        return opposing.sorted();
    }

    private static final class Heap {
        private final int[] idx;
        private final double[] val;
        private final double sign;
        private int size;

        Heap(int k, double sign) {
            idx = new int[k];
            val = new double[k];
            this.sign = sign;
        }

        private boolean better(int i, double a, int j, double b) {
            double x = sign * a;
            double y = sign * b;
            return x > y || (x == y && i < j);
        }

        void offer(int i, double s) {
            if (idx.length == 0) {
                return;
            }
            if (size < idx.length) {
                int c = size++;
                idx[c] = i;
                val[c] = s;
                while (c > 0) {
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
                while (true) {
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

        private void swap(int a, int b) {
            int ti = idx[a];
            idx[a] = idx[b];
            idx[b] = ti;
            double tv = val[a];
            val[a] = val[b];
            val[b] = tv;
        }

        List<RankedPoint> sorted() {
            List<RankedPoint> out = new ArrayList<>(size);
            for (int q = 0; q < size; q++) {
                out.add(new RankedPoint(idx[q], val[q]));
            }
            out.sort((p, q) -> better(p.trainIndex(), p.score(), q.trainIndex(), q.score()) ? -1
                    : better(q.trainIndex(), q.score(), p.trainIndex(), p.score()) ? 1 : 0);
            return List.copyOf(out);
        }
    }
}
