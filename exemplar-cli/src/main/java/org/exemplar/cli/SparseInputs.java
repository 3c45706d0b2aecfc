package org.exemplar.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.exemplar.data.DataException;
import org.exemplar.data.DataFiles;
import org.exemplar.data.Npy;
import org.exemplar.data.SparseData;
import org.exemplar.data.SparseNpz;
import org.exemplar.data.SvmLight;
import org.exemplar.linalg.CsrMatrix;
import picocli.CommandLine.Option;

/** Options shared by the sparse commands: a data set from svmlight, or features (.npz CSR / .npy) plus labels. */
final class SparseInputs {
    @Option(names = "--train", paramLabel = "train.svm", description = "Training set in svmlight/LIBSVM format (labels 0/1 or -1/+1).")
    Path train;

    @Option(names = "--test", paramLabel = "test.svm", description = "Test set in svmlight format (read with the training set's width).")
    Path test;

    @Option(names = "--train-features", paramLabel = "X.npz|X.npy", description = "Training features: SciPy sparse .npz (CSR) or dense .npy.")
    Path trainFeatures;

    @Option(names = "--train-labels", paramLabel = "y.npy", description = "Training labels with --train-features.")
    Path trainLabels;

    @Option(names = "--test-features", paramLabel = "Xt.npz|Xt.npy", description = "Test features with --train-features.")
    Path testFeatures;

    @Option(names = "--test-rows", paramLabel = "A:B",
            description = "Use only test rows A (inclusive) to B (exclusive), e.g. 0:200, to keep n_test x n_train outputs small.")
    String testRows;

    record Loaded(CsrMatrix x, double[] labels, CsrMatrix test, Path trainSource, Path testSource) {
    }

    Loaded load() {
        if (train != null) {
            if (trainFeatures != null) {
                throw new IllegalArgumentException("give either --train (svmlight) or --train-features, not both");
            }
            if (test == null) {
                throw new IllegalArgumentException("--train needs --test");
            }
            SparseData tr = SvmLight.read(train);
            SparseData te = SvmLight.read(test, -1);
            int cols = Math.max(tr.features().cols(), te.features().cols());
            tr = cols == tr.features().cols() ? tr : SvmLight.read(train, cols);
            te = SvmLight.read(test, cols);
            return new Loaded(tr.features(), tr.labels(), slice(te.features(), test), train, test);
        }
        if (trainFeatures == null || trainLabels == null || testFeatures == null) {
            throw new IllegalArgumentException("give --train/--test (svmlight) or --train-features, --train-labels and "
                    + "--test-features");
        }
        CsrMatrix x = readMatrix(trainFeatures);
        CsrMatrix xt = readMatrix(testFeatures);
        if (xt.cols() != x.cols()) {
            throw new DataException(testFeatures, "has " + xt.cols() + " columns but " + trainFeatures + " has " + x.cols());
        }
        double[] y = Npy.read(trainLabels).toDoubleArray();
        if (y.length != x.rows()) {
            throw new DataException(trainLabels, "has " + y.length + " labels but " + trainFeatures + " has " + x.rows()
                    + " rows");
        }
        return new Loaded(x, y, slice(xt, testFeatures), trainFeatures, testFeatures);
    }

    private CsrMatrix slice(CsrMatrix t, Path source) {
        if (testRows == null) {
            return t;
        }
        String[] ab = testRows.split(":");
        int a;
        int b;
        try {
            a = Integer.parseInt(ab[0].trim());
            b = ab.length > 1 ? Integer.parseInt(ab[1].trim()) : t.rows();
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--test-rows must look like A:B, got '" + testRows + "'");
        }
        if (a < 0 || b > t.rows() || a >= b) {
            throw new DataException(source, "has " + t.rows() + " rows; --test-rows " + testRows + " is out of range");
        }
        return t.selectRows(java.util.stream.IntStream.range(a, b).toArray());
    }

    static CsrMatrix readMatrix(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        CsrMatrix m = name.endsWith(".npz") ? SparseNpz.read(p) : CsrMatrix.fromDense(DataFiles.readMatrix(p));
        for (int k = 0; k < m.nnz(); k++) {
            if (!Double.isFinite(m.values()[k])) {
                throw new DataException(p, "non-finite value " + m.values()[k] + " in the features");
            }
        }
        return m;
    }
}
