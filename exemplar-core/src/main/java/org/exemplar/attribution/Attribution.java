package org.exemplar.attribution;

import java.util.ArrayList;
import java.util.List;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;

/**
 * A whole score matrix with what it means and how far to trust it (small and medium problems; for large ones
 * stream blocks with {@link PreparedAttributor#score(TestSet, int, ScoreSink)}).
 *
 * @param scores      n_test x n_train in the sign of {@link Convention} (positive = supports)
 * @param convention  what is explained, the raw quantity and its mapping
 * @param diagnostics preparation and scoring diagnostics merged
 * @param provenance  of the prepared artifact
 */
public record Attribution(DenseMatrix scores, Convention convention, TrustDiagnostics diagnostics,
                          Provenance provenance) {

    /** The method's own quantity, raw = score / rawFactor (a new matrix). */
    public DenseMatrix raw() {
        DenseMatrix r = scores.copy();
        double[] d = r.data();
        for (int k = 0; k < d.length; k++) {
            d[k] = convention.toRaw(d[k]);
        }
        return r;
    }

    public int testSize() {
        return scores.rows();
    }

    public int trainSize() {
        return scores.cols();
    }

    /** Top-k of every test point through the one ranking ({@link TopKSink}). */
    public TopK topK(int k) {
        TopKSink sink = new TopKSink(k);
        sink.accept(0, scores);
        return sink.result();
    }

    /** The k strongest supporting training points of test point t. */
    public List<RankedPoint> supporting(int t, int k) {
        TopKSink sink = new TopKSink(k);
        sink.accept(0, scores.rowRange(t, t + 1));
        return new ArrayList<>(sink.result().supporting(0));
    }

    /** The k strongest opposing training points of test point t. */
    public List<RankedPoint> opposing(int t, int k) {
        TopKSink sink = new TopKSink(k);
        sink.accept(0, scores.rowRange(t, t + 1));
        return new ArrayList<>(sink.result().opposing(0));
    }
}
