package org.exemplar.spark;

import java.io.Serializable;

/**
 * One training or test row as Spark's bean encoder reads it (array&lt;double&gt; decodes straight into a double[]):
 * a stable id (ranks break ties by it, so results do not depend on partitioning), the features, and a class label
 * (-1 when the data has none).
 */
public class TrainRow implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private double[] features;
    private int label;

    public TrainRow() {
    }

    public TrainRow(long id, double[] features, int label) {
        this.id = id;
        this.features = features;
        this.label = label;
    }

    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    public double[] getFeatures() {
        return features;
    }

    public void setFeatures(double[] features) {
        this.features = features;
    }

    public int getLabel() {
        return label;
    }

    public void setLabel(int label) {
        this.label = label;
    }
}
