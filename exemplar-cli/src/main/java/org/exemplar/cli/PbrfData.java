package org.exemplar.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Validation;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;

/** The input loading of {@code exemplar pbrf}: the network of {@code --model mlp:...} and the label files. */
final class PbrfData {
    private PbrfData() {
    }

    /** The network of mlp:SPEC: hidden widths built here (with the activation) or a saved MLP. */
    record Network(int[] hidden, Activation activation, Mlp saved, Path mlpPath) {
        /** A linear model: no network. */
        static final Network NONE = new Network(null, Activation.RELU, null, null);
    }

    /** Resolves mlp:SPEC (W1,W2,... or the path of a network from `exemplar mlp`, checked against d inputs). */
    static Network network(String spec, String activation, int inputWidth, Path trainFeatures) {
        if (spec.matches("[0-9]+(,[0-9]+)*")) {
            int[] hidden = java.util.Arrays.stream(spec.split(",")).mapToInt(Integer::parseInt).toArray();
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + spec);
                }
            }
            return new Network(hidden, Activation.valueOf(activation.toUpperCase(java.util.Locale.ROOT)), null, null);
        }
        Path mlpPath = Path.of(spec);
        if (!Files.isRegularFile(mlpPath)) {
            throw new DataException(mlpPath, "is not a file (mlp:PATH needs a network from `exemplar mlp`; "
                    + "mlp:W1,W2 builds one)");
        }
        Mlp saved = MlpFiles.load(mlpPath);
        if (saved.inputWidth() != inputWidth) {
            throw new DataException(trainFeatures, "has " + inputWidth + " columns but the MLP " + mlpPath
                    + " expects " + saved.inputWidth());
        }
        return new Network(null, Activation.RELU, saved, mlpPath);
    }

    static String spec(int[] hidden) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hidden.length; i++) {
            b.append(i == 0 ? "" : ",").append(hidden[i]);
        }
        return b.toString();
    }

    /**
     * The target matrix of a label file: real targets for the squared loss, one 0/1 column for sigmoid (labels
     * {0,1} or {-1,+1}), one-hot columns for softmax (c = the MLP's outputs, --classes, the training file's columns,
     * or max label + 1).
     */
    static DenseMatrix targets(Path file, int rows, Path featuresFile, Loss loss, Integer outputs, int trainCols,
                               Integer classes) {
        NpyArray arr = Npy.read(file);
        if (arr.rows() != rows) {
            throw new DataException(file, "has " + arr.rows() + " rows but " + featuresFile + " has " + rows);
        }
        if (loss.name().equals("squared")) {
            DenseMatrix y = Validation.requireFinite(arr.toMatrix(), file, "targets");
            if (outputs != null && y.cols() != outputs) {
                throw new DataException(file, "has " + y.cols() + " target columns but the MLP has " + outputs + " outputs");
            }
            return y;
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
        if (loss.name().equals("sigmoid")) {
            for (int i = 0; i < rows; i++) {
                if (labels[i] == -1) {
                    labels[i] = 0;
                } else if (labels[i] != 0 && labels[i] != 1) {
                    throw new DataException(file, "binary labels must be {0,1} or {-1,+1}, got " + labels[i] + " at row " + i);
                }
            }
            return loss.targetsFromLabels(labels, 1);
        }
        int c;
        if (outputs != null) {
            c = outputs;
        } else if (classes != null) {
            c = classes;
        } else if (trainCols > 0) {
            c = trainCols;
        } else {
            int max = -1;
            for (int y : labels) {
                max = Math.max(max, y);
            }
            c = max + 1;
            if (c < 2) {
                throw new DataException(file, "labels hold a single class; at least two are needed");
            }
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new DataException(file, "label " + labels[i] + " at row " + i + " outside [0, " + c + ")"
                        + (outputs == null && classes == null ? " (set --classes)" : ""));
            }
        }
        return loss.targetsFromLabels(labels, c);
    }
}
