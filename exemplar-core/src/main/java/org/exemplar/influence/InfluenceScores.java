package org.exemplar.influence;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.exemplar.linalg.DenseMatrix;

/**
 * Influence scores in the orientation and sign of the package documentation: rows = test points, columns =
 * training points, entry (t, i) = predicted change of f_t when training point i is removed.
 *
 * @param scores       n_test x n_train
 * @param testFunction the measured quantity ({@link TestFunction#name()})
 * @param solves       one entry per test point: the s_test solve
 */
public record InfluenceScores(DenseMatrix scores, String testFunction, SolveStats solves) {

    /**
     * The k training points whose removal would raise f_t the most (largest positive scores): for f = the loss,
     * the most <b>helpful</b> points (proponents). Fewer when fewer scores are positive.
     */
    public List<Ranked> helpful(int t, int k) {
        return top(t, k, true);
    }

    /** The k training points whose removal would lower f_t the most (most negative): the most <b>harmful</b>. */
    public List<Ranked> harmful(int t, int k) {
        return top(t, k, false);
    }

    private List<Ranked> top(int t, int k, boolean positive) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        int n = scores.cols();
        double[] d = scores.data();
        int off = t * n;
        Comparator<Integer> cmp = Comparator.comparingDouble(i -> d[off + i]);
        List<Integer> idx = new ArrayList<>(IntStream.range(0, n)
                .filter(i -> positive ? d[off + i] > 0 : d[off + i] < 0).boxed().toList());
        idx.sort(positive ? cmp.reversed() : cmp);
        List<Ranked> out = new ArrayList<>();
        for (int r = 0; r < Math.min(k, idx.size()); r++) {
            out.add(new Ranked(idx.get(r), d[off + idx.get(r)]));
        }
        return out;
    }
}
