package org.exemplar.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * Which columns of a Spark source hold a sparse row: an id, the features as a Spark ML Vector (a SparseVector, as
 * Spark's libsvm reader and its feature transformers write them; a DenseVector is read by its non-zeros) or as two
 * array columns (indices: an integer array, 0-based and strictly increasing; values: a numeric array of the same
 * length), and a binary label (0/1 or -1/+1, any numeric type).
 *
 * @param features the ML Vector column, or null when {@code indices} and {@code values} are given
 * @param label    null for unlabeled rows (test points)
 */
public record SparseColumns(String id, String features, String indices, String values, String label)
        implements Serializable {
    public SparseColumns {
        Objects.requireNonNull(id, "id column");
        if ((features == null) == (indices == null || values == null)) {
            throw new InputException("give the features either as one ML Vector column or as an indices and a "
                    + "values column");
        }
    }

    /** id, features (ML Vector), label. */
    public static SparseColumns vector(String id, String features, String label) {
        return new SparseColumns(id, features, null, null, label);
    }

    /** id, indices and values arrays, label. */
    public static SparseColumns arrays(String id, String indices, String values, String label) {
        return new SparseColumns(id, null, indices, values, label);
    }

    public SparseColumns withoutLabel() {
        return new SparseColumns(id, features, indices, values, null);
    }
}
