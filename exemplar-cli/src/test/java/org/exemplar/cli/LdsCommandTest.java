package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdsCommandTest {
    /** Three Gaussian classes in R^3: 60 training and 8 test points. */
    private static String[] data(Path dir) {
        SplittableRandom r = new SplittableRandom(3);
        DenseMatrix x = new DenseMatrix(68, 3);
        int[] y = new int[68];
        for (int i = 0; i < 68; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x.set(i, j, (j == y[i] ? 1.5 : 0) + r.nextGaussian());
            }
        }
        Npy.write(dir.resolve("x.npy"), x.rowRange(0, 60));
        Npy.write(dir.resolve("y.npy"), java.util.Arrays.copyOf(y, 60));
        Npy.write(dir.resolve("xt.npy"), x.rowRange(60, 68));
        Npy.write(dir.resolve("yt.npy"), java.util.Arrays.copyOfRange(y, 60, 68));
        return new String[] {"--train-features", dir.resolve("x.npy").toString(), "--train-labels",
            dir.resolve("y.npy").toString(), "--test-features", dir.resolve("xt.npy").toString(), "--test-labels",
            dir.resolve("yt.npy").toString()};
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void writesTheTableScoresAndSummaryAndReusesTheCache(@TempDir Path dir) throws Exception {
        String[] in = data(dir);
        Path out = dir.resolve("out");
        String[] args = concat(concat(new String[] {"evaluate", "lds"}, in), "--method", "trak-2,if-exact,rps",
                "--projection-dim", "64", "--subsets", "20", "--bootstrap", "100", "--cache", dir.resolve("cache").toString(),
                "--removal-ks", "1,5", "--removal-test-points", "2", "--out", out.toString());
        CliTestSupport.Run run = CliTestSupport.run(args);
        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = Files.readAllLines(out.resolve("lds.csv"));
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("method,lds,ci_low,ci_high"), lines.get(0));
        for (String m : new String[] {"trak-2", "if-exact", "rps"}) {
            assertTrue(Files.isRegularFile(out.resolve("scores_" + m + ".npy")), m);
        }
        assertEquals(8, Npy.read(out.resolve("scores_trak-2.npy")).toMatrix().rows());
        assertEquals(20, Npy.read(out.resolve("subset_outputs.npy")).toMatrix().rows());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(20, s.path("subset_models_trained").asInt());
        assertTrue(s.path("provenance").path("dataSha256").size() == 4, s.path("provenance").toString());
        // the exact influence function of a well-specified softmax model ranks the subsets well
        double ifLds = s.path("results").get(1).path("lds").asDouble();
        assertTrue(ifLds > 0.5, "if-exact LDS " + ifLds);
        assertTrue(Files.readAllLines(out.resolve("removal.csv")).size() == 1 + 3 * 2);
        // second run: every subset model comes from the cache, and the numbers are the same
        Path out2 = dir.resolve("out2");
        args[args.length - 1] = out2.toString();
        CliTestSupport.Run again = CliTestSupport.run(args);
        assertEquals(0, again.exitCode(), again.toString());
        JsonNode s2 = Json.mapper().readTree(out2.resolve("summary.json").toFile());
        assertEquals(0, s2.path("subset_models_trained").asInt());
        assertEquals(20, s2.path("subset_models_reused").asInt());
        assertEquals(Files.readAllLines(out.resolve("per_test.csv")), Files.readAllLines(out2.resolve("per_test.csv")));
    }

    @Test
    void badInputIsExitTwoBeforeAnyTraining(@TempDir Path dir) {
        String[] in = data(dir);
        Path out = dir.resolve("out");
        CliTestSupport.Run r = CliTestSupport.run(concat(concat(new String[] {"evaluate", "lds"}, in), "--method",
                "trak,nope", "--out", out.toString()));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("nope"), r.err());
        assertFalse(Files.exists(out.resolve("lds.csv")));
        Npy.write(dir.resolve("yt.npy"), new int[] {0, 1});
        CliTestSupport.Run r2 = CliTestSupport.run(concat(concat(new String[] {"evaluate", "lds"}, in), "--method",
                "trak", "--out", out.toString()));
        assertEquals(2, r2.exitCode(), r2.toString());
        assertTrue(r2.err().contains("yt.npy"), r2.err());
        CliTestSupport.Run r3 = CliTestSupport.run(concat(concat(new String[] {"evaluate", "lds"}, data(dir)),
                "--method", "if-cg", "--model", "mlp", "--out", out.toString()));
        assertEquals(2, r3.exitCode(), r3.toString());
        assertTrue(r3.err().contains("if-cg"), r3.err());
    }

    /** K-FAC, EK-FAC and TracIn are selectable by name: one row each, an LDS in [-1, 1]; a repeated name is refused. */
    @Test
    void kfacEkfacAndTracinAreEvaluatedAndARepeatedMethodIsRefused(@TempDir Path dir) throws Exception {
        String[] in = data(dir);
        Path out = dir.resolve("out");
        CliTestSupport.Run run = CliTestSupport.run(concat(concat(new String[] {"evaluate", "lds"}, in), "--method",
                "kfac,ekfac,tracin", "--subsets", "10", "--bootstrap", "50", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = Files.readAllLines(out.resolve("lds.csv"));
        assertEquals(4, lines.size(), lines.toString());
        for (int i = 1; i < 4; i++) {
            double lds = Double.parseDouble(lines.get(i).split(",")[1]);
            assertTrue(lds >= -1 && lds <= 1, lines.get(i));
        }
        CliTestSupport.Run twice = CliTestSupport.run(concat(concat(new String[] {"evaluate", "lds"}, in), "--method",
                "kfac,KFAC", "--out", dir.resolve("never").toString()));
        assertEquals(2, twice.exitCode(), twice.toString());
        assertTrue(twice.err().contains("twice"), twice.err());
        assertFalse(Files.exists(dir.resolve("never")));
    }
}
