package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.exemplar.data.Npy;
import org.exemplar.data.SvmLight;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 ("results a user can trust"): one test per documented path that used to give a silent wrong answer or
 * lose work. Each assertion fails on the behaviour before the fix (noted per test) and passes after.
 */
class TrustCliTest {
    @TempDir
    Path dir;

    static final int N = 80;
    static final int NT = 10;
    static final int D = 4;
    Path x;
    Path xt;
    Path y;
    Path yt;
    Path y3;
    Path yt3;

    @BeforeEach
    void writeData() {
        SplittableRandom rnd = new SplittableRandom(5);
        DenseMatrix xm = InfluenceCommandTest.gaussian(N, D, rnd);
        DenseMatrix xtm = InfluenceCommandTest.gaussian(NT, D, rnd);
        int[] yl = new int[N];
        int[] c3 = new int[N];
        for (int i = 0; i < N; i++) {
            double z = xm.get(i, 0) - 0.5 * xm.get(i, 1) + 0.8 * rnd.nextGaussian();
            yl[i] = z > 0 ? 1 : 0;
            c3[i] = z > 0.5 ? 2 : (z > -0.5 ? 1 : 0);
        }
        int[] ytl = new int[NT];
        int[] ct3 = new int[NT];
        for (int t = 0; t < NT; t++) {
            double z = xtm.get(t, 0) - 0.5 * xtm.get(t, 1);
            ytl[t] = z > 0 ? 1 : 0;
            ct3[t] = z > 0.5 ? 2 : (z > -0.5 ? 1 : 0);
        }
        x = dir.resolve("x.npy");
        Npy.write(x, xm);
        xt = dir.resolve("xt.npy");
        Npy.write(xt, xtm);
        y = dir.resolve("y.npy");
        Npy.write(y, yl);
        yt = dir.resolve("yt.npy");
        Npy.write(yt, ytl);
        y3 = dir.resolve("y3.npy");
        Npy.write(y3, c3);
        yt3 = dir.resolve("yt3.npy");
        Npy.write(yt3, ct3);
    }

    static CliTestSupport.Run run(Object... args) {
        String[] s = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            s[i] = args[i].toString();
        }
        return CliTestSupport.run(s);
    }

    CliTestSupport.Run influence(Path out, Object... more) {
        List<Object> a = new ArrayList<>(List.of("influence", "--model", "logistic", "--train-features", x,
                "--train-labels", y, "--test-features", xt, "--test-labels", yt, "--out", out));
        a.addAll(List.of(more));
        return run(a.toArray());
    }

    static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- item 4: LiSSA's flag reflects the residual

    /** Before: depth 5 "converged" (no divergence), exit 0, all_converged true at a large residual. */
    @Test
    void lissaAboveItsResidualToleranceExitsThreeAndSaysSo() throws IOException {
        CliTestSupport.Run r = influence(dir.resolve("lissa"), "--solver", "lissa", "--lissa-depth", "5",
                "--skip-self-influence");
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("relative residual") && r.err().contains("tolerance"), r.err());
        assertFalse(Files.exists(dir.resolve("lissa")));

        Path out = dir.resolve("lissa-allowed");
        r = influence(out, "--solver", "lissa", "--lissa-depth", "5", "--skip-self-influence", "--allow-unconverged");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile()).get("solver").get("s_test");
        assertFalse(s.get("all_converged").asBoolean(), s.toString());
        assertTrue(s.get("max_relative_residual").asDouble() > 1e-2, s.toString());

        // full-batch LiSSA deep enough meets the tolerance: the flag is true and the residual says why
        Path deep = dir.resolve("lissa-deep");
        r = influence(deep, "--solver", "lissa", "--lissa-depth", "3000", "--lissa-batch-size", String.valueOf(N),
                "--skip-self-influence");
        assertEquals(0, r.exitCode(), r.toString());
        s = Json.mapper().readTree(deep.resolve("summary.json").toFile()).get("solver").get("s_test");
        assertTrue(s.get("all_converged").asBoolean() && s.get("max_relative_residual").asDouble() <= 1e-2,
                s.toString());
    }

    // ---------------------------------------------------- item 5: a network off its optimum, fail fast, messages

    /**
     * Before: no word about the gradient norm, every batch solved before exit 3, and "wrote ...self_influence..."
     * printed with --skip-self-influence.
     */
    @Test
    void mlpOffItsOptimumIsWarnedUpFrontAndCgFailsAfterTheFirstBatch() {
        Path net = dir.resolve("net.npz");
        MlpFiles.save(net, Mlp.initialize(D, new int[] {5}, Activation.fromName("tanh"), 3, 11), null);
        CliTestSupport.Run r = run("influence", "--model", "mlp:" + net, "--train-features", x, "--train-labels", y3,
                "--test-features", xt, "--test-labels", yt3, "--solver", "cg", "--cg-max-iterations", "2",
                "--test-batch-size", "3", "--skip-self-influence", "--out", dir.resolve("mlp"));
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("is not at a stationary point") && r.err().contains("--hessian gauss-newton"),
                r.err());
        // the warning comes before the solver starts, the failure names the first batch (test points 0..2)
        assertTrue(r.err().indexOf("stationary point") < r.err().indexOf("did not converge"), r.err());
        assertTrue(r.err().contains("right-hand sides 0..2") && r.err().contains("first failed batch"), r.err());

        Path out = dir.resolve("mlp-gn");
        r = run("influence", "--model", "mlp:" + net, "--train-features", x, "--train-labels", y3,
                "--test-features", xt, "--test-labels", yt3, "--hessian", "gauss-newton", "--skip-self-influence",
                "--out", out);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("wrote ") && !r.err().contains("self_influence"), r.err());
        assertFalse(Files.exists(out.resolve("self_influence.npy")));
    }

    // ------------------------------------------------------------ item 10: --out checked before any work

    /** Before: the run computed everything, then failed with "internal error" and a stack trace (exit 1). */
    @Test
    void badOutIsRefusedBeforeAnyWorkWithExitTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere/at/all"));
        for (Object bad : new Object[] {file, file.resolve("under"), dangling, ""}) {
            CliTestSupport.Run r = influence(Path.of(bad.toString()));
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), bad + ": " + r);
            assertFalse(r.err().contains("train:") || r.err().contains("internal error")
                    || r.err().contains("\tat "), r.toString());
            assertTrue(r.err().contains("--out"), r.err());
        }
        assertEquals("x", Files.readString(file));
        // a folder that holds other things than an earlier run's results is not replaced
        Path data = Files.createDirectories(dir.resolve("my-data"));
        Files.writeString(data.resolve("notes.txt"), "mine");
        CliTestSupport.Run r = influence(data);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertEquals("mine", Files.readString(data.resolve("notes.txt")));
        // the other commands' folder and file outputs are checked the same way
        r = run("rps", "--train-features", x, "--train-labels", y3, "--test-features", xt, "--out", file);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        r = run("convert", dir.resolve("in.csv"), dir);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("is a folder"), r.err());
    }

    /** A folder the user cannot write (skipped as root, who can write anywhere but on a read-only mount). */
    @Test
    void unwritableOutIsRefusedBeforeAnyWork() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root bypasses permissions");
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            CliTestSupport.Run r = influence(ro.resolve("out"));
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
            assertTrue(r.err().contains("cannot write"), r.err());
        } finally {
            Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Before: {@code rps --explain-class 99} failed after the fit and left an empty --out folder. */
    @Test
    void failingRunLeavesNoOutFolder() {
        Path out = dir.resolve("rps-out");
        CliTestSupport.Run r = run("rps", "--train-features", x, "--train-labels", y3, "--test-features", xt,
                "--explain-class", "99", "--out", out);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--explain-class 99"), r.err());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".exemplar-")));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Before: an I/O failure at the end of a run (here: the staging folder removed under the run, as a cleaner or a
     * full disk would) escaped as "internal error" with a stack trace and exit 1.
     */
    @Test
    void ioErrorsAtTheEndAreExitTwoWithAMessage() {
        Path out = dir.resolve("io");
        UncheckedIOExceptionHolder h = new UncheckedIOExceptionHolder();
        try (OutputDirectory o = new OutputDirectory(out)) {
            OutputDirectory.deleteTree(o.file("x").getParent());
            o.commit();
        } catch (java.io.UncheckedIOException e) {
            h.e = e;
        }
        assertTrue(h.e != null && h.e.getMessage().contains(out.toString()), String.valueOf(h.e));
        java.io.StringWriter err = new java.io.StringWriter();
        assertEquals(Main.EXIT_BAD_INPUT, Main.exitCode(h.e, new java.io.PrintWriter(err, true)));
        assertTrue(err.toString().startsWith("error: cannot move the results into"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
        assertFalse(Files.exists(out));
    }

    static final class UncheckedIOExceptionHolder {
        java.io.UncheckedIOException e;
    }

    // --------------------------------------------------------- item 12: the results folder is replaced as a whole

    /** Before: a rerun without --loo-indices left the first run's loo.npy beside the new summary.json. */
    @Test
    void rerunReplacesTheFolderAsAWhole() throws IOException {
        Path out = dir.resolve("inf");
        assertEquals(0, influence(out, "--loo-indices", "0:5", "-q").exitCode());
        assertTrue(Files.exists(out.resolve("loo.npy")));
        assertTrue(Files.exists(out.resolve("self_influence.npy")));
        CliTestSupport.Run r = influence(out, "--skip-self-influence", "-q");
        assertEquals(0, r.exitCode(), r.toString());
        // attribution/: the common result files of issue 11 (the folder is replaced as a whole too)
        assertEquals(List.of("attribution", "influence.npy", "summary.json", "theta.npy", "topk.csv"), names(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".exemplar-")));
        }
    }

    /** Before: staging folders of killed runs (~100 MB on real data) stayed forever; convert left *.tmp. */
    @Test
    void staleStagingOfKilledRunsIsCleanedUpAndAReadyFolderRolledForward() throws IOException {
        Path out = dir.resolve("res");
        assertEquals(0, influence(out, "-q", "--skip-self-influence").exitCode());
        long deadPid = deadPid();
        Path staleSibling = Files.createDirectories(dir.resolve(".exemplar-staging-res-" + deadPid + "-abc"));
        Files.writeString(staleSibling.resolve("influence.npy"), "partial");
        Path staleOld = Files.createDirectories(dir.resolve(".exemplar-old-res-" + deadPid + "-abd"));
        Path legacy = Files.createDirectories(out.resolve(".exemplar-staging-123456789"));
        Files.writeString(legacy.resolve("values.npy"), "partial");
        // another target's staging and a live process's staging are left alone
        Path otherTarget = Files.createDirectories(dir.resolve(".exemplar-staging-res-2-" + deadPid + "-abe"));
        Path live = Files.createDirectories(dir.resolve(".exemplar-staging-res-" + ProcessHandle.current().parent()
                .map(ProcessHandle::pid).orElse(1L) + "-abf"));
        assertEquals(0, influence(out, "-q", "--skip-self-influence").exitCode());
        assertFalse(Files.exists(staleSibling));
        assertFalse(Files.exists(staleOld));
        assertFalse(Files.exists(legacy));
        assertTrue(Files.exists(otherTarget));
        assertTrue(Files.exists(live));

        // killed between "old renamed away" and "ready renamed in": the next run's check rolls the results forward
        Path gone = dir.resolve("gone");
        Path ready = Files.createDirectories(dir.resolve(".exemplar-ready-gone-" + deadPid + "-abc"));
        Files.writeString(ready.resolve("summary.json"), "{}");
        OutputDirectory.check(gone);
        assertTrue(Files.exists(gone.resolve("summary.json")));
        assertFalse(Files.exists(ready));

        // convert: a killed run's temporary file beside the output is removed by the next run
        Path csv = Files.writeString(dir.resolve("m.csv"), "1,2\n3,4\n");
        Path tmp = Files.writeString(dir.resolve(".m.npy.1f2e3d.tmp"), "partial");
        CliTestSupport.Run r = run("convert", csv, dir.resolve("m.npy"));
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(Files.exists(tmp));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    /** A process id that is not running (a finished child's). */
    static long deadPid() throws IOException {
        Process p = new ProcessBuilder("true").start();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return p.pid();
    }

    // -------------------------------------------------------------- item 1: inputs scaled twice

    /** Before: mlp features --scale on inputs converted with --scale already ran silently (accuracy 0.087). */
    @Test
    void scalingAlreadyScaledInputsIsWarned() throws IOException {
        Path net = dir.resolve("net.npz");
        MlpFiles.save(net, Mlp.initialize(D, new int[] {5}, Activation.fromName("relu"), 3, 2), null);
        DenseMatrix bytes = new DenseMatrix(6, D);
        for (int k = 0; k < bytes.data().length; k++) {
            bytes.data()[k] = (k * 37) % 256;
        }
        Path raw = dir.resolve("raw.csv");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.rows(); i++) {
            for (int j = 0; j < D; j++) {
                sb.append(j == 0 ? "" : ",").append((int) bytes.get(i, j));
            }
            sb.append('\n');
        }
        Files.writeString(raw, sb.toString());
        Path scaled = dir.resolve("scaled.npy");
        assertEquals(0, run("convert", raw, scaled, "--scale", "0.00392156862745098").exitCode());
        CliTestSupport.Run once = run("mlp", "features", "--model", net, "--input", raw, "--scale",
                "0.00392156862745098", "--features-out", dir.resolve("f1.npy"));
        assertEquals(0, once.exitCode(), once.toString());
        assertFalse(once.err().contains("warning"), once.err());
        CliTestSupport.Run twice = run("mlp", "features", "--model", net, "--input", scaled, "--scale",
                "0.00392156862745098", "--features-out", dir.resolve("f2.npy"));
        assertEquals(0, twice.exitCode(), twice.toString());
        assertTrue(twice.err().contains("warning") && twice.err().contains("already lies in [-1, 1]")
                && twice.err().contains(scaled.toString()), twice.err());
    }

    // ------------------------------------------------------------ item 2: test fidelity without test logits

    /** Before: pearson_test 1.000000 (the fitted last layer against itself). */
    @Test
    void rpsWithoutTestTeacherLogitsReportsNotApplicable() throws IOException {
        DenseMatrix f = Npy.read(x).toMatrix().withOnesColumn();
        DenseMatrix ft = Npy.read(xt).toMatrix().withOnesColumn();
        Path fp = dir.resolve("f.npy");
        Npy.write(fp, f);
        Path ftp = dir.resolve("ft.npy");
        Npy.write(ftp, ft);
        // a "network" with its own logits: a fixed random linear map plus a nonlinearity the last layer cannot fit
        SplittableRandom rnd = new SplittableRandom(9);
        DenseMatrix w = InfluenceCommandTest.gaussian(3, D + 1, rnd);
        Path lp = dir.resolve("l.npy");
        Npy.write(lp, logits(f, w));
        Path ltp = dir.resolve("lt.npy");
        Npy.write(ltp, logits(ft, w));
        Path out = dir.resolve("rps");
        CliTestSupport.Run r = run("rps", "--train-features", fp, "--teacher-logits", lp, "--test-features", ftp,
                "--out", out);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("pearson_test n/a"), r.err());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("pearson_test").isNull(), s.toString());
        r = run("rps", "--train-features", fp, "--teacher-logits", lp, "--test-features", ftp,
                "--test-teacher-logits", ltp, "--out", out);
        assertEquals(0, r.exitCode(), r.toString());
        s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        double p = s.get("pearson_test").asDouble();
        assertTrue(p > 0.5 && p < 0.999999, "a real comparison: " + p);
    }

    static DenseMatrix logits(DenseMatrix f, DenseMatrix w) {
        DenseMatrix l = new DenseMatrix(f.rows(), w.rows());
        for (int i = 0; i < f.rows(); i++) {
            for (int c = 0; c < w.rows(); c++) {
                double z = 0;
                for (int j = 0; j < f.cols(); j++) {
                    z += w.get(c, j) * f.get(i, j);
                }
                l.set(i, c, z + 0.5 * Math.sin(3 * f.get(i, 0)));
            }
        }
        return l;
    }

    // ------------------------------------------------ item 6: last-layer influence from weights trained elsewhere

    /**
     * Before: --model softmax always retrained its own regression and ignored a given last layer. Check: the weights
     * of a first run (theta.npy, trained to ||grad J|| <= 1e-10) given back as --last-layer-weights reproduce its
     * influence scores (same model, same curvature); weights off the optimum are used as given and warned about; a
     * ones column in the features is warned about (it would be a second bias).
     */
    @Test
    void givenLastLayerWeightsAreUsedAsGiven() throws IOException {
        Path trainedRun = dir.resolve("trained");
        List<Object> common = List.of("influence", "--model", "softmax", "--train-features", x, "--train-labels", y3,
                "--test-features", xt, "--test-labels", yt3, "--skip-self-influence");
        List<Object> a = new ArrayList<>(common);
        a.addAll(List.of("--out", trainedRun));
        assertEquals(0, run(a.toArray()).exitCode());
        DenseMatrix theta = Npy.read(trainedRun.resolve("theta.npy")).toMatrix();
        assertEquals(3, theta.rows());
        assertEquals(D + 1, theta.cols());

        Path givenRun = dir.resolve("given");
        a = new ArrayList<>(common);
        a.addAll(List.of("--last-layer-weights", trainedRun.resolve("theta.npy"), "--out", givenRun));
        CliTestSupport.Run r = run(a.toArray());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("as given (not trained)") && !r.err().contains("warning"), r.err());
        DenseMatrix s1 = Npy.read(trainedRun.resolve("influence.npy")).toMatrix();
        DenseMatrix s2 = Npy.read(givenRun.resolve("influence.npy")).toMatrix();
        double max = 0;
        double diff = 0;
        for (int k = 0; k < s1.data().length; k++) {
            max = Math.max(max, Math.abs(s1.data()[k]));
            diff = Math.max(diff, Math.abs(s1.data()[k] - s2.data()[k]));
        }
        // identical parameters and arithmetic: equal up to rounding
        assertTrue(diff <= 1e-12 * max, "max difference " + diff + " of " + max);

        // off the optimum: used as given, warned, the gradient norm in the summary
        DenseMatrix off = theta.copy().scaleInPlace(1.5);
        Path offW = dir.resolve("off.npy");
        Npy.write(offW, off);
        Path offRun = dir.resolve("off");
        a = new ArrayList<>(common);
        a.addAll(List.of("--last-layer-weights", offW, "--out", offRun));
        r = run(a.toArray());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("warning") && r.err().contains("not at a stationary point"), r.err());
        JsonNode sum = Json.mapper().readTree(offRun.resolve("summary.json").toFile());
        assertTrue(sum.get("relative_gradient_norm").asDouble() > 1e-3, sum.toString());
        assertEquals("used as given (not trained)", sum.get("settings").get("last_layer_weights").asText());

        // a ones column among the features is a second bias: warned
        Path ones = dir.resolve("x1.npy");
        Npy.write(ones, Npy.read(x).toMatrix().withOnesColumn());
        Path onesT = dir.resolve("xt1.npy");
        Npy.write(onesT, Npy.read(xt).toMatrix().withOnesColumn());
        r = run("influence", "--model", "softmax", "--train-features", ones, "--train-labels", y3, "--test-features",
                onesT, "--test-labels", yt3, "--skip-self-influence", "--out", dir.resolve("ones"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("feature column " + D + " is constant 1"), r.err());
        // wrong shape: exit 2 naming the expected one
        r = run("influence", "--model", "softmax", "--train-features", x, "--train-labels", y3, "--test-features", xt,
                "--test-labels", yt3, "--last-layer-weights", offW, "--classes", "4", "--out", dir.resolve("bad"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("expected (4, " + (D + 1) + ")"), r.err());
    }

    // ---------------------------------------------------------------- item 11: implausible class counts

    /** Before: one label of 10^6 meant a million classes (gigabytes, minutes, no message); gaps were accepted. */
    @Test
    void implausibleClassCountsAndEmptyClassesAreExitTwo() {
        int[] stray = new int[N];
        stray[N - 1] = 1_000_000;
        stray[0] = 1;
        Path ys = dir.resolve("stray.npy");
        Npy.write(ys, stray);
        int[] gap = new int[N];
        for (int i = 0; i < N; i++) {
            gap[i] = i % 2 == 0 ? 0 : 2;
        }
        Path yg = dir.resolve("gap.npy");
        Npy.write(yg, gap);
        for (Path labels : new Path[] {ys, yg}) {
            long t0 = System.nanoTime();
            CliTestSupport.Run r = run("rps", "--train-features", x, "--train-labels", labels, "--test-features", xt,
                    "--out", dir.resolve("r"));
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
            assertTrue(r.err().contains(labels.toString()), r.err());
            r = run("influence", "--model", "softmax", "--train-features", x, "--train-labels", labels,
                    "--test-features", xt, "--test-labels", yt, "--out", dir.resolve("i"));
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
            assertTrue((System.nanoTime() - t0) / 1e9 < 30, "rejected before any work");
        }
        CliTestSupport.Run r = run("rps", "--train-features", x, "--train-labels", ys, "--test-features", xt,
                "--out", dir.resolve("r"));
        assertTrue(r.err().contains("1000001 classes"), r.err());
    }

    // --------------------------------------------------------------- item 14: meaningless settings are refused

    /** Before: --test-points 0 (NaN table) and --ks 0 exit 0, k > n garbage or exit 3, empty CSV a (0,0) array. */
    @Test
    void meaninglessSettingsAreExitTwo() throws IOException {
        Path train = dir.resolve("train.svm");
        Path test = dir.resolve("test.svm");
        SvmLight.write(train, HdrepL1CommandTest.data(60, 1));
        SvmLight.write(test, HdrepL1CommandTest.data(8, 2));
        String[][] bad = {{"--test-points", "0"}, {"--ks", "0"}, {"--ks", "5,80"}, {"--ks", "3,2"}};
        for (String[] b : bad) {
            List<Object> a = new ArrayList<>(List.of("evaluate", "deletion", "l1", "--train", train, "--test", test,
                    "--lambda", "0.01", "--out", dir.resolve("del")));
            a.addAll(List.of((Object[]) b));
            CliTestSupport.Run r = run(a.toArray());
            assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), String.join(" ", b) + ": " + r);
        }
        // the default schedule (1 %, .., 5 % of n) on 20 points is k = 1, 1, 1, 1, 1: said plainly, before fitting
        Path small = dir.resolve("small.svm");
        SvmLight.write(small, HdrepL1CommandTest.data(20, 1));
        CliTestSupport.Run r = run("evaluate", "deletion", "l1", "--train", small, "--test", test, "--lambda", "0.01",
                "--out", dir.resolve("del"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("give --ks explicitly"), r.toString());

        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        r = run("convert", empty, dir.resolve("e.npy"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertFalse(Files.exists(dir.resolve("e.npy")));

        // a 0-row training set is named as such, not as "a single class"
        Npy.write(dir.resolve("x0.npy"), new DenseMatrix(0, D));
        Npy.write(dir.resolve("y0.npy"), new int[0]);
        r = run("influence", "--model", "logistic", "--train-features", dir.resolve("x0.npy"), "--train-labels",
                dir.resolve("y0.npy"), "--test-features", xt, "--test-labels", yt, "--out", dir.resolve("z"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("0 rows") && !r.err().contains("single class"), r.err());
    }

    /** Before: Soft-Impute stopping short printed "NOT converged" and exited 0, with no --allow-unconverged. */
    @Test
    void softImputeNotConvergedIsExitThreeUnlessAllowed() throws Exception {
        Path ml = new CfCommandsTest() {
            {
                dir = TrustCliTest.this.dir;
            }
        }.movieLensLike(12, 10);
        Npy.write(dir.resolve("P.npy"), DenseMatrix.fromRows(new double[][] {{0, 0}, {3, 4}}));
        Object[] args = {"hdrep", "cf", "--ratings", ml.resolve("u.data"), "--train", "soft-impute", "--lambda", "0.05",
            "--rank", "3", "--max-iterations", "2", "--test-pairs", dir.resolve("P.npy"), "--out", dir.resolve("cf")};
        CliTestSupport.Run r = run(args);
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("soft-impute did not converge") && r.err().contains("--allow-unconverged"), r.err());
        List<Object> allowed = new ArrayList<>(List.of(args));
        allowed.add("--allow-unconverged");
        r = run(allowed.toArray());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Before: "+- NaN" with one test point. */
    @Test
    void oneTestPointPrintsNoNaN() {
        Path train = dir.resolve("train.svm");
        Path test = dir.resolve("test.svm");
        SvmLight.write(train, HdrepL1CommandTest.data(120, 1));
        SvmLight.write(test, HdrepL1CommandTest.data(8, 2));
        CliTestSupport.Run r = run("evaluate", "deletion", "l1", "--train", train, "--test", test, "--lambda", "0.01",
                "--test-points", "1", "--ks", "1,2", "--methods", "highdim,random", "--out", dir.resolve("del"), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(r.out().contains("NaN"), r.out());
        assertTrue(r.out().contains("+- n/a"), r.out());
    }

    /** Before: text bow --min-count 1000 wrote an empty vocabulary with exit 0. */
    @Test
    void emptyVocabularyIsExitTwo() throws IOException {
        for (String c : new String[] {"pos", "neg"}) {
            Path d = Files.createDirectories(dir.resolve("corpus").resolve(c));
            Files.writeString(d.resolve("1.txt"), "a fine film " + c);
        }
        Path out = dir.resolve("bow.svm");
        CliTestSupport.Run r = run("text", "bow", "--corpus", dir.resolve("corpus"), "--min-count", "1000", "--out",
                out);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("vocabulary is empty"), r.err());
        assertFalse(Files.exists(out));
    }

    // -------------------------------------------------------------- item 3: huge dense outputs need asking for

    /** Before: hdrep l1 wrote two dense n_test x n_train arrays of any size (9.4 GB on IMDB) unasked. */
    @Test
    void oversizedDenseOutputIsRefusedWithItsSizeAndNoDenseSkipsIt() throws IOException {
        Path train = dir.resolve("train.svm");
        Path test = dir.resolve("test.svm");
        SvmLight.write(train, HdrepL1CommandTest.data(100, 1));
        SvmLight.write(test, HdrepL1CommandTest.data(10, 2));
        Path out = dir.resolve("l1");
        CliTestSupport.Run r = run("hdrep", "l1", "--train", train, "--test", test, "--lambda", "0.01",
                "--max-output-gb", "0.00001", "--out", out);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        // 2 arrays x 10 x 100 x 8 bytes = 16000 bytes = 0.0 MB, above 1e4 bytes
        assertTrue(r.err().contains("10 x 100 float64") && r.err().contains("--max-output-gb"), r.err());
        assertFalse(r.err().contains("L1 logistic regression:"), "refused before fitting: " + r.err());
        assertFalse(Files.exists(out));
        r = run("hdrep", "l1", "--train", train, "--test", test, "--lambda", "0.01", "--no-dense", "--out", out, "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("alpha.npy", "attribution", "summary.json", "theta.npy", "topk.csv"), names(out));
        assertEquals(List.of("summary.json", "topk.csv"), names(out.resolve("attribution")),
                "--no-dense skips attribution/scores.npy too");
    }
}
