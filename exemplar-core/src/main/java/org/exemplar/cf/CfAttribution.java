package org.exemplar.cf;

/**
 * One training rating's importance to a test pair.
 *
 * @param trainIndex index of the rating in the training set
 * @param user       its user i
 * @param item       its item j
 * @param kind       USER (same item as the test pair, eq. 13) or ITEM (same user, eq. 14)
 * @param score      importance; positive pushes the test prediction up
 */
public record CfAttribution(int trainIndex, int user, int item, Kind kind, double score) {
    /** Which decomposition the score comes from. */
    public enum Kind { USER, ITEM;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
