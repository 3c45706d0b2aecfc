package org.exemplar.data;

import org.exemplar.linalg.CsrMatrix;

/**
 * A sparse data set: features (CSR, rows = examples), one label per row, and optional query ids (svmlight
 * {@code qid:}; null when absent).
 */
public record SparseData(CsrMatrix features, double[] labels, long[] queryIds) {
    public SparseData {
        if (labels.length != features.rows()) {
            throw new IllegalArgumentException(labels.length + " labels for " + features.rows() + " rows");
        }
        if (queryIds != null && queryIds.length != features.rows()) {
            throw new IllegalArgumentException(queryIds.length + " query ids for " + features.rows() + " rows");
        }
    }
}
