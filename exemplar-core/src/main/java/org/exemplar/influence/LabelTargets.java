package org.exemplar.influence;

import java.nio.file.Path;
import org.exemplar.data.DataException;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Validation;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * Loss targets read from a label array, with the label facts a results summary records: real targets for
 * regression, {0,1} or {-1,+1} (-1 mapped to 0) for one sigmoid output, class indices in [0, c) one-hot encoded
 * otherwise (Koh &amp; Liang 2017, section 2: L(z, theta) on the model's own targets).
 *
 * @param targets       the rows handed to the loss: (n, outputs)
 * @param mapping       how the labels were mapped ("real targets", "0/1 as given", "-1 mapped to 0, +1 kept",
 *                      "class indices")
 * @param labelsForCsv  the labels as given, one string per row (empty for multi-column real targets)
 * @param classes       the number of classes (2 for binary; the column count for real targets)
 */
public record LabelTargets(DenseMatrix targets, String mapping, String[] labelsForCsv, int classes) {

    /**
     * Targets of {@code file} (already read into {@code arr}), which must have {@code rows} rows to match
     * {@code featuresFile}.
     *
     * @param regression   real targets (squared loss) rather than labels
     * @param modelOutputs the output width of a given model, or null when the model is built from the data
     * @param classesGiven the number of classes set by the user, or null
     * @param train        the training targets, whose class count test labels reuse; null for training labels
     * @throws DataException naming the file, for a shape or label that does not fit
     */
    public static LabelTargets read(NpyArray arr, Path file, int rows, Path featuresFile, Loss loss, boolean regression,
                                    Integer modelOutputs, Integer classesGiven, LabelTargets train) {
        if (arr.rows() != rows) {
            throw new DataException(file, "has " + arr.rows() + " rows but " + featuresFile + " has " + rows);
        }
        if (regression) {
            DenseMatrix y = Validation.requireFinite(arr.toMatrix(), file, "targets");
            if (modelOutputs != null && y.cols() != modelOutputs) {
                throw new DataException(file, "has " + y.cols() + " target columns but the MLP has " + modelOutputs
                        + " outputs");
            }
            String[] csv = new String[rows];
            for (int i = 0; i < rows; i++) {
                csv[i] = y.cols() == 1 ? Double.toString(y.get(i, 0)) : "";
            }
            return new LabelTargets(y, "real targets", csv, y.cols());
        }
        if (arr.ndim() != 1) {
            throw new DataException(file, "labels must be a 1-D array, got shape " + arr.shapeString());
        }
        int[] labels;
        try {
            labels = arr.toIntArray();
        } catch (IllegalArgumentException e) {
            throw new DataException(file, "labels must be integers: " + e.getMessage());
        }
        String[] csv = new String[rows];
        for (int i = 0; i < rows; i++) {
            csv[i] = Integer.toString(labels[i]);
        }
        boolean binary = loss.name().equals("sigmoid") && (modelOutputs == null || modelOutputs == 1);
        if (binary) {
            boolean minusOne = false;
            for (int i = 0; i < rows; i++) {
                int y = labels[i];
                if (y == -1) {
                    minusOne = true;
                    labels[i] = 0;
                } else if (y != 0 && y != 1) {
                    throw new DataException(file, "binary labels must be {0,1} or {-1,+1}, got " + y + " at row " + i);
                }
            }
            for (int i = 0; i < rows && minusOne; i++) {
                if (labels[i] == 0 && csv[i].equals("0")) {
                    throw new DataException(file, "mixes 0 and -1 labels (row " + i + "); use {0,1} or {-1,+1}");
                }
            }
            return new LabelTargets(loss.targetsFromLabels(labels, 1), minusOne ? "-1 mapped to 0, +1 kept" : "0/1 as given",
                    csv, 2);
        }
        int c;
        if (modelOutputs != null) {
            c = modelOutputs;
        } else if (classesGiven != null) {
            c = classesGiven;
        } else if (train != null) {
            c = train.classes;
        } else {
            c = Validation.classCount(labels, file, "training labels");
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new DataException(file, "label " + labels[i] + " at row " + i + " outside [0, " + c + ")"
                        + (modelOutputs == null && classesGiven == null ? " (the number of classes comes from the training labels; "
                        + "set --classes)" : ""));
            }
        }
        return new LabelTargets(loss.targetsFromLabels(labels, c), "class indices", csv, c);
    }
}
