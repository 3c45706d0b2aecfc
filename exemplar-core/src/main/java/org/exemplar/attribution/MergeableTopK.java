package org.exemplar.attribution;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.exemplar.linalg.DenseMatrix;

/**
 * The ranking of {@link TopKSink} for training data that arrives in pieces: per test point two bounded heaps of
 * the k largest positive and k most negative scores, filled from score blocks whose <b>columns</b> are any subset of
 * the training points (named by a {@code long} id), and mergeable. Best = larger |score| on its side, then the
 * smaller id; zero scores are in neither list. Because that order is total on distinct ids, the result does not
 * depend on how the training points were split into blocks nor on the order blocks and merges happen; with ids
 * 0..n-1 it equals {@link TopKSink}'s ranking of the whole row. Serializable, so that a distributed engine can ship
 * partial results between machines (one per partition, merged in a tree).
 */
public final class MergeableTopK implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int k;
    private final BoundedHeap[] supporting;
    private final BoundedHeap[] opposing;

    /**
     * @param k     list length per test point and side (&gt;= 0)
     * @param tests number of test points (rows of every block)
     */
    public MergeableTopK(int k, int tests) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (tests < 0) {
            throw new IllegalArgumentException("tests must be >= 0, got " + tests);
        }
        this.k = k;
        this.supporting = new BoundedHeap[tests];
        this.opposing = new BoundedHeap[tests];
        for (int t = 0; t < tests; t++) {
            supporting[t] = new BoundedHeap(k, 1.0);
            opposing[t] = new BoundedHeap(k, -1.0);
        }
    }

    public int k() {
        return k;
    }

    public int tests() {
        return supporting.length;
    }

    /**
     * Offers one score block: row r is test point {@code firstTest + r}, column j is training point
     * {@code trainIds[j]}.
     */
    public void accept(int firstTest, DenseMatrix block, long[] trainIds) {
        if (block.cols() != trainIds.length) {
            throw new IllegalArgumentException("block has " + block.cols() + " columns for " + trainIds.length
                    + " training ids");
        }
        if (firstTest < 0 || firstTest + block.rows() > tests()) {
            throw new IllegalArgumentException("test rows " + firstTest + ".." + (firstTest + block.rows())
                    + " outside [0, " + tests() + ")");
        }
        int n = block.cols();
        double[] d = block.data();
        for (int r = 0; r < block.rows(); r++) {
            BoundedHeap sup = supporting[firstTest + r];
            BoundedHeap opp = opposing[firstTest + r];
            int off = r * n;
            for (int i = 0; i < n; i++) {
                double s = d[off + i];
                if (s > 0) {
                    sup.offer(trainIds[i], s);
                } else if (s < 0) {
                    opp.offer(trainIds[i], s);
                }
            }
        }
    }

    /** Adds every entry of {@code other} (same k and number of test points) to this; returns this. */
    public MergeableTopK merge(MergeableTopK other) {
        if (other.k != k || other.tests() != tests()) {
            throw new IllegalArgumentException("cannot merge a top-" + other.k + " of " + other.tests()
                    + " test points into a top-" + k + " of " + tests());
        }
        for (int t = 0; t < tests(); t++) {
            supporting[t].mergeFrom(other.supporting[t]);
            opposing[t].mergeFrom(other.opposing[t]);
        }
        return this;
    }

    /**
     * Multiplies every kept score by a positive factor (the order of every list is unchanged), e.g. a 1/n that a
     * distributed engine only knows after the pass that scored the rows; returns this.
     */
    public MergeableTopK scale(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("the factor must be finite and > 0, got " + factor);
        }
        for (int t = 0; t < tests(); t++) {
            supporting[t].scale(factor);
            opposing[t].scale(factor);
        }
        return this;
    }

    /** Training ids of test point t's supporting list, best first. */
    public long[] supportingIds(int t) {
        return supporting[t].sortedIds();
    }

    /** Scores matching {@link #supportingIds}. */
    public double[] supportingScores(int t) {
        return supporting[t].sortedScores();
    }

    public long[] opposingIds(int t) {
        return opposing[t].sortedIds();
    }

    public double[] opposingScores(int t) {
        return opposing[t].sortedScores();
    }

    /** As a {@link TopK} of training indices (every id must fit an int). */
    public TopK toTopK() {
        List<List<RankedPoint>> s = new ArrayList<>();
        List<List<RankedPoint>> o = new ArrayList<>();
        for (int t = 0; t < tests(); t++) {
            s.add(points(supportingIds(t), supportingScores(t)));
            o.add(points(opposingIds(t), opposingScores(t)));
        }
        return new TopK(k, s, o);
    }

    private static List<RankedPoint> points(long[] ids, double[] scores) {
        List<RankedPoint> out = new ArrayList<>(ids.length);
        for (int q = 0; q < ids.length; q++) {
            out.add(new RankedPoint(Math.toIntExact(ids[q]), scores[q]));
        }
        return List.copyOf(out);
    }
}
