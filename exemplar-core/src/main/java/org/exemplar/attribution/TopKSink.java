package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.linalg.DenseMatrix;

/**
 * The one ranking of the package: for every test point, the k training points with the largest positive scores
 * (supporting) and the k with the most negative scores (opposing), kept in two bounded heaps of size k while
 * the score blocks stream past, so memory is O(n_test k) whatever n_train is. Points scoring exactly 0 are in
 * neither list. Ties are broken by the smaller training index, so the ranking equals a stable sort of the full
 * row (the contract test checks this against a brute-force sort).
 */
public final class TopKSink implements ScoreSink {
    private final int k;
    private final List<Heap> supporting = new ArrayList<>();
    private final List<Heap> opposing = new ArrayList<>();

    /** @param k how many points per list and test point (&gt;= 0) */
    public TopKSink(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        this.k = k;
    }

    @Override
    public void accept(int firstTest, DenseMatrix block) {
        if (firstTest != supporting.size()) {
            throw new IllegalStateException("blocks out of order: expected test row " + supporting.size() + ", got "
                    + firstTest);
        }
        int n = block.cols();
        double[] d = block.data();
        for (int r = 0; r < block.rows(); r++) {
            Heap sup = new Heap(k, 1.0);
            Heap opp = new Heap(k, -1.0);
            int off = r * n;
            for (int i = 0; i < n; i++) {
                double s = d[off + i];
                if (s > 0) {
                    sup.offer(i, s);
                } else if (s < 0) {
                    opp.offer(i, s);
                }
            }
            supporting.add(sup);
            opposing.add(opp);
        }
    }

    /** The rankings of every test point seen so far. */
    public TopK result() {
        List<List<RankedPoint>> s = new ArrayList<>(supporting.size());
        List<List<RankedPoint>> o = new ArrayList<>(opposing.size());
        for (int t = 0; t < supporting.size(); t++) {
            s.add(supporting.get(t).sorted());
            o.add(opposing.get(t).sorted());
        }
        return new TopK(k, s, o);
    }

    /**
     * A bounded heap of the k best (index, score) pairs, best = larger sign * score, then smaller index. The root is
     * the worst pair kept.
     */
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

        /** Whether (i, a) ranks before (j, b). */
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
