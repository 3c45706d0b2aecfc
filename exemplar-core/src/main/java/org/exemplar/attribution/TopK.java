package org.exemplar.attribution;

import java.util.List;

/**
 * Top-k supporting and opposing training points of every test point ({@link TopKSink}).
 *
 * @param k          the requested list length (a list is shorter when fewer scores have that sign)
 * @param supporting per test point: largest positive scores first
 * @param opposing   per test point: most negative scores first
 */
public record TopK(int k, List<List<RankedPoint>> supporting, List<List<RankedPoint>> opposing) {
    public TopK {
        supporting = List.copyOf(supporting);
        opposing = List.copyOf(opposing);
    }

    /** Supporting points of test point t. */
    public List<RankedPoint> supporting(int t) {
        return supporting.get(t);
    }

    /** Opposing points of test point t. */
    public List<RankedPoint> opposing(int t) {
        return opposing.get(t);
    }

    public int testSize() {
        return supporting.size();
    }
}
