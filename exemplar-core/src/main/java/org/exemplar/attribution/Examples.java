package org.exemplar.attribution;

import java.util.Arrays;
import java.util.Objects;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * Dense examples: one feature row per point, with integer class labels, real targets, or neither (test points whose
 * explained output does not need a label). Used as training data and as test data by the dense methods (RPS,
 * influence, NTK).
 *
 * @param features one row per point (n x d)
 * @param labels   class labels in [0, c) (binary: 0/1), or null
 * @param targets  real targets (n x c), or null
 */
public record Examples(DenseMatrix features, int[] labels, DenseMatrix targets) implements TestSet<Examples> {
    public Examples {
        Objects.requireNonNull(features, "features");
        if (labels != null && targets != null) {
            throw new IllegalArgumentException("give labels or real targets, not both");
        }
        if (labels != null && labels.length != features.rows()) {
            throw new IllegalArgumentException(labels.length + " labels for " + features.rows() + " feature rows");
        }
        if (targets != null && targets.rows() != features.rows()) {
            throw new IllegalArgumentException("targets have " + targets.rows() + " rows for " + features.rows()
                    + " feature rows");
        }
        if (labels != null) {
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0) {
                    throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is negative");
                }
            }
        }
        for (double v : features.data()) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("features contain a non-finite value (" + v + ")");
            }
        }
    }

    /** Features with class labels. */
    public static Examples labeled(DenseMatrix features, int[] labels) {
        return new Examples(features, labels.clone(), null);
    }

    /** Features with one real target per row (regression). */
    public static Examples regression(DenseMatrix features, double[] targets) {
        return new Examples(features, null, new DenseMatrix(targets.length, 1, targets.clone()));
    }

    /** Features only. */
    public static Examples unlabeled(DenseMatrix features) {
        return new Examples(features, null, null);
    }

    @Override
    public int size() {
        return features.rows();
    }

    @Override
    public Examples rows(int from, int to) {
        return new Examples(features.rowRange(from, to), labels == null ? null : Arrays.copyOfRange(labels, from, to),
                targets == null ? null : targets.rowRange(from, to));
    }

    /** The same examples without the listed rows. */
    public Examples without(int... removed) {
        boolean[] drop = new boolean[size()];
        for (int i : removed) {
            drop[i] = true;
        }
        int[] keep = java.util.stream.IntStream.range(0, size()).filter(i -> !drop[i]).toArray();
        return new Examples(features.selectRows(keep), labels == null ? null : pick(labels, keep),
                targets == null ? null : targets.selectRows(keep));
    }

    private static int[] pick(int[] a, int[] idx) {
        int[] out = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = a[idx[k]];
        }
        return out;
    }

    /** Number of classes the labels imply (max + 1, at least 2). */
    public int classes() {
        requireLabels("the number of classes");
        int m = 1;
        for (int y : labels) {
            m = Math.max(m, y);
        }
        return m + 1;
    }

    /** Loss targets: labels mapped by {@link Loss#targetsFromLabels} for {@code outputs} outputs, or the targets. */
    public DenseMatrix lossTargets(Loss loss, int outputs) {
        if (targets != null) {
            if (targets.cols() != outputs) {
                throw new IllegalArgumentException("targets have " + targets.cols() + " columns, the model "
                        + outputs + " outputs");
            }
            return targets;
        }
        requireLabels("loss targets");
        return loss.targetsFromLabels(labels, outputs);
    }

    /** Real targets as a vector (one column). */
    public double[] targetVector() {
        if (targets == null || targets.cols() != 1) {
            throw new IllegalArgumentException("this method needs one real target per example"
                    + (targets == null ? " (none given)" : " (got " + targets.cols() + " columns)"));
        }
        return targets.column(0);
    }

    private void requireLabels(String what) {
        if (labels == null) {
            throw new IllegalArgumentException(what + " need class labels; these examples have none");
        }
    }

    /** SHA-256 of features and labels/targets. */
    public String sha256() {
        Artifact.Digest d = new Artifact.Digest().add(features);
        if (labels != null) {
            d.addInts(labels);
        }
        if (targets != null) {
            d.add(targets);
        }
        return d.hex();
    }
}
