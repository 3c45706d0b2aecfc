package org.exemplar.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * Which columns of a Spark source hold what.
 *
 * @param id       a long (or int) id per row, unique; ties in every ranking break by the smaller id
 * @param features array&lt;double&gt; (or array&lt;float&gt;) or a Spark ML Vector
 * @param label    integer class label (int, long or an integral double), or null when the data has no labels
 */
public record Columns(String id, String features, String label) implements Serializable {
    public Columns {
        Objects.requireNonNull(id, "id column");
        Objects.requireNonNull(features, "features column");
    }

    /** id, features, label. */
    public static Columns defaults() {
        return new Columns("id", "features", "label");
    }

    public Columns withoutLabel() {
        return new Columns(id, features, null);
    }
}
