package org.exemplar.attribution;

import org.exemplar.linalg.DenseMatrix;

/**
 * A prepared attributor whose score is one inner product per training point: score(t, i) = q_t . k_i, with q_t a
 * query vector computed from test point t and k_i a training key that does not depend on the test point (for K-FAC
 * the preconditioned test gradient and the rotated training gradient, Grosse et al. 2023, eq. 16-20). The scores are
 * those of {@link PreparedAttributor#score} (sign and units of its {@link Convention}, the raw factor folded into
 * q_t), up to the order of summation. An explanation index stores the keys once and answers a query with one scan.
 *
 * @param <Q> the test-set type
 */
public interface InnerProductForm<Q extends TestSet<Q>> {
    /** Length of a key and of a query vector. */
    int keyWidth();

    /** The keys of training points [from, to), one row each. */
    DenseMatrix trainingKeys(int from, int to);

    /** The query vectors of a block of test points, one row each. */
    DenseMatrix queryVectors(Q block);
}
