package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.exemplar.data.Npy;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.TestFunction;
import org.exemplar.influence.TrainingData;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.exemplar.solver.ExactSolver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code influence} command: outputs, agreement with the library and with leave-one-out, exit codes. */
class InfluenceCommandTest {
    @TempDir
    Path dir;

    static final int N = 120;
    static final int NT = 15;
    static final int D = 4;
    Path x;
    Path xt;
    Path yPm;
    Path yt01;
    Path yc;
    Path ytc;
    Path yr;
    Path ytr;
    DenseMatrix xm;
    DenseMatrix xtm;
    int[] y01;

    @BeforeEach
    void writeData() {
        SplittableRandom rnd = new SplittableRandom(17);
        xm = gaussian(N, D, rnd);
        xtm = gaussian(NT, D, rnd);
        y01 = new int[N];
        int[] ypm = new int[N];
        int[] cls = new int[N];
        double[] reg = new double[N];
        for (int i = 0; i < N; i++) {
            double z = xm.get(i, 0) - 0.5 * xm.get(i, 1) + 0.8 * rnd.nextGaussian();
            y01[i] = z > 0 ? 1 : 0;
            ypm[i] = z > 0 ? 1 : -1;
            cls[i] = z > 0.5 ? 2 : (z > -0.5 ? 1 : 0);
            reg[i] = z + 0.1;
        }
        int[] yt = new int[NT];
        int[] ytCls = new int[NT];
        double[] ytReg = new double[NT];
        for (int t = 0; t < NT; t++) {
            double z = xtm.get(t, 0) - 0.5 * xtm.get(t, 1);
            yt[t] = z > 0 ? 1 : 0;
            ytCls[t] = z > 0.5 ? 2 : (z > -0.5 ? 1 : 0);
            ytReg[t] = z;
        }
        x = write("x.npy", xm);
        xt = write("xt.npy", xtm);
        yPm = dir.resolve("ypm.npy");
        Npy.write(yPm, ypm);
        yt01 = dir.resolve("yt.npy");
        Npy.write(yt01, yt);
        yc = dir.resolve("yc.npy");
        Npy.write(yc, cls);
        ytc = dir.resolve("ytc.npy");
        Npy.write(ytc, ytCls);
        yr = dir.resolve("yr.npy");
        Npy.write(yr, reg);
        ytr = dir.resolve("ytr.npy");
        Npy.write(ytr, ytReg);
    }

    Path write(String name, DenseMatrix m) {
        Path p = dir.resolve(name);
        Npy.write(p, m);
        return p;
    }

    static DenseMatrix gaussian(int r, int c, SplittableRandom rnd) {
        DenseMatrix m = new DenseMatrix(r, c);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = rnd.nextGaussian();
        }
        return m;
    }

    CliTestSupport.Run run(String... extra) {
        return CliTestSupport.run(extra);
    }

    String[] base(String model, Path y, Path yt, Path out, String... more) {
        String[] b = {"influence", "--model", model, "--train-features", x.toString(), "--train-labels", y.toString(),
            "--test-features", xt.toString(), "--test-labels", yt.toString(), "--out", out.toString(), "-q"};
        String[] all = new String[b.length + more.length];
        System.arraycopy(b, 0, all, 0, b.length);
        System.arraycopy(more, 0, all, b.length, more.length);
        return all;
    }

    @Test
    void logisticWithPlusMinusOneLabelsWritesEverythingAndMatchesTheLibraryAndLeaveOneOut() throws IOException {
        Path out = dir.resolve("logistic");
        CliTestSupport.Run r = run(base("logistic", yPm, yt01, out, "--loo-indices", "0:12", "--top-k", "3"));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.out());
        DenseMatrix inf = Npy.read(out.resolve("influence.npy")).toMatrix();
        assertEquals(NT, inf.rows());
        assertEquals(N, inf.cols());
        assertEquals(N, Npy.read(out.resolve("self_influence.npy")).toDoubleArray().length);
        DenseMatrix theta = Npy.read(out.resolve("theta.npy")).toMatrix();
        assertEquals(1, theta.rows());
        assertEquals(D + 1, theta.cols());
        DenseMatrix loo = Npy.read(out.resolve("loo.npy")).toMatrix();
        assertEquals(12, loo.rows());
        assertEquals(NT, loo.cols());

        // the same scores from the library, at the parameters the command wrote (W, then bias last)
        Mlp m = LinearModels.zeros(D, 1);
        m.setParameters(theta.data().clone());
        SigmoidCrossEntropy loss = new SigmoidCrossEntropy();
        TrainingData td = new TrainingData(xm, loss.targetsFromLabels(y01, 1), loss, 0.01);
        DenseMatrix ref = InfluenceFunctions.prepare(m, td, InfluenceOptions.of(Curvature.HESSIAN, 0.001),
                new ExactSolver()).scores(xtm, loss.targetsFromLabels(Npy.read(yt01).toIntArray(), 1), TestFunction.LOSS,
                null).scores();
        for (int k = 0; k < ref.data().length; k++) {
            // identical computation from identical parameters: rounding only
            assertEquals(ref.data()[k], inf.data()[k], 1e-12 * (1e-6 + Math.abs(ref.data()[k])));
        }

        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("relative_gradient_norm").asDouble() <= 1e-10, s.toString());
        assertTrue(s.at("/training/converged").asBoolean());
        assertEquals("-1 mapped to 0, +1 kept", s.at("/settings/label_mapping").asText());
        assertTrue(s.at("/leave_one_out/pearson").asDouble() >= 0.99, s.at("/leave_one_out").toString());
        assertTrue(s.at("/leave_one_out/all_converged").asBoolean());
        assertTrue(s.at("/solver/s_test/all_converged").asBoolean());
        assertTrue(s.at("/provenance/dataSha256/train_labels").asText().contains("sha256:"));
        assertEquals(0L, s.at("/provenance/seed").asLong());
        for (String k : new String[] {"timings", "orientation", "gradient_norm", "backend"}) {
            assertTrue(s.has(k), k);
        }
        long rows;
        try (Stream<String> lines = Files.lines(out.resolve("topk.csv"))) {
            rows = lines.count();
        }
        assertTrue(rows > 1 && rows <= 1 + NT * 6, "header plus at most 3 helpful and 3 harmful per test point");
        assertNoStaging(out);
    }

    @Test
    void testBatchSizeDoesNotChangeTheScores() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, run(base("softmax", yc, ytc, a, "--solver", "cg", "--measure", "margin")).exitCode());
        assertEquals(0, run(base("softmax", yc, ytc, b, "--solver", "cg", "--measure", "margin", "--test-batch-size",
                "4", "--train-block-rows", "7")).exitCode());
        DenseMatrix sa = Npy.read(a.resolve("influence.npy")).toMatrix();
        DenseMatrix sb = Npy.read(b.resolve("influence.npy")).toMatrix();
        for (int k = 0; k < sa.data().length; k++) {
            assertEquals(sa.data()[k], sb.data()[k], 1e-12 * (1e-6 + Math.abs(sa.data()[k])));
        }
    }

    @Test
    void linearRegressionWithLissaAndArnoldi() throws IOException {
        Path out = dir.resolve("linear");
        CliTestSupport.Run r = run(base("linear", yr, ytr, out, "--solver", "lissa", "--lissa-depth", "3000",
                "--lissa-batch-size", "1000", "--loo-indices", "3,5,7", "--loo-start", "cold"));
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("real targets", s.at("/settings/label_mapping").asText());
        assertEquals("cold", s.at("/leave_one_out/start").asText());
        assertTrue(s.at("/settings/solver_settings/scale").asDouble() > 0);
        assertTrue(s.at("/leave_one_out/pearson").asDouble() >= 0.99, s.at("/leave_one_out").toString());
        Path out2 = dir.resolve("arnoldi");
        r = run(base("linear", yr, ytr, out2, "--solver", "arnoldi", "--arnoldi-iterations", "5", "--arnoldi-top-k", "5"));
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void mlpFileWithGaussNewtonAndConjugateGradient() throws IOException {
        Mlp net = Mlp.initialize(new int[] {D, 6, 3}, new Activation[] {Activation.TANH}, 3);
        Path file = dir.resolve("net.npz");
        MlpFiles.save(file, net, null);
        Path out = dir.resolve("mlp");
        CliTestSupport.Run r = run(base("mlp:" + file, yc, ytc, out, "--hessian", "gauss-newton", "--solver", "cg",
                "--l2", "0.001", "--measure", "logit:1"));
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(Files.exists(out.resolve("theta.npy")), "theta.npy is for linear models");
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("gauss-newton", s.at("/settings/hessian").asText());
        assertEquals("mlp", s.at("/settings/model").asText());
        assertEquals("logit:1", s.at("/settings/measure").asText());
        assertTrue(s.get("gradient_norm").asDouble() > 0, "an untrained MLP is not at a stationary point: reported");
    }

    @Test
    void badLabelsAndMismatchedRowsExitTwo() {
        Path bad = dir.resolve("bad.npy");
        int[] labels = new int[N];
        labels[5] = 2;
        Npy.write(bad, labels);
        CliTestSupport.Run r = run(base("logistic", bad, yt01, dir.resolve("o1")));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("{0,1} or {-1,+1}") && r.err().contains("row 5"), r.err());

        r = run(base("softmax", yc, ytc, dir.resolve("o2"), "--classes", "2"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("outside [0, 2)"), r.err());

        Path short_ = dir.resolve("short.npy");
        Npy.write(short_, new int[N - 1]);
        r = run(base("logistic", short_, yt01, dir.resolve("o3")));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains(N - 1 + " rows"), r.err());

        r = run(base("logistic", yPm, yt01, dir.resolve("o4"), "--loo-indices", "0:" + (N + 1)));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertFalse(Files.exists(dir.resolve("o4").resolve("influence.npy")));
    }

    @Test
    void singularHessianWithoutDampingExitsThreeAndWritesNothing() {
        DenseMatrix dup = new DenseMatrix(N, 2);
        for (int i = 0; i < N; i++) {
            dup.set(i, 0, xm.get(i, 0));
            dup.set(i, 1, xm.get(i, 0));
        }
        Path xd = write("dup.npy", dup);
        DenseMatrix dupT = new DenseMatrix(NT, 2);
        Path xdt = write("dupt.npy", dupT);
        Path out = dir.resolve("singular");
        CliTestSupport.Run r = run("influence", "--model", "linear", "--train-features", xd.toString(), "--train-labels",
                yr.toString(), "--test-features", xdt.toString(), "--test-labels", ytr.toString(), "--l2", "0",
                "--damping", "0", "--out", out.toString(), "-q");
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("not positive definite") && r.err().contains("damping"), r.err());
        assertFalse(Files.exists(out.resolve("influence.npy")));
    }

    @Test
    void divergingLissaExitsThreeWithASuggestedScale() {
        CliTestSupport.Run r = run(base("logistic", yPm, yt01, dir.resolve("div"), "--solver", "lissa", "--lissa-scale",
                "0.01", "--lissa-depth", "200", "--skip-self-influence"));
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("diverged") && r.err().contains("suggested"), r.err());
    }

    static void assertNoStaging(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".exemplar-staging")));
        }
    }
}
