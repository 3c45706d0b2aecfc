package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldOutPairsTest {
    /**
     * Users 0..2, items 0..3. Held out: (0,1) usable, (1,3) unusable (item 3 has no training rating), (2,0) usable,
     * (3,2) unusable (user 3 has no training rating), (1,2) usable.
     */
    private static Ratings.Split split() {
        Ratings train = new Ratings(4, 4, new int[] {0, 1, 2, 0}, new int[] {0, 1, 2, 2}, new double[] {1, 2, 3, 4});
        Ratings test = new Ratings(4, 4, new int[] {0, 1, 2, 3, 1}, new int[] {1, 3, 0, 2, 2},
                new double[] {5, 5, 5, 5, 5});
        return new Ratings.Split(train, test);
    }

    private static Set<Long> pairs(HeldOutPairs p) {
        Set<Long> s = new HashSet<>();
        for (int t = 0; t < p.users().length; t++) {
            s.add(p.users()[t] * 100L + p.items()[t]);
        }
        return s;
    }

    @Test
    void takingEveryUsablePairGivesExactlyTheHandListedOnes() {
        HeldOutPairs p = HeldOutPairs.sample(split(), 3, 42);
        assertEquals(Set.of(1L, 200L, 102L), pairs(p));
    }

    @Test
    void smallerSamplesAreDistinctUsableAndSeeded() {
        Set<Long> usable = Set.of(1L, 200L, 102L);
        Set<Set<Long>> seen = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            HeldOutPairs p = HeldOutPairs.sample(split(), 2, seed);
            Set<Long> s = pairs(p);
            assertEquals(2, s.size(), "distinct");
            assertTrue(usable.containsAll(s), s.toString());
            HeldOutPairs again = HeldOutPairs.sample(split(), 2, seed);
            assertArrayEquals(p.users(), again.users());
            assertArrayEquals(p.items(), again.items());
            seen.add(s);
        }
        // 20 seeds over the 3 possible 2-subsets: the seed matters (all three turn up)
        assertEquals(3, seen.size());
    }

    @Test
    void tooFewUsablePairsIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeldOutPairs.sample(split(), 4, 1));
        assertTrue(e.getMessage().contains("only 3 usable held-out pairs"), e.getMessage());
    }
}
