package org.exemplar.attribution;

/**
 * A set of test points that can be cut into consecutive row blocks (dense rows, sparse rows, user-item pairs).
 *
 * @param <Q> the concrete type, so that a block has the same type as the whole
 */
public interface TestSet<Q extends TestSet<Q>> {
    /** Number of test points. */
    int size();

    /** Test points from (inclusive) .. to (exclusive), as a set of the same type. */
    Q rows(int from, int to);
}
