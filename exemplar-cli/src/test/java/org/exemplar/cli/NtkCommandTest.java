package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.NtkInfluence;
import org.exemplar.ntk.NtkKernel;
import org.exemplar.ntk.UnitSphere;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NtkCommandTest {

    @TempDir
    Path dir;

    private Path x;
    private Path y;
    private Path xt;
    private Path yt;

    /** Writes a random problem; raw = inputs off the sphere, targets in [0, 10]. */
    private void write(int n, int nt, int d, boolean raw) {
        SplittableRandom rng = new SplittableRandom(5);
        DenseMatrix a = new DenseMatrix(n, d);
        DenseMatrix b = new DenseMatrix(nt, d);
        for (int i = 0; i < n * d; i++) {
            a.data()[i] = rng.nextGaussian() * 3;
        }
        for (int i = 0; i < nt * d; i++) {
            b.data()[i] = rng.nextGaussian() * 3;
        }
        double[] ya = new double[n];
        double[] yb = new double[nt];
        for (int i = 0; i < n; i++) {
            ya[i] = raw ? 5 + 5 * Math.tanh(a.get(i, 0)) : Math.tanh(a.get(i, 0));
        }
        for (int i = 0; i < nt; i++) {
            yb[i] = raw ? 5 + 5 * Math.tanh(b.get(i, 0)) : Math.tanh(b.get(i, 0));
        }
        if (!raw) {
            a = UnitSphere.fit(a).apply(a);
            b = UnitSphere.fit(b).apply(b);
        }
        x = dir.resolve("x.npy");
        y = dir.resolve("y.npy");
        xt = dir.resolve("xt.npy");
        yt = dir.resolve("yt.npy");
        Npy.write(x, a);
        Npy.write(y, ya);
        Npy.write(xt, b);
        Npy.write(yt, yb);
    }

    private String[] base(String... extra) {
        String[] head = {"ntk", "--train-features", x.toString(), "--train-targets", y.toString(), "--test-features",
            xt.toString(), "--test-targets", yt.toString(), "-q"};
        String[] all = new String[head.length + extra.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(extra, 0, all, head.length, extra.length);
        return all;
    }

    @Test
    void writesInfluenceMatchingTheLibrary() throws Exception {
        write(40, 6, 5, false);
        Path out = dir.resolve("out");
        CliTestSupport.Run r = CliTestSupport.run(base("--lambda", "0.2", "--out", out.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.out());
        DenseMatrix infl = Npy.read(out.resolve("influence.npy")).toMatrix();
        assertEquals(6, infl.rows());
        assertEquals(40, infl.cols());
        DenseMatrix a = Npy.read(x).toMatrix();
        DenseMatrix expected = NtkInfluence.fit(NtkKernel.gram(a), Npy.read(y).toDoubleArray(), 0.2)
                .score(NtkKernel.matrix(Npy.read(xt).toMatrix(), a), Npy.read(yt).toDoubleArray()).exact();
        for (int k = 0; k < expected.data().length; k++) {
            assertEquals(expected.data()[k], infl.data()[k], 0.0); // same computation, same bits
        }
        assertEquals(6 * 40, Npy.read(out.resolve("influence_ihvp.npy")).size());
        assertEquals(6, Npy.read(out.resolve("predictions.npy")).size());
        JsonNode s = Json.mapper().readTree(Files.readString(out.resolve("summary.json")));
        assertEquals(0.2, s.get("lambda").asDouble(), 0.0);
        assertTrue(s.get("smallest_eigenvalue").asDouble() > 0);
        assertTrue(s.get("theorem3_holds").asBoolean());
        assertTrue(s.get("seconds").has("factorization"));
        assertEquals("ntk", s.get("provenance").get("method").asText());
        JsonNode c = Json.mapper().readTree(Files.readString(out.resolve("complexity.json")));
        assertEquals(10, c.get("report").get("groups").size());
    }

    @Test
    void normalizeMapsPredictionsBack() throws Exception {
        write(30, 4, 3, true);
        Path out = dir.resolve("norm");
        CliTestSupport.Run r = CliTestSupport.run(base("--normalize", "--out", out.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(Files.readString(out.resolve("summary.json")));
        double half = s.get("target_scaling").get("halfRange").asDouble();
        assertTrue(half > 1, "targets in [0, 10] give halfRange near 5, got " + half);
        for (double p : Npy.read(out.resolve("predictions.npy")).toDoubleArray()) {
            assertTrue(p > -2 && p < 12, "prediction in original units, got " + p);
        }
    }

    @Test
    void inputsOffTheSphereAreRejectedNamingFileRowAndValue() {
        write(10, 3, 3, true);
        CliTestSupport.Run r = CliTestSupport.run(base("--out", dir.resolve("bad").toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("x.npy") && r.err().contains("row 0") && r.err().contains("norm"), r.err());
        assertFalse(Files.exists(dir.resolve("bad").resolve("influence.npy")));
    }

    @Test
    void targetsOutsideTheUnitIntervalAreRejected() {
        write(10, 3, 3, false);
        Npy.write(y, new double[] {0, 0.5, 0, 0, 3.5, 0, 0, 0, 0, 0});
        CliTestSupport.Run r = CliTestSupport.run(base("--out", dir.resolve("bad").toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("y.npy") && r.err().contains("row 4") && r.err().contains("3.5"), r.err());
    }

    @Test
    void duplicateRowsAreReportedAndNeedRidge() throws Exception {
        write(12, 3, 4, false);
        DenseMatrix a = Npy.read(x).toMatrix();
        a.setRow(7, a.row(2));
        Npy.write(x, a);
        CliTestSupport.Run r = CliTestSupport.run(base("--lambda", "0", "--out", dir.resolve("d0").toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("x.npy") && r.err().contains("rows 2 and 7"), r.err());
        Path out = dir.resolve("d1");
        r = CliTestSupport.run(base("--lambda", "0.1", "--out", out.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(Files.readString(out.resolve("summary.json")));
        assertEquals(1, s.get("duplicate_training_rows").size());
    }

    @Test
    void missingOptionsAndShapeMismatchAreBadInput() {
        write(10, 3, 3, false);
        CliTestSupport.Run r = CliTestSupport.run("ntk", "--train-features", x.toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--train-targets"), r.err());
        Npy.write(yt, new double[] {0.1});
        r = CliTestSupport.run(base("--out", dir.resolve("m").toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("yt.npy"), r.err());
    }

    @Test
    void dynamicsAndValidateSubcommands() throws Exception {
        write(20, 3, 4, false);
        Path flags = dir.resolve("flags.npy");
        int[] f = new int[20];
        f[3] = 1;
        f[9] = 1;
        Npy.write(flags, f);
        Path out = dir.resolve("dyn");
        String[] common = {"--train-features", x.toString(), "--train-targets", y.toString(), "--test-features",
            xt.toString(), "--test-targets", yt.toString(), "-q"};
        CliTestSupport.Run r = CliTestSupport.run(concat(new String[] {"ntk", "dynamics"}, common,
                new String[] {"--times", "0.1,1,10,inf", "--flagged", flags.toString(), "--out", out.toString()}));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(4 * 3 * 20, Npy.read(out.resolve("influence_t.npy")).size());
        JsonNode s = Json.mapper().readTree(Files.readString(out.resolve("summary.json")));
        assertEquals(4, s.get("share_flagged_among_top").size());
        assertEquals(0.1, s.get("flagged_fraction").asDouble(), 1e-15);

        Path val = dir.resolve("val");
        r = CliTestSupport.run(concat(new String[] {"ntk", "validate"}, common, new String[] {"--widths", "400",
            "--top-k", "5", "--test-indices", "0,2", "--out", val.toString()}));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.readString(val.resolve("correlations.csv")).lines().count() == 3);
        assertTrue(Files.exists(val.resolve("correlations.json")));
        assertTrue(Files.exists(val.resolve("pairs.csv")));

        r = CliTestSupport.run(concat(new String[] {"ntk", "dynamics"}, common,
                new String[] {"--times", "1,x", "--out", out.toString()}));
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
