package org.exemplar.response;

/**
 * The test loss whose change the correlations compare: the mean loss over the whole test set (the default: it
 * averages out the test-point noise), or the loss of one test point (Bae et al. 2022, App. E.3, "randomly selected
 * test examples").
 *
 * @param pointIndex the test row, or -1 for the mean over the test set
 */
public record TestLossTarget(int pointIndex) {
    public TestLossTarget {
        if (pointIndex < -1) {
            throw new IllegalArgumentException("test point index must be >= 0 (or -1 for the mean), got " + pointIndex);
        }
    }

    /** The mean over the test set. */
    public static TestLossTarget mean() {
        return new TestLossTarget(-1);
    }

    /** One test point. */
    public static TestLossTarget point(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("test point index must be >= 0, got " + index);
        }
        return new TestLossTarget(index);
    }

    public boolean isMean() {
        return pointIndex < 0;
    }

    /** "mean" or "point:INDEX" (the spelling in correlations.csv). */
    public String externalName() {
        return isMean() ? "mean" : "point:" + pointIndex;
    }
}
