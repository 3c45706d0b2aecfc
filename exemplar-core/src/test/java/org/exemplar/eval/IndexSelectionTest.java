package org.exemplar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IndexSelectionTest {
    @Test
    void rangesAreHalfOpenWithBlankEndsDefaultingToTheWholeSet() {
        assertArrayEquals(new int[] {2, 3, 4}, IndexSelection.parse("2:5", 10, "--loo-indices"));
        assertArrayEquals(new int[] {0, 1, 2}, IndexSelection.parse(":3", 10, "--loo-indices"));
        assertArrayEquals(new int[] {7, 8, 9}, IndexSelection.parse("7:", 10, "--loo-indices"));
        assertArrayEquals(new int[] {0, 1, 2, 3}, IndexSelection.parse(":", 4, "--loo-indices"));
    }

    @Test
    void listsKeepTheirOrderAndSpaces() {
        assertArrayEquals(new int[] {5, 0, 3}, IndexSelection.parse("5, 0 ,3", 6, "--loo-indices"));
        assertArrayEquals(new int[] {4}, IndexSelection.parse("4", 5, "--loo-indices"));
    }

    @Test
    void badSelectionsAreRefusedNamingTheOption() {
        for (String bad : new String[] {"3:3", "0:11", "-1:2", "1:2:3", "a,b", "0,10", "-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IndexSelection.parse(bad, 10, "--pick"), bad);
            assertTrue(e.getMessage().contains("--pick"), e.getMessage());
        }
    }
}
