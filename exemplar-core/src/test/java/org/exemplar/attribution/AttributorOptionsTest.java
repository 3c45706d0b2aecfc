package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.LinearModels;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.RepresenterPoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder options, validation messages, the .npy sink and loading errors. */
class AttributorOptionsTest {
    private static final SplittableRandom R = new SplittableRandom(71);
    private static final DenseMatrix X = ContractFixtures.gaussianMatrix(40, 3, R).withOnesColumn();
    private static final int[] Y = ContractFixtures.linearLabels(X, 3, 0.5, R);
    private static final Examples TRAIN = Examples.labeled(X.rowRange(0, 30), Arrays.copyOfRange(Y, 0, 30));
    private static final Examples TEST = Examples.labeled(X.rowRange(30, 40), Arrays.copyOfRange(Y, 30, 40));

    @Test
    void rpsFromTeacherLogitsAndAStartIsTheWrappedEquationFour() {
        DenseMatrix w0 = ContractFixtures.gaussianMatrix(3, 4, new SplittableRandom(5));
        DenseMatrix logits = org.exemplar.linalg.Blas.multiply(org.exemplar.linalg.Transpose.NO, TRAIN.features(),
                org.exemplar.linalg.Transpose.YES, w0);
        RepresenterAttributor a = Attributors.representer().lambda(0.01).teacherLogits(logits).startFrom(w0)
                .prepare(Examples.unlabeled(TRAIN.features()));
        // the same computation through the representer package directly
        Loss loss = new SoftmaxCrossEntropy();
        DenseMatrix targets = loss.targetsFromLogits(logits);
        LastLayerFit fit = new LastLayerFitter(new FitOptions(0.01, 1e-10, 5000, true)).fit(TRAIN.features(), targets,
                loss, w0, null);
        RepresenterPoints rp = RepresenterPoints.of(TRAIN.features(), targets, loss, 0.01, fit.theta());
        DenseMatrix expected = rp.values(TEST.features(), rp.predictedClasses(TEST.features()));
        assertArrayEquals(expected.data(), a.attribute(TEST).scores().data(), 0.0);
        assertTrue(a.provenance().settings().get("targets").toString().startsWith("teacher logits"));
    }

    @Test
    void rpsCanExplainTheLabelledClass() {
        RepresenterAttributor a = Attributors.representer().lambda(0.01)
                .explain(RepresenterAttributor.ExplainedClass.LABEL).prepare(TRAIN);
        Attribution s = a.attribute(TEST);
        DenseMatrix phi = a.points().outputs(TEST.features());
        for (int t = 0; t < TEST.size(); t++) {
            double sum = Arrays.stream(s.scores().row(t)).sum();
            assertEquals(phi.get(t, TEST.labels()[t]), sum, 1e-8, "row " + t + " sums to the label's logit");
        }
        assertThrows(IllegalArgumentException.class, () -> a.attribute(Examples.unlabeled(TEST.features())));
    }

    @Test
    void scoresStreamIntoANpyFile(@TempDir Path dir) {
        InfluenceAttributor a = Attributors.influence(LinearModels.Kind.SOFTMAX).l2(0.05).prepare(TRAIN);
        Path f = dir.resolve("scores.npy");
        try (NpyScoreSink sink = new NpyScoreSink(f, TEST.size(), a.trainSize())) {
            a.score(TEST, 3, sink);
            sink.commit();
        }
        DenseMatrix expected = new DenseMatrix(TEST.size(), a.trainSize());
        a.score(TEST, 3, (first, block) -> System.arraycopy(block.data(), 0, expected.data(),
                first * expected.cols(), block.data().length));
        assertArrayEquals(expected.data(), Npy.readMatrix(f).data(), 0.0);
        Path g = dir.resolve("unfinished.npy");
        try (NpyScoreSink sink = new NpyScoreSink(g, TEST.size(), a.trainSize())) {
            a.score(TEST.rows(0, 2), 2, sink);
        }
        assertFalse(Files.exists(g), "an uncommitted score file is not left behind");
    }

    @Test
    void optionsAreValidatedWhenSetWithMessagesNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> Attributors.representer().lambda(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Attributors.influence(LinearModels.Kind.LOGISTIC).damping(-1e-3));
        assertThrows(IllegalArgumentException.class, () -> Attributors.influence(LinearModels.Kind.LOGISTIC).l2(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Attributors.influence(LinearModels.Kind.LOGISTIC).arnoldi(5, 6));
        assertThrows(IllegalArgumentException.class, () -> Attributors.ntk().lambda(-0.1));
        assertThrows(IllegalStateException.class,
                () -> Attributors.l1Representer().prepare(ContractFixtures.sparse(10, 5, 0.5, 1, true)));
        var n = assertThrows(IllegalArgumentException.class,
                () -> Attributors.ntk().prepare(Examples.regression(TRAIN.features(), new double[30])));
        assertTrue(n.getMessage().contains("unit-norm"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Examples.labeled(X, new int[3]));
        assertThrows(IllegalArgumentException.class, () -> new SparseExamples(
                ContractFixtures.sparse(3, 4, 0.5, 2, false).x(), new double[] {1, 0, -1}));
        var cf = Attributors.cfNuclearNorm().prepare(CfNuclearNormContractTest.TRAIN);
        var p = assertThrows(IllegalArgumentException.class, () -> cf.attribute(RatingPairs.of(new int[] {99},
                new int[] {0})));
        assertTrue(p.getMessage().contains("(99, 0)"), p.getMessage());
    }

    @Test
    void loadingRefusesWhatIsNotAnArtifactOrNotTheExpectedType(@TempDir Path dir) throws Exception {
        assertThrows(DataException.class, () -> Attributors.load(dir));
        Path a = dir.resolve("rps");
        Attributors.representer().lambda(0.01).prepare(TRAIN).save(a);
        assertEquals(RepresenterAttributor.class, Attributors.load(a, RepresenterAttributor.class).getClass());
        var e = assertThrows(DataException.class, () -> Attributors.load(a, InfluenceAttributor.class));
        assertTrue(e.getMessage().contains("rps-l2"), e.getMessage());
        Files.writeString(a.resolve("artifact.json"), Files.readString(a.resolve("artifact.json"))
                .replace("\"version\" : 1", "\"version\" : 99"));
        assertThrows(DataException.class, () -> Attributors.load(a));
    }
}
