package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import picocli.CommandLine.Option;

/**
 * The data options of {@code exemplar rps} and their reading: features from files or from a network's last hidden
 * layer, the targets of eq. (3) (labels) or eq. (4) (teacher logits), the optional start and test references.
 * Every shape is checked before the fit.
 */
final class RpsInputs {
    @Option(names = "--train-features", required = true, paramLabel = "F.npy",
            description = "Training features f_i, shape (n, p), .npy float32/float64 (with --model: the network's inputs, "
                    + ".npy, .csv or IDX).")
    Path trainFeatures;

    @Option(names = "--model", paramLabel = "MODEL.npz",
            description = "A network saved by 'exemplar mlp train': the feature files are then its INPUTS; features are its "
                    + "last hidden layer plus a ones column, the teacher logits its outputs (eq. 4) and the start its last "
                    + "layer, unless given explicitly.")
    Path model;

    @Option(names = "--input-scale", defaultValue = "1",
            description = "With --model: multiply inputs by this first, as in training (e.g. 0.00392156862745098).")
    double inputScale;

    @Option(names = "--train-labels", paramLabel = "y.npy",
            description = "Training labels, shape (n,), integers in [0, c) (0/1 for --loss sigmoid). "
                    + "Required unless --teacher-logits is given.")
    Path trainLabels;

    @Option(names = "--teacher-logits", paramLabel = "L.npy",
            description = "The trained model's outputs Phi(x_i), shape (n, c): fit eq. (4) against them instead of the labels.")
    Path teacherLogits;

    @Option(names = "--last-layer-weights", paramLabel = "W.npy",
            description = "Optional start for the fit, shape (c, p) like PyTorch's Linear.weight (with the bias as the last column if you appended a ones feature).")
    Path lastLayerWeights;

    @Option(names = "--test-features", required = true, paramLabel = "T.npy",
            description = "Test features f_t, shape (n_test, p).")
    Path testFeatures;

    @Option(names = "--test-teacher-logits", paramLabel = "Lt.npy",
            description = "The trained model's outputs on the test points, shape (n_test, c): reference for pearson_test.")
    Path testTeacherLogits;

    @Option(names = "--test-labels", paramLabel = "yt.npy", description = "Optional test labels: accuracy of the fitted last layer.")
    Path testLabels;

    /**
     * The inputs as read.
     *
     * @param teacher     the teacher logits of eq. (4) (given, or the network's outputs), or null (eq. 3)
     * @param start       the fit's start (given, or the network's last layer), or null (zeros)
     * @param testTeacher the model's outputs on the test points (given, or the network's), or null
     * @param yt          the test labels, or null
     */
    record Read(DenseMatrix f, DenseMatrix ft, int[] labels, DenseMatrix teacher, DenseMatrix targets,
                DenseMatrix start, DenseMatrix testTeacher, int[] yt) {
    }

    Read read(Loss lossFn, Integer classes, PrintWriter log) {
        DenseMatrix f;
        DenseMatrix ft;
        Mlp net = null;
        DenseMatrix netLogitsTrain = null;
        DenseMatrix netLogitsTest = null;
        if (model != null) {
            net = MlpFiles.load(model);
            DenseMatrix x = MlpCommand.readInputs(trainFeatures, inputScale, log);
            DenseMatrix xt = MlpCommand.readInputs(testFeatures, inputScale, log);
            for (Object[] check : new Object[][] {{trainFeatures, x}, {testFeatures, xt}}) {
                DenseMatrix m = (DenseMatrix) check[1];
                if (m.cols() != net.inputWidth()) {
                    throw new DataException((Path) check[0], "has " + m.cols() + " columns but the network " + model
                            + " takes " + net.inputWidth() + " inputs");
                }
            }
            f = net.features(x).withOnesColumn();
            ft = net.features(xt).withOnesColumn();
            netLogitsTrain = net.logits(x);
            netLogitsTest = net.logits(xt);
        } else {
            f = Npy.read(trainFeatures).toMatrix();
            Validation.requireFinite(f, trainFeatures, "training features");
            ft = Npy.read(testFeatures).toMatrix();
            Validation.requireFinite(ft, testFeatures, "test features");
        }
        if (ft.cols() != f.cols()) {
            throw new DataException(testFeatures, "has " + ft.cols() + " feature columns but " + trainFeatures
                    + " has " + f.cols());
        }
        int[] labels = null;
        if (trainLabels != null) {
            labels = Npy.read(trainLabels).toIntArray();
            if (labels.length != f.rows()) {
                throw new DataException(trainLabels, "has " + labels.length + " labels but " + trainFeatures + " has "
                        + f.rows() + " rows");
            }
        }
        DenseMatrix targets;
        DenseMatrix teacher = null;
        if (teacherLogits == null && netLogitsTrain != null) {
            teacher = netLogitsTrain;
            targets = lossFn.targetsFromLogits(teacher);
        } else if (teacherLogits != null) {
            teacher = Npy.read(teacherLogits).toMatrix();
            Validation.requireFinite(teacher, teacherLogits, "teacher logits");
            if (teacher.rows() != f.rows()) {
                throw new DataException(teacherLogits, "has " + teacher.rows() + " rows but " + trainFeatures
                        + " has " + f.rows());
            }
            targets = lossFn.targetsFromLogits(teacher);
        } else {
            if (labels == null) {
                throw new IllegalArgumentException("give --train-labels (eq. 3) or --teacher-logits (eq. 4)");
            }
            int c = classes != null ? classes : Validation.classCount(labels, trainLabels, "training labels");
            int outputs = lossFn.outputsForClasses(c);
            try {
                targets = lossFn.targetsFromLabels(labels, outputs);
            } catch (IllegalArgumentException e) {
                throw new DataException(trainLabels, e.getMessage());
            }
        }
        if (f.rows() == 0) {
            throw new DataException(trainFeatures, "has 0 rows; at least one training point is needed");
        }
        DenseMatrix start = null;
        if (lastLayerWeights == null && net != null && net.outputWidth() == targets.cols()) {
            start = LinearModels.withBiasColumn(net.lastLayerWeight(), net.lastLayerBias());
        }
        if (lastLayerWeights != null) {
            start = Npy.read(lastLayerWeights).toMatrix();
            if (start.rows() != targets.cols() || start.cols() != f.cols()) {
                throw new DataException(lastLayerWeights, "has shape " + start.shapeString() + ", expected ("
                        + targets.cols() + ", " + f.cols() + ") = (outputs, features)");
            }
        }
        DenseMatrix testTeacher = netLogitsTest;
        if (testTeacherLogits != null) {
            testTeacher = Npy.read(testTeacherLogits).toMatrix();
            if (testTeacher.rows() != ft.rows() || testTeacher.cols() != targets.cols()) {
                throw new DataException(testTeacherLogits, "has shape " + testTeacher.shapeString() + ", expected ("
                        + ft.rows() + ", " + targets.cols() + ")");
            }
        }
        int[] yt = null;
        if (testLabels != null) {
            yt = Npy.read(testLabels).toIntArray();
            if (yt.length != ft.rows()) {
                throw new DataException(testLabels, "has " + yt.length + " labels but " + testFeatures + " has "
                        + ft.rows() + " rows");
            }
        }
        return new Read(f, ft, labels, teacher, targets, start, testTeacher, yt);
    }

    /** How the fit starts, for the settings. */
    String initialization(Read in) {
        return lastLayerWeights != null ? "last-layer-weights" : in.start() != null ? "network-last-layer" : "zeros";
    }

    /** The input files for the provenance (those given). */
    Map<String, Path> files() {
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("model", model);
        inputs.put("train_features", trainFeatures);
        inputs.put("train_labels", trainLabels);
        inputs.put("teacher_logits", teacherLogits);
        inputs.put("last_layer_weights", lastLayerWeights);
        inputs.put("test_features", testFeatures);
        inputs.put("test_teacher_logits", testTeacherLogits);
        inputs.put("test_labels", testLabels);
        inputs.values().removeIf(java.util.Objects::isNull);
        return inputs;
    }
}
