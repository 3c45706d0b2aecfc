package org.exemplar.index;

import static org.exemplar.index.ExplanationIndexTest.assertSameRanking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.InnerProductForm;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.SparseExamples;
import org.exemplar.attribution.SparseRepresenterAttributor;
import org.exemplar.data.DataException;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * representer-l1 explanation indexes (kind {@code inner-product}, the support-scaled rows alpha_i x_{i,S}) against
 * the library: the index's exact top-k of a test row must be {@link PreparedAttributor#topK} of the same sparse row
 * (same ids in the same order, scores to 1e-12 relative: the library multiplies the sparse support rows, the index
 * takes dense inner products, so only the summation order differs); the factored form equals the library's
 * importances; representer-l2 stays refused with the list of supported methods.
 */
class HdrepIndexTest {
    @TempDir
    Path tmp;

    /** Sparse rows (density 0.35, values in [1, 2)) labelled by a sparse linear rule plus noise. */
    static SparseExamples sparse(int n, int p, long seed, boolean labeled) {
        SplittableRandom r = new SplittableRandom(seed);
        SplittableRandom w = new SplittableRandom(99);
        double[] theta = new double[p];
        for (int j = 0; j < p; j += 3) {
            theta[j] = 2 * w.nextGaussian();
        }
        DenseMatrix x = new DenseMatrix(n, p);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < p; j++) {
                if (r.nextDouble() < 0.35) {
                    double v = 1 + r.nextDouble();
                    x.set(i, j, v);
                    s += v * theta[j];
                }
            }
            y[i] = s + 0.8 * r.nextGaussian() >= 0 ? 1 : -1;
        }
        return new SparseExamples(CsrMatrix.fromDense(x), labeled ? y : null);
    }

    @Test
    void l1IndexEqualsTheLibraryTopK() {
        SparseExamples train = sparse(90, 18, 1, true);
        SparseExamples test = sparse(12, 18, 2, false);
        SparseRepresenterAttributor p = Attributors.l1Representer().lambda(0.02).tolerance(1e-10, 2000).prepare(train);
        int support = p.representer().support().length;
        assertTrue(support > 2 && support < 18, "a sparse support: " + support);
        Path art = tmp.resolve("l1-art");
        p.save(art);
        Path dir = tmp.resolve("l1-idx");
        ExplanationIndex.build(art, dir, IndexBuildOptions.defaults());
        ExplanationIndex idx = ExplanationIndex.open(dir);
        assertEquals("representer-l1", idx.method());
        assertEquals("inner-product", idx.metadata().path("kind").asText());
        assertEquals(support, idx.metadata().path("keyWidth").asInt());
        assertEquals(18, idx.dim());
        assertFalse(idx.hasSelfInfluence());
        int k = 5;
        PreparedAttributor.Ranking lib = p.topK(test, k);
        DenseMatrix dense = test.x().toDense();
        for (int t = 0; t < test.size(); t++) {
            Explanation e = idx.explain(dense.row(t), null, k, Direction.BOTH);
            assertSameRanking(lib.supporting(t), e.supporting(), 1e-12);
            assertSameRanking(lib.opposing(t), e.opposing(), 1e-12);
            double score = p.representer().prediction(test.x(), t);
            assertEquals(score, e.outputs()[0], 1e-12 * Math.max(1, Math.abs(score)));
            assertEquals(score > 0 ? 1 : 0, e.predictedClass());
            // the explained quantity is the prediction score whatever the class asked
            assertSameRanking(lib.supporting(t), idx.explain(dense.row(t), 1 - e.predictedClass(), k,
                    Direction.BOTH).supporting(), 1e-12);
        }
        // a training row as the query
        PreparedAttributor.Ranking tr = p.topK(SparseExamples.unlabeled(train.x().selectRows(new int[] {7})), k);
        assertSameRanking(tr.supporting(0), idx.explainTraining(7, null, k, Direction.BOTH).supporting(), 1e-12);
        assertEquals(train.labels()[7] > 0 ? 1 : 0, idx.label(7));
    }

    /** q_t . k_i over explicit matrices equals the library's importances (Cor. 2) of every training point. */
    @Test
    void supportScaledRowsTimesQueriesAreTheLibraryImportances() {
        SparseExamples train = sparse(70, 15, 3, true);
        SparseExamples test = sparse(8, 15, 4, false);
        SparseRepresenterAttributor p = Attributors.l1Representer().lambda(0.03).tolerance(1e-10, 2000).prepare(train);
        InnerProductForm<SparseExamples> f = p.l1InnerProductForm();
        DenseMatrix want = p.attribute(test).scores();
        DenseMatrix q = f.queryVectors(test);
        DenseMatrix keys = f.trainingKeys(0, 70);
        for (int t = 0; t < test.size(); t++) {
            for (int i = 0; i < 70; i++) {
                double s = 0;
                for (int j = 0; j < f.keyWidth(); j++) {
                    s += q.get(t, j) * keys.get(i, j);
                }
                assertEquals(want.get(t, i), s, 1e-12 * Math.max(1e-300, Math.abs(want.get(t, i))), t + "," + i);
            }
        }
        SparseRepresenterAttributor l2 = Attributors.l2Representer().lambda(0.03).prepare(train);
        assertThrows(IllegalStateException.class, l2::l1InnerProductForm);
    }

    @Test
    void representerL2StaysRefusedWithTheSupportedMethods() {
        SparseRepresenterAttributor l2 = Attributors.l2Representer().lambda(0.03).prepare(sparse(40, 10, 5, true));
        Path art = tmp.resolve("l2-art");
        l2.save(art);
        DataException e = assertThrows(DataException.class, () -> ExplanationIndex.build(art, tmp.resolve("l2-idx"),
                IndexBuildOptions.defaults()));
        assertTrue(e.getMessage().contains("holds a representer-l2 artifact; an index can be built from cf-mf, cf-nuclear, ekfac, "
                + "fia, influence, kfac, ntk, representer-l1, rps-l2"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("l2-idx")));
    }
}
