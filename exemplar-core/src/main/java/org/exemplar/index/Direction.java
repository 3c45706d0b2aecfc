package org.exemplar.index;

/** Which side of a ranking a query wants. */
public enum Direction {
    /** Supporting (positive scores) only. */
    EXCITATORY,
    /** Opposing (negative scores) only. */
    INHIBITORY,
    /** Both lists. */
    BOTH;

    public boolean wantsSupporting() {
        return this != INHIBITORY;
    }

    public boolean wantsOpposing() {
        return this != EXCITATORY;
    }
}
