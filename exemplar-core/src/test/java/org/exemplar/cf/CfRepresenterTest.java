package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class CfRepresenterTest {

    @Test
    void definitionOneOnAHandCheckedExample() {
        // U^ = (1, 2)^T, V^ = (1, 3)^T: U^V^^T = [[1, 3], [2, 6]] has rank 1, sigma = |U^||V^| = sqrt(50),
        // so <U~_i, U~_i'> = U_i U_i' sigma / |U^|^2 = sqrt(2) U_i U_i' and <V~_j, V~_j'> = V_j V_j' / sqrt(2).
        Factorization f = new Factorization(DenseMatrix.fromRows(new double[][] {{1}, {2}}),
                DenseMatrix.fromRows(new double[][] {{1}, {3}}));
        // ratings (0,0)=2, (0,1)=1, (1,0)=0; squared loss l' = s - y; predictions 1, 3, 2 -> alpha = 1, -2, -2
        Ratings r = new Ratings(2, 2, new int[] {0, 0, 1}, new int[] {0, 1, 0}, new double[] {2, 1, 0});
        CfRepresenter rep = CfRepresenter.forFactorization(r, f, CfLoss.SQUARED, null);
        PairExplanation e = rep.explain(1, 1);
        assertEquals(6.0, e.prediction(), 1e-12);
        double s2 = Math.sqrt(2);
        // test (1, 1): user-based (0, 1): -2 * sqrt(2) * 1 * 2; item-based (1, 0): -2 * 1 * 3 / sqrt(2); (0, 0): 0
        List<CfAttribution> a = e.attributions();
        assertEquals(2, a.size());
        assertEquals(new CfAttribution(2, 1, 0, CfAttribution.Kind.ITEM, -3 * s2).kind(), a.get(0).kind());
        assertEquals(-3 * s2, a.get(0).score(), 1e-12);
        assertEquals(CfAttribution.Kind.USER, a.get(1).kind());
        assertEquals(1, a.get(1).trainIndex());
        assertEquals(-4 * s2, a.get(1).score(), 1e-12);
        double[] dense = rep.scores(1, 1);
        assertEquals(0.0, dense[0]);
        assertEquals(-4 * s2, dense[1], 1e-12);
        assertEquals(-3 * s2, dense[2], 1e-12);
        // test (0, 0): user-based (1, 0): -2 * sqrt(2) * 2 * 1; item-based (0, 1): -2 * 3 * 1 / sqrt(2)
        double[] d00 = rep.scores(0, 0);
        assertEquals(-4 * s2, d00[2], 1e-12);
        assertEquals(-3 * s2, d00[1], 1e-12);
        // the observed pair itself is user-based (first case of eq. 15): 1 * sqrt(2) * 1 * 1
        assertEquals(s2, d00[0], 1e-12);
        assertEquals(3, rep.explain(0, 0).attributions().size());
    }

    @Test
    void importedTwoTowerEmbeddingsAndNuclearConstant() {
        Factorization f = new Factorization(DenseMatrix.fromRows(new double[][] {{1}, {2}}),
                DenseMatrix.fromRows(new double[][] {{1}, {3}}));
        Ratings r = new Ratings(2, 2, new int[] {0, 0, 1}, new int[] {0, 1, 0}, new double[] {2, 1, 0});
        CfRepresenter plain = CfRepresenter.forFactorization(r, f, CfLoss.SQUARED, null);
        CfRepresenter scaled = new CfRepresenter(r, NormalizedEmbeddings.of(f), CfLoss.SQUARED, null, 1 / (0.5 * 3));
        double[] a = plain.scores(1, 1);
        double[] b = scaled.scores(1, 1);
        for (int t = 0; t < 3; t++) {
            assertEquals(a[t] / 1.5, b[t], 1e-15);
        }
    }

    /**
     * {@link PairExplanation#of} (the split the baselines' explanations.csv uses) applied to the representer's dense
     * scores gives the representer's own {@link CfRepresenter#explain}: same ratings, kinds, order and scores, the
     * observed pair user-based, the unrelated ratings left out.
     */
    @Test
    void pairExplanationOfDenseScoresEqualsTheRepresentersExplain() {
        Ratings r = new Ratings(3, 3, new int[] {0, 0, 1, 2, 1, 2}, new int[] {0, 1, 0, 2, 1, 0},
                new double[] {2, 1, 0, 3, 1, 2});
        Factorization f = new Factorization(DenseMatrix.fromRows(new double[][] {{1, 0.5}, {2, -1}, {0.3, 1}}),
                DenseMatrix.fromRows(new double[][] {{1, 2}, {3, -0.5}, {-1, 1}}));
        CfRepresenter rep = CfRepresenter.forFactorization(r, f, CfLoss.SQUARED, null);
        for (int u = 0; u < 3; u++) {
            for (int i = 0; i < 3; i++) {
                PairExplanation want = rep.explain(u, i);
                PairExplanation got = PairExplanation.of(r, u, i, want.prediction(), rep.scores(u, i));
                assertEquals(want, got, "pair (" + u + ", " + i + ")");
            }
        }
    }
}
