package org.exemplar.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Validation;
import org.exemplar.linalg.DenseMatrix;
import picocli.CommandLine.Option;

/** The data options of {@code exemplar attribute} and their reading, every check before any long work. */
final class AttributeInputs {
    @Option(names = "--train-features", required = true, paramLabel = "X.npy", description = "Training inputs (n, d).")
    Path trainFeatures;

    @Option(names = "--train-labels", required = true, paramLabel = "y.npy",
            description = "Training class labels (n,): integers in [0, c) (logistic: 0/1).")
    Path trainLabels;

    @Option(names = "--test-features", required = true, paramLabel = "Xt.npy", description = "Test inputs (n_test, d).")
    Path testFeatures;

    @Option(names = "--test-labels", required = true, paramLabel = "yt.npy", description = "Test class labels (n_test,).")
    Path testLabels;

    @Option(names = "--train-ids", paramLabel = "ids.npy",
            description = "Integer id of every training row (n,), written to topk.csv (default: the row index).")
    Path trainIds;

    /** The inputs as read: finite features of matching width, class labels, and one id per training row. */
    record Read(DenseMatrix x, DenseMatrix xt, int[] y, int[] yt, long[] ids) {
    }

    Read read() {
        DenseMatrix x = Validation.requireFinite(Npy.read(trainFeatures).toMatrix(), trainFeatures, "training features");
        DenseMatrix xt = Validation.requireFinite(Npy.read(testFeatures).toMatrix(), testFeatures, "test features");
        if (x.rows() == 0) {
            throw new DataException(trainFeatures, "has 0 rows; at least one training point is needed");
        }
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has "
                    + x.cols());
        }
        int[] y = Validation.classLabels(trainLabels, x.rows(), trainFeatures);
        int[] yt = Validation.classLabels(testLabels, xt.rows(), testFeatures);
        return new Read(x, xt, y, yt, ids(x.rows()));
    }

    /** The input files for the provenance (those given). */
    Map<String, Path> files() {
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("train_features", trainFeatures);
        inputs.put("train_labels", trainLabels);
        inputs.put("test_features", testFeatures);
        inputs.put("test_labels", testLabels);
        if (trainIds != null) {
            inputs.put("train_ids", trainIds);
        }
        return inputs;
    }

    private long[] ids(int n) {
        long[] ids = new long[n];
        if (trainIds == null) {
            for (int i = 0; i < n; i++) {
                ids[i] = i;
            }
            return ids;
        }
        NpyArray arr = Npy.read(trainIds);
        if (arr.ndim() != 1 || arr.rows() != n) {
            throw new DataException(trainIds, "must be a 1-D array of " + n + " ids (one per training row), got shape "
                    + arr.shapeString());
        }
        double[] v = arr.toDoubleArray();
        for (int i = 0; i < n; i++) {
            if (v[i] != Math.rint(v[i])) {
                throw new DataException(trainIds, "id " + v[i] + " at row " + i + " is not an integer");
            }
            ids[i] = (long) v[i];
        }
        return ids;
    }
}
