package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.linalg.Vectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RpsCommandTest {
    @TempDir
    Path dir;

    Path f;
    Path y;
    Path ft;
    Path teacher;
    Path yBinary;
    static final int N = 150;
    static final int NT = 20;
    static final int C = 3;

    static DenseMatrix gaussian(int r, int c, SplittableRandom rnd) {
        DenseMatrix m = new DenseMatrix(r, c);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextGaussian();
        }
        return m;
    }

    @BeforeEach
    void writeData() {
        SplittableRandom rnd = new SplittableRandom(5);
        DenseMatrix x = gaussian(N, 5, rnd).withOnesColumn();
        DenseMatrix w = gaussian(C, 6, rnd);
        DenseMatrix logits = Blas.multiply(Transpose.NO, x, Transpose.YES, w);
        int[] labels = new int[N];
        int[] binary = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = Vectors.argmax(logits.data(), i * C, C);
            binary[i] = logits.get(i, 0) > 0 ? 1 : 0;
        }
        f = dir.resolve("f.npy");
        y = dir.resolve("y.npy");
        ft = dir.resolve("ft.npy");
        teacher = dir.resolve("logits.npy");
        yBinary = dir.resolve("yb.npy");
        Npy.write(f, x);
        Npy.write(y, labels);
        Npy.write(ft, gaussian(NT, 5, rnd).withOnesColumn());
        Npy.write(teacher, logits);
        Npy.write(yBinary, binary);
    }

    @Test
    void writesEveryOutputAndTheDecompositionReproducesTheFittedOutputs() throws IOException {
        Path out = dir.resolve("out");
        CliTestSupport.Run r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels", y.toString(),
                "--test-features", ft.toString(), "--lambda", "0.003", "--top-k", "4", "--out", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.out(), "nothing on stdout");
        DenseMatrix theta = Npy.read(out.resolve("theta.npy")).toMatrix();
        DenseMatrix alpha = Npy.read(out.resolve("alpha.npy")).toMatrix();
        DenseMatrix values = Npy.read(out.resolve("values.npy")).toMatrix();
        assertEquals(C, theta.rows());
        assertEquals(6, theta.cols());
        assertEquals(N, alpha.rows());
        assertEquals(C, alpha.cols());
        assertEquals(NT, values.rows());
        assertEquals(N, values.cols());
        // each row of values sums to the fitted last layer's output for the predicted class (Thm 3.1);
        // the fit is at stationarity residual <= 1e-10, so 1e-8 relative to the output scale is generous
        DenseMatrix xt = Npy.read(ft).toMatrix();
        DenseMatrix phi = Blas.multiply(Transpose.NO, xt, Transpose.YES, theta);
        for (int t = 0; t < NT; t++) {
            int cls = Vectors.argmax(phi.data(), t * C, C);
            double sum = 0;
            for (int i = 0; i < N; i++) {
                sum += values.get(t, i);
            }
            assertEquals(phi.get(t, cls), sum, 1e-8 * (1 + Math.abs(phi.get(t, cls))));
        }
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("stationarity_residual").asDouble() <= 1e-10, s.toString());
        assertTrue(s.get("converged").asBoolean());
        // no teacher given: fidelity is measured against the fitted layer itself, so it is 1 up to rounding
        assertEquals(1.0, s.get("pearson_train").asDouble(), 1e-9);
        // ... but on test points that comparison is uninformative (issue 15, item 2): reported as null / n/a
        assertTrue(s.get("pearson_test").isNull(), s.toString());
        assertEquals("fitted-last-layer", s.get("fidelity_reference_train").asText());
        for (String key : List.of("seconds_fit", "seconds_score", "backend", "settings", "provenance")) {
            assertTrue(s.has(key), key);
        }
        assertTrue(s.at("/provenance/dataSha256/train_features").asText().contains("sha256:"));
        List<String[]> top = readCsv(out.resolve("topk.csv"));
        assertEquals(List.of("test_index", "class", "kind", "rank", "train_index", "value", "alpha", "similarity",
                "train_label"), List.of(top.get(0)));
        assertEquals(NT * 2 * 4, top.size() - 1, "4 excitatory and 4 inhibitory rows per test point");
        // the first excitatory row of test 0 is the largest value in row 0 of values.npy
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < N; i++) {
            max = Math.max(max, values.get(0, i));
        }
        assertEquals("excitatory", top.get(1)[2]);
        assertEquals(max, Double.parseDouble(top.get(1)[5]), 1e-12 * Math.abs(max));
        assertNoStaging(out);
    }

    @Test
    void teacherLogitsAndSigmoidAndAnyClassOnRequest() throws IOException {
        Path out = dir.resolve("teacher");
        CliTestSupport.Run r = CliTestSupport.run("rps", "--train-features", f.toString(), "--teacher-logits",
                teacher.toString(), "--test-features", ft.toString(), "--explain-class", "2", "--out", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("eq4-teacher-logits", s.at("/settings/objective").asText());
        assertEquals("teacher-logits", s.get("fidelity_reference_train").asText());
        // the teacher is linear in the features, so the fitted layer tracks it closely at lambda = 0.003
        assertTrue(s.get("pearson_train").asDouble() > 0.95, s.toString());
        List<String[]> top = readCsv(out.resolve("topk.csv"));
        for (int row = 1; row < top.size(); row++) {
            assertEquals("2", top.get(row)[1]);
        }

        Path outB = dir.resolve("binary");
        r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels", yBinary.toString(), "--loss",
                "sigmoid", "--test-features", ft.toString(), "--out", outB.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, Npy.read(outB.resolve("theta.npy")).toMatrix().rows(), "one sigmoid output");
    }

    @Test
    void mismatchedRowsNameTheFileAndLeaveNothingBehind() {
        Path shortLabels = dir.resolve("short.npy");
        Npy.write(shortLabels, new int[] {0, 1, 2});
        Path out = dir.resolve("bad1");
        CliTestSupport.Run r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels",
                shortLabels.toString(), "--test-features", ft.toString(), "--out", out.toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("short.npy") && r.err().contains("3 labels") && r.err().contains("150 rows"), r.err());
        assertFalse(Files.exists(out.resolve("summary.json")));
    }

    @Test
    void nonFiniteFeaturesAreRejectedWithTheirPosition() {
        DenseMatrix x = Npy.read(f).toMatrix();
        x.set(7, 2, Double.NaN);
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, x);
        CliTestSupport.Run r = CliTestSupport.run("rps", "--train-features", nan.toString(), "--train-labels",
                y.toString(), "--test-features", ft.toString(), "--out", dir.resolve("bad2").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("nan.npy") && r.err().contains("NaN"), r.err());
    }

    @Test
    void wrongFeatureWidthTruncatedFileBadLabelsAndMissingFileAreClearErrors() throws IOException {
        Path narrow = dir.resolve("narrow.npy");
        Npy.write(narrow, new DenseMatrix(NT, 3));
        CliTestSupport.Run r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels",
                y.toString(), "--test-features", narrow.toString(), "--out", dir.resolve("o1").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("narrow.npy") && r.err().contains("3 feature columns"), r.err());

        Path truncated = dir.resolve("trunc.npy");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        r = CliTestSupport.run("rps", "--train-features", truncated.toString(), "--train-labels", y.toString(),
                "--test-features", ft.toString(), "--out", dir.resolve("o2").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("trunc.npy"), r.err());

        r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels", y.toString(), "--loss",
                "sigmoid", "--classes", "2", "--test-features", ft.toString(), "--out", dir.resolve("o3").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("y.npy") && r.err().contains("0/1"), r.err());

        r = CliTestSupport.run("rps", "--train-features", dir.resolve("missing.npy").toString(), "--train-labels",
                y.toString(), "--test-features", ft.toString(), "--out", dir.resolve("o4").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("missing.npy"), r.err());

        r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels", y.toString(), "--loss",
                "hinge", "--test-features", ft.toString(), "--out", dir.resolve("o5").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("hinge"), r.err());
    }

    @Test
    void nonConvergenceExitsThreeWithTheResidualUnlessAllowed() throws IOException {
        Path out = dir.resolve("nc");
        CliTestSupport.Run r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels",
                y.toString(), "--test-features", ft.toString(), "--max-iterations", "1", "--out", out.toString(), "-q");
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("stationarity residual"), r.err());
        assertFalse(Files.exists(out.resolve("values.npy")));

        r = CliTestSupport.run("rps", "--train-features", f.toString(), "--train-labels", y.toString(),
                "--test-features", ft.toString(), "--max-iterations", "1", "--allow-unconverged", "--out",
                out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertFalse(s.get("converged").asBoolean());
        assertTrue(s.get("stationarity_residual").asDouble() > 1e-10);
    }

    @Test
    void helpDocumentsTheContract() {
        CliTestSupport.Run r = CliTestSupport.run("rps", "--help");
        assertEquals(0, r.exitCode());
        for (String opt : List.of("--train-features", "--train-labels", "--teacher-logits", "--test-features",
                "--lambda", "--loss", "--top-k", "--out", "constant-1 column")) {
            assertTrue(r.out().contains(opt), opt);
        }
    }

    static List<String[]> readCsv(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> l.split(",")).toList();
    }

    static void assertNoStaging(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".exemplar-staging")));
        }
    }
}
