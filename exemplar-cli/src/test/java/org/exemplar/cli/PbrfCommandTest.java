package org.exemplar.cli;

import static org.exemplar.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Npz;
import org.exemplar.influence.TrainingData;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.response.PbrfExperiment;
import org.exemplar.response.PbrfResult;
import org.exemplar.response.PbrfSettings;
import org.exemplar.response.ResponseSettings;
import org.exemplar.response.SolverChoice;
import org.exemplar.response.TestLossTarget;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code pbrf} command on small generated data: files, agreement with the library, exit codes. */
class PbrfCommandTest {
    @TempDir
    Path dir;

    static final int N = 48;
    static final int NT = 12;
    Path x;
    Path y;
    Path y01;
    Path xt;
    Path yt;
    Path yt01;
    DenseMatrix xm;
    DenseMatrix xtm;
    int[] ym;
    int[] ytm;

    @BeforeEach
    void writeData() {
        SplittableRandom rnd = new SplittableRandom(3);
        xm = new DenseMatrix(N, 3);
        xtm = new DenseMatrix(NT, 3);
        ym = new int[N];
        ytm = new int[NT];
        int[] b = new int[N];
        int[] bt = new int[NT];
        for (int i = 0; i < N + NT; i++) {
            double[] r = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
            double z = r[0] - 0.5 * r[1] + 0.5 * rnd.nextGaussian();
            int c = z > 0.5 ? 2 : (z > -0.5 ? 1 : 0);
            if (i < N) {
                xm.setRow(i, r);
                ym[i] = c;
                b[i] = z > 0 ? 1 : 0;
            } else {
                xtm.setRow(i - N, r);
                ytm[i - N] = c;
                bt[i - N] = z > 0 ? 1 : 0;
            }
        }
        x = dir.resolve("x.npy");
        xt = dir.resolve("xt.npy");
        y = dir.resolve("y.npy");
        yt = dir.resolve("yt.npy");
        y01 = dir.resolve("y01.npy");
        yt01 = dir.resolve("yt01.npy");
        Npy.write(x, xm);
        Npy.write(xt, xtm);
        Npy.write(y, ym);
        Npy.write(yt, ytm);
        Npy.write(y01, b);
        Npy.write(yt01, bt);
    }

    /** The base MLP command line; {@code extra} holds option/value pairs that replace or add options. */
    private String[] mlpArgs(Path out, String... extra) {
        java.util.LinkedHashMap<String, String> o = new java.util.LinkedHashMap<>();
        String[] base = {"--model", "mlp:5,5", "--train-features", x.toString(), "--train-labels", y.toString(),
            "--test-features", xt.toString(), "--test-labels", yt.toString(), "--epochs", "6", "--batch-size", "16",
            "--lr", "0.2", "--points", "4", "--solver", "exact,cg,lissa", "--lissa-depth", "200",
            // truncated LiSSA at depth 200 ends above the default 1e-2 residual tolerance (see the test below)
            "--lissa-tolerance", "1", "--seed", "7", "--out", out.toString()};
        for (int i = 0; i < base.length; i += 2) {
            o.put(base[i], base[i + 1]);
        }
        for (int i = 0; i < extra.length; i += 2) {
            o.put(extra[i], extra[i + 1]);
        }
        List<String> a = new java.util.ArrayList<>(List.of("pbrf", "-q"));
        o.forEach((k, v) -> {
            a.add(k);
            a.add(v);
        });
        return a.toArray(new String[0]);
    }

    @Test
    void truncatedLissaAboveTheDefaultToleranceExits3UnlessAllowed() throws IOException {
        Path out = dir.resolve("strict");
        CliTestSupport.Run r = run(mlpArgs(out, "--lissa-tolerance", "1e-2"));
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("lissa") && r.err().contains("residual"), r.err());
        assertFalse(Files.exists(out), "nothing written on exit 3");
        Path allowed = dir.resolve("allowed");
        List<String> args = new java.util.ArrayList<>(List.of(mlpArgs(allowed, "--lissa-tolerance", "1e-2")));
        args.add("--allow-unconverged");
        CliTestSupport.Run ok = run(args.toArray(new String[0]));
        assertEquals(0, ok.exitCode(), ok.toString());
        JsonNode summary = Json.mapper().readTree(allowed.resolve("summary.json").toFile());
        assertTrue(summary.toString().contains("max_relative_residual"), summary.toString());
    }

    @Test
    void writesTheFourFilesAndAgreesWithTheLibrary() throws IOException {
        Path out = dir.resolve("out");
        CliTestSupport.Run r = run(mlpArgs(out));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), "-q prints nothing");
        List<String> dec = Files.readAllLines(out.resolve("decomposition.csv"));
        assertEquals("point,warm_start,proximity,non_convergence,linearization,solver", dec.get(0));
        assertEquals(1 + 4 + 2, dec.size());
        List<String> corr = Files.readAllLines(out.resolve("correlations.csv"));
        assertEquals("ground_truth,test_loss,pearson,spearman,solver", corr.get(0));
        assertEquals(1 + 3 * 6, corr.size());
        assertTrue(corr.get(1).startsWith("cold_start,mean,"));
        Map<String, NpyArray> npz = Npz.read(out.resolve("responses.npz"));
        for (String k : List.of("cold_start", "warm_start", "proximal", "pbrf", "linearized_pbrf", "two_stage",
                "influence_exact", "influence_cg", "influence_lissa", "removed", "theta_s", "batch_order")) {
            assertTrue(npz.containsKey(k), k);
        }
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(6, s.at("/final_gradient_norms").size());
        assertTrue(s.at("/provenance/dataSha256/train_features").asText().contains("sha256:"));
        assertEquals(7, s.at("/settings/seed").asInt());
        assertEquals(9, s.at("/settings/cold_start_epochs").asInt());

        // the library with the same settings gives the same numbers (the command only parses and writes)
        TrainingData data = new TrainingData(xm, new SoftmaxCrossEntropy().targetsFromLabels(ym, 3),
                new SoftmaxCrossEntropy(), 0.0);
        PbrfSettings settings = new PbrfSettings(ResponseSettings.sgd(6, 16, 0.2, 0.0, 0.001, 7L), 4, 0.0, 7L,
                TestLossTarget.mean(), List.of(SolverChoice.of(SolverChoice.Kind.EXACT, 7L)));
        PbrfResult lib = PbrfExperiment.run(Mlp.initialize(3, new int[] {5, 5}, Activation.RELU, 3, 7L), data,
                xtm, new SoftmaxCrossEntropy().targetsFromLabels(ytm, 3), settings, null);
        double[] csvMean = java.util.Arrays.stream(dec.get(5).split(",")).skip(1).mapToDouble(Double::parseDouble)
                .toArray();
        assertTrue(dec.get(5).startsWith("mean,"));
        for (int j = 0; j < 5; j++) {
            assertEquals(lib.meanGaps()[j], csvMean[j], 1e-12 * Math.max(1, Math.abs(csvMean[j])), "gap " + j);
        }
        assertEquals(lib.removals().get(0)[0], npz.get("removed").toIntArray()[0]);
        assertEquals(lib.correlation("exact", org.exemplar.response.ResponseKind.PBRF).pearson(),
                Double.parseDouble(corr.get(4).split(",")[2]), 1e-12);
    }

    @Test
    void logisticRegressionDefaultsToLbfgsAndHasTinyGaps() throws IOException {
        Path out = dir.resolve("lr");
        CliTestSupport.Run r = run("pbrf", "--model", "logistic", "--train-features", x.toString(), "--train-labels",
                y01.toString(), "--test-features", xt.toString(), "--test-labels", yt01.toString(), "--points", "5",
                "--solver", "exact", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("gaps (mean over 5 points)"), r.err());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("lbfgs", s.at("/settings/optimizer").asText());
        assertTrue(s.at("/mean_gaps/warm_start").asDouble() < 1e-7, s.at("/mean_gaps").toString());
        assertTrue(s.at("/mean_gaps/solver").asDouble() < 1e-3, s.at("/mean_gaps").toString());
    }

    @Test
    void sweepWritesOneRowPerSetting() throws IOException {
        Path out = dir.resolve("sweep");
        String[] base = mlpArgs(out, "--vary", "width=3,6");
        String[] args = new String[base.length + 1];
        args[0] = "pbrf";
        args[1] = "sweep";
        System.arraycopy(base, 1, args, 2, base.length - 1);
        CliTestSupport.Run r = run(args);
        assertEquals(0, r.exitCode(), r.toString());
        List<String> rows = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(3, rows.size());
        assertTrue(rows.get(0).startsWith("parameter,value,warm_start,proximity,non_convergence,linearization,solver,"
                + "pearson_cold_start"), rows.get(0));
        assertTrue(rows.get(1).startsWith("width,3"), rows.get(1));
        assertTrue(rows.get(2).startsWith("width,6"), rows.get(2));
    }

    @Test
    void badInputFailsWithExit2BeforeTrainingAndWritesNothing() {
        Path out = dir.resolve("bad");
        CliTestSupport.Run r = run("pbrf", "--model", "mlp:5", "--train-features", x.toString(), "--train-labels",
                y.toString(), "--test-features", xt.toString(), "--test-labels", yt.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--epochs is required"), r.err());
        Path shortLabels = dir.resolve("short.npy");
        Npy.write(shortLabels, new int[] {0, 1, 2});
        r = run(mlpArgs(out, "--train-labels", shortLabels.toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("short.npy") && r.err().contains("has 3 rows"), r.err());
        r = run(mlpArgs(out, "--solver", "newton"));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unknown solver 'newton'"), r.err());
        assertFalse(Files.exists(out.resolve("summary.json")));
        r = run("pbrf", "sweep", "--vary", "width=4", "--model", "logistic", "--train-features", x.toString(),
                "--train-labels", y01.toString(), "--test-features", xt.toString(), "--test-labels", yt01.toString(),
                "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("width sweep needs an MLP"), r.err());
    }

    @Test
    void aDivergingLissaExitsWith3() {
        CliTestSupport.Run r = run(mlpArgs(dir.resolve("div"), "--solver", "lissa", "--lissa-scale", "1e-4"));
        assertEquals(Main.EXIT_NOT_CONVERGED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("lissa"), r.err());
        assertFalse(Files.exists(dir.resolve("div").resolve("summary.json")));
    }
}
