package org.exemplar.server;

import org.exemplar.index.Direction;
import org.exemplar.index.Explanation;

/** Approximate top-k over an explanation index (answers carry {@code exact = false}). */
public interface AnnSearch extends AutoCloseable {
    /** Approximate top-k of one query; cls null = the predicted class. */
    Explanation explain(double[] features, Integer cls, int k, Direction dir);

    /** Total size on disk, in bytes, of the files this search reads (its graphs' files). */
    long dataBytes();

    /**
     * Approximate top-k of training row {@code id} as the query; cls null = the class the exact
     * {@link org.exemplar.index.ExplanationIndex#explainTraining} explains (the row's label for artifact-backed
     * methods, the predicted class for rps-l2).
     */
    Explanation explainTraining(int id, Integer cls, int k, Direction dir);

    @Override
    void close();
}
