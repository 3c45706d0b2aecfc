package org.exemplar.representer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class SameLabelInhibitorsTest {

    /** Two classes; logits chosen so that softmax probabilities are known in closed form. */
    @Test
    void countsAndMediansMatchAHandComputation() {
        // class-0 probability = 1 / (1 + e^{-d}) for logits (d, 0)
        double[] dNet = {2, -1, 3, 0.5, 4};
        double[] dRefit = {1, 0, 2, 1.5, 4};
        int[] labels = {0, 0, 0, 0, 1};
        DenseMatrix net = new DenseMatrix(5, 2);
        DenseMatrix refit = new DenseMatrix(5, 2);
        for (int i = 0; i < 5; i++) {
            net.set(i, 0, dNet[i]);
            refit.set(i, 0, dRefit[i]);
        }
        // explained class 0: inhibitory points 1 and 3 carry label 0 (3 twice over two explanations, counted once),
        // point 4 carries label 1 and is ignored
        Explanation a = new Explanation(0, 0, 0.0, List.of(), List.of(new RepresenterPoint(1, -2, -0.1, 20),
                new RepresenterPoint(4, -1, -0.2, 5)));
        Explanation b = new Explanation(1, 0, 0.0, List.of(), List.of(new RepresenterPoint(3, -1, -0.05, 20),
                new RepresenterPoint(1, -0.5, 0.01, 50)));
        Explanation c = new Explanation(2, 0, 0.0, List.of(), List.of(new RepresenterPoint(3, -0.7, -0.05, 14)));
        SameLabelInhibitors s = SameLabelInhibitors.of(List.of(a, b, c), labels, net, refit);
        assertEquals(2, s.count());
        assertEquals(2, s.negativeAlpha());
        // point 1: net sigma(-1) < refit sigma(0); point 3: sigma(0.5) < sigma(1.5)
        assertEquals(2, s.networkBelowRefit());
        assertEquals((sig(-1) + sig(0.5)) / 2, s.networkProbMedian(), 1e-15);
        assertEquals((sig(0) + sig(1.5)) / 2, s.refitProbMedian(), 1e-15);
        // class 0's network probabilities sigma(2), sigma(-1), sigma(3), sigma(0.5): median (sigma(0.5) + sigma(2)) / 2
        assertEquals((sig(0.5) + sig(2)) / 2, s.classMedianNetworkProb(), 1e-15);
        // point 1 is the lowest of 4 (0 % below it), point 3 the second (25 %): median 12.5
        assertEquals(12.5, s.networkProbPercentile(), 1e-12);
    }

    private static double sig(double d) {
        return 1 / (1 + Math.exp(-d));
    }
}
