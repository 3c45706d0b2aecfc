package org.exemplar.index;

import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.TestSet;
import org.exemplar.attribution.TopK;

/** Index kind {@code artifact} (influence): every query is ranked by the library's {@link PreparedAttributor#topK}. */
final class LibraryTopK<Q extends TestSet<Q>> extends ArtifactScorer<Q> {
    /** The kind's name in {@code index.json}. */
    static final String KIND = "artifact";

    private final PreparedAttributor<Q> attributor;

    LibraryTopK(Shape<Q> shape, PreparedAttributor<Q> attributor) {
        super(shape);
        this.attributor = attributor;
    }

    @Override
    TopK rank(Q queries, int k) {
        return attributor.topK(queries, k).topK();
    }
}
