package org.exemplar.index;

import java.util.List;
import org.exemplar.attribution.BoundedHeap;
import org.exemplar.attribution.RankedPoint;

/**
 * The ranking of {@link org.exemplar.attribution.TopKSink} for one query, fed one (index, score) at a time so that a
 * scan never holds the full score row: the k largest positive scores (supporting) and the k most negative
 * (opposing), ties broken by the smaller training index, zeros in neither list. The index tests check it against
 * {@code TopKSink} on the same rows.
 */
public final class StreamingTopK {
    private final BoundedHeap supporting;
    private final BoundedHeap opposing;

    public StreamingTopK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        supporting = new BoundedHeap(k, 1.0);
        opposing = new BoundedHeap(k, -1.0);
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
}
