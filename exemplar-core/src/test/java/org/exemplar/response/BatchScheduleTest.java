package org.exemplar.response;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class BatchScheduleTest {

    @Test
    void anEpochRangeIsTheSameSliceOfTheSeededStream() {
        BatchSchedule all = BatchSchedule.of(37, 8, 5L, 0, 9);
        BatchSchedule tail = all.epochs(6, 9);
        assertEquals(3, tail.epochCount());
        for (int e = 0; e < 3; e++) {
            assertArrayEquals(all.order(6 + e), tail.order(e));
        }
        // the same seed replays, another seed does not
        assertArrayEquals(all.flatOrders(), BatchSchedule.of(37, 8, 5L, 0, 9).flatOrders());
        assertFalse(Arrays.equals(all.order(0), BatchSchedule.of(37, 8, 6L, 0, 1).order(0)));
    }

    @Test
    void batchesCoverEveryExampleOncePerEpochWithASmallerLastBatch() {
        BatchSchedule s = BatchSchedule.of(37, 8, 1L, 0, 2);
        assertEquals(5, s.batchesPerEpoch());
        int[] count = new int[37];
        for (int b = 0; b < 5; b++) {
            int[] batch = s.batch(1, b);
            assertEquals(b < 4 ? 8 : 5, batch.length);
            for (int i : batch) {
                count[i]++;
            }
        }
        int[] ones = new int[37];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, count);
    }

    @Test
    void replayRejectsANonPermutation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchSchedule.replay(2, 0L, 0, new int[][] {{0, 1, 2}, {0, 0, 2}}));
        assertEquals("epoch 1 is not a permutation of 0..2 (entry 0)", e.getMessage());
        BatchSchedule s = BatchSchedule.of(10, 3, 2L, 0, 3);
        int[][] orders = {s.order(0), s.order(1), s.order(2)};
        assertArrayEquals(s.flatOrders(), BatchSchedule.replay(3, 2L, 0, orders).flatOrders());
    }
}
