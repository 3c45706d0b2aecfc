package org.exemplar.attribution;

import org.exemplar.linalg.DenseMatrix;

/**
 * Receives a score matrix in consecutive row blocks (rows = test points, columns = every training point, sign of
 * {@link Convention}), so that no consumer needs the whole n_test x n_train matrix: a bounded top-k heap
 * ({@link TopKSink}), a file writer, a metric. Blocks arrive in order of {@code firstTest}; the block is only
 * valid during the call (the producer may reuse it).
 */
@FunctionalInterface
public interface ScoreSink {
    /** {@code block} holds test rows firstTest .. firstTest + block.rows() - 1, one column per training point. */
    void accept(int firstTest, DenseMatrix block);
}
