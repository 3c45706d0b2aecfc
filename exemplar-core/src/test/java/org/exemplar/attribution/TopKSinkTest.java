package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

class TopKSinkTest {
    private static List<Integer> ids(List<RankedPoint> l) {
        return l.stream().map(RankedPoint::trainIndex).toList();
    }

    @Test
    void tiesGoToTheLowerTrainingIndexAndZerosAreInNeitherList() {
        DenseMatrix m = DenseMatrix.fromRows(new double[][] {{0.5, 2.0, 0.0, 2.0, -1.0, -1.0, 2.0, -3.0}});
        TopKSink s = new TopKSink(2);
        s.accept(0, m);
        assertEquals(List.of(1, 3), ids(s.result().supporting(0)));
        assertEquals(List.of(7, 4), ids(s.result().opposing(0)));
        TopKSink all = new TopKSink(10);
        all.accept(0, m);
        assertEquals(List.of(1, 3, 6, 0), ids(all.result().supporting(0)));
        assertEquals(List.of(7, 4, 5), ids(all.result().opposing(0)));
    }

    @Test
    void heapEqualsAStableSortOnRandomRowsWithManyTies() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 500;
        DenseMatrix m = new DenseMatrix(6, n);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = r.nextInt(21) - 10;      // integers: many exact ties
        }
        TopKSink s = new TopKSink(37);
        s.accept(0, m.rowRange(0, 4));
        s.accept(4, m.rowRange(4, 6));
        for (int t = 0; t < 6; t++) {
            double[] row = m.row(t);
            List<Integer> idx = java.util.stream.IntStream.range(0, n).boxed().toList();
            List<Integer> pos = idx.stream().filter(i -> row[i] > 0)
                    .sorted((a, b) -> row[a] != row[b] ? Double.compare(row[b], row[a]) : Integer.compare(a, b))
                    .limit(37).toList();
            List<Integer> neg = idx.stream().filter(i -> row[i] < 0)
                    .sorted((a, b) -> row[a] != row[b] ? Double.compare(row[a], row[b]) : Integer.compare(a, b))
                    .limit(37).toList();
            assertEquals(pos, ids(s.result().supporting(t)));
            assertEquals(neg, ids(s.result().opposing(t)));
        }
    }

    @Test
    void rejectsBlocksOutOfOrderAndNegativeK() {
        assertThrows(IllegalArgumentException.class, () -> new TopKSink(-1));
        TopKSink s = new TopKSink(1);
        assertThrows(IllegalStateException.class, () -> s.accept(2, new DenseMatrix(1, 3)));
    }
}
