package org.exemplar.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankingTest {
    /** The boxed reference: score descending (NaN last), then tie ascending. */
    private static int[] reference(double[] score, int[] tie) {
        Integer[] idx = IntStream.range(0, score.length).boxed().toArray(Integer[]::new);
        Comparator<Integer> byScore = (p, q) -> {
            boolean np = Double.isNaN(score[p]);
            boolean nq = Double.isNaN(score[q]);
            if (np || nq) {
                return Boolean.compare(np, nq);
            }
            return Double.compare(score[q] == 0 ? 0.0 : score[q], score[p] == 0 ? 0.0 : score[p]);
        };
        Arrays.sort(idx, byScore.thenComparingInt(p -> tie == null ? p : tie[p]));
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void matchesABoxedSortWithTiesAndNaNs() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n : new int[] {0, 1, 2, 3, 17, 64, 1000}) {
            double[] score = new double[n];
            int[] tie = new int[n];
            for (int i = 0; i < n; i++) {
                int r = rnd.nextInt(10);
                score[i] = r == 0 ? Double.NaN : r < 4 ? rnd.nextInt(3) - 1.0 : rnd.nextGaussian();
                tie[i] = rnd.nextInt(1000);
            }
            tie = IntStream.range(0, n).map(i -> i * 7919 % Math.max(1, n)).toArray(); // distinct tie keys
            assertArrayEquals(reference(score, tie), Ranking.descending(score, tie), "n = " + n);
            assertArrayEquals(reference(score, null), Ranking.descending(score, null), "n = " + n);
        }
        assertThrows(IllegalArgumentException.class, () -> Ranking.descending(new double[2], new int[3]));
    }
}
