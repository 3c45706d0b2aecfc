package org.exemplar.index;

import java.nio.file.Path;
import org.exemplar.attribution.InnerProductForm;
import org.exemplar.attribution.TestSet;
import org.exemplar.attribution.TopK;
import org.exemplar.data.DataException;
import org.exemplar.linalg.DenseMatrix;

/**
 * Index kind {@code inner-product}: the training keys k_i of a method that scores by one inner product per training
 * point ({@link InnerProductForm}: K-FAC / EK-FAC's rotated training gradients, representer-l1's support-scaled
 * rows), memory-mapped from
 * {@value #FILE}. A query block's vectors q_t come from the library ({@link InnerProductForm#queryVectors}); the scan
 * takes q_t . k_i over the mapped rows into bounded heaps; the same keys, query vectors and inner product are the
 * {@link MipsForm} of an approximate search ({@link #mips()}). No method formula lives here.
 *
 * @param <Q> the attributor's test-set type
 */
final class InnerProductRows<Q extends TestSet<Q>> extends ArtifactScorer<Q> {
    /** The kind's name in {@code index.json}. */
    static final String KIND = "inner-product";
    /** The keys file in the index folder. */
    static final String FILE = "inner_keys.npy";
    /** Training rows asked from the library per block while building. */
    private static final int BUILD_ROWS = 512;

    private final InnerProductForm<Q> form;
    private final MappedRows keys;

    private InnerProductRows(Shape<Q> shape, InnerProductForm<Q> form, MappedRows keys) {
        super(shape);
        this.form = form;
        this.keys = keys;
    }

    /** Writes the n training keys of {@code form} into {@code dir}/{@value #FILE}. */
    static void write(Path dir, InnerProductForm<?> form, int n, boolean float32) {
        int w = form.keyWidth();
        try (MappedRows.Writer out = new MappedRows.Writer(dir.resolve(FILE), n, w, float32)) {
            for (int i0 = 0; i0 < n; i0 += BUILD_ROWS) {
                int i1 = Math.min(n, i0 + BUILD_ROWS);
                DenseMatrix k = form.trainingKeys(i0, i1);
                for (int i = 0; i < i1 - i0; i++) {
                    out.addRow(k.data(), i * w);
                }
            }
        }
    }

    /** Maps {@code dir}/{@value #FILE}, checking its shape against n and the form's key width. */
    static <Q extends TestSet<Q>> InnerProductRows<Q> open(Path dir, Shape<Q> shape, InnerProductForm<Q> form, int n) {
        MappedRows m = MappedRows.open(dir.resolve(FILE));
        if (m.rows() != n || m.cols() != form.keyWidth()) {
            throw new DataException(dir.resolve(FILE), "holds " + m.rows() + " x " + m.cols() + " keys, the artifact "
                    + "needs " + n + " x " + form.keyWidth());
        }
        return new InnerProductRows<>(shape, form, m);
    }

    /** Bytes one scan reads. */
    @Override
    long scanBytes() {
        return keys.dataBytes();
    }

    /**
     * One key set: the stored keys k_i, the library's query vector q_t of the point and its class, score q_t . k_i
     * over the mapped keys (see {@link MipsForm} for the concatenated TRAK and TracInCP layouts).
     */
    @Override
    MipsForm mips() {
        return new MipsForm() {
            @Override
            public int sets() {
                return 1;
            }

            @Override
            public int width() {
                return keys.cols();
            }

            @Override
            public float[] key(int i, int set) {
                double[] r = new double[keys.cols()];
                keys.row(i, r);
                float[] out = new float[r.length];
                for (int j = 0; j < r.length; j++) {
                    out[j] = (float) r[j];
                }
                return out;
            }

            @Override
            public Query query(double[] f, int cls) {
                return new Query(0, form.queryVectors(queries(new double[][] {f}, new int[] {cls})).row(0));
            }

            @Override
            public double score(int i, Query q) {
                return keys.dot(i, q.vector());
            }

            @Override
            public String describe() {
                return "MAXIMUM_INNER_PRODUCT over the stored training keys k_i (" + FILE + ", as float32), one graph; "
                        + "query = the library's query vector q_t, score q_t . k_i";
            }
        };
    }

    /** Exact top-k of every query of the block: one scan of the keys for the whole block. */
    @Override
    TopK rank(Q queries, int k) {
        DenseMatrix qv = form.queryVectors(queries);
        int nq = qv.rows();
        double[][] q = new double[nq][];
        StreamingTopK[] heaps = new StreamingTopK[nq];
        for (int t = 0; t < nq; t++) {
            q[t] = qv.row(t);
            heaps[t] = new StreamingTopK(k);
        }
        int n = keys.rows();
        int rows = ExplanationIndex.SCAN_ROWS;
        double[][] buf = new double[nq][rows];
        for (int from = 0; from < n; from += rows) {
            int to = Math.min(n, from + rows);
            keys.dots(q, from, to, buf);
            for (int t = 0; t < nq; t++) {
                StreamingTopK h = heaps[t];
                double[] b = buf[t];
                for (int i = from; i < to; i++) {
                    h.offer(i, b[i - from]);
                }
            }
        }
        return topK(k, heaps);
    }
}
