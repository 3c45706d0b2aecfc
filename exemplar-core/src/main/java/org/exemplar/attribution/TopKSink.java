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
    private final List<BoundedHeap> supporting = new ArrayList<>();
    private final List<BoundedHeap> opposing = new ArrayList<>();

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
            BoundedHeap sup = new BoundedHeap(k, 1.0);
            BoundedHeap opp = new BoundedHeap(k, -1.0);
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
}
