package org.exemplar.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.representer.DebuggingCurve;
import org.exemplar.solver.ExactSolver;
import org.junit.jupiter.api.Test;

/**
 * Mislabel detection on three separable Gaussian classes (d = 5, 300 training points, 10 % corrupted): flipped
 * labels sit deep inside another class, so their gradients are large and unexplained by the rest of the data and
 * self-influence must find most of them in the first 20 % inspected, well above the random order's ~20 %.
 */
class MislabelDetectionTest {

    @Test
    void selfInfluenceFindsCorruptedLabelsFarBetterThanRandom() {
        SplittableRandom rnd = new SplittableRandom(8);
        int n = 300;
        int nt = 150;
        int d = 5;
        DenseMatrix x = new DenseMatrix(n, d);
        DenseMatrix xt = new DenseMatrix(nt, d);
        int[] y = new int[n];
        int[] yt = new int[nt];
        fill(x, y, rnd);
        fill(xt, yt, rnd);
        double[] fractions = {0.0, 0.1, 0.2, 0.5, 1.0};
        MislabelDetection.Result r = MislabelDetection.run(x, y, xt, yt, 3,
                new MislabelDetection.Settings(0.1, 1e-3, 1e-3, fractions, 4, 1e-8), new ExactSolver());
        assertEquals(30, r.corrupted().length);
        DebuggingCurve self = r.curves().get(0);
        DebuggingCurve random = r.curves().get(3);
        assertEquals("self-influence", self.ordering());
        assertEquals("random", random.ordering());
        assertEquals(0.0, self.foundMean()[0]);
        assertEquals(1.0, self.foundMean()[4], "inspecting everything finds everything");
        assertTrue(self.foundMean()[2] >= 0.8, "self-influence at 20 %: " + self.foundMean()[2]);
        assertTrue(self.foundMean()[2] > random.foundMean()[2] + 0.3, "random at 20 %: " + random.foundMean()[2]);
        assertTrue(r.corruptedAccuracy() <= r.cleanAccuracy());
        assertEquals(r.cleanAccuracy(), self.accuracyMean()[4], 1e-12, "all labels fixed = the clean fit");
    }

    static void fill(DenseMatrix x, int[] y, SplittableRandom rnd) {
        for (int i = 0; i < y.length; i++) {
            y[i] = rnd.nextInt(3);
            for (int j = 0; j < x.cols(); j++) {
                x.set(i, j, (j == y[i] ? 3.0 : 0.0) + rnd.nextGaussian());
            }
        }
    }
}
