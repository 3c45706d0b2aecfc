package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.RatingPairs;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.Ratings;
import org.exemplar.data.Npy;
import org.exemplar.influence.TestFunction;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The common result files ({@code DIR/attribution/scores.npy, topk.csv, summary.json}, issue 11) of each attribution
 * command: the scores are the command's own documented matrix mapped by the method's factor (exactly), and agree
 * with the library's attributor prepared independently on the same data (tolerances per case: closed forms to
 * 1e-12, two separately trained optima to 1e-6 relative, since each fit stops at a relative gradient of 1e-10).
 */
class AttributionFilesCliTest {
    @TempDir
    Path dir;

    private DenseMatrix gaussian(int r, int c, SplittableRandom rnd) {
        DenseMatrix m = new DenseMatrix(r, c);
        for (int i = 0; i < r * c; i++) {
            m.data()[i] = rnd.nextGaussian();
        }
        return m;
    }

    private Path npy(String name, DenseMatrix m) {
        Path p = dir.resolve(name);
        Npy.write(p, m);
        return p;
    }

    private Path npy(String name, int[] v) {
        Path p = dir.resolve(name);
        Npy.write(p, v);
        return p;
    }

    private static DenseMatrix read(Path p) {
        return Npy.read(p).toMatrix();
    }

    private static void assertRelClose(DenseMatrix expected, DenseMatrix actual, double tol, String what) {
        assertEquals(expected.rows(), actual.rows(), what);
        assertEquals(expected.cols(), actual.cols(), what);
        double scale = 0;
        for (double v : expected.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int q = 0; q < expected.data().length; q++) {
            double e = expected.data()[q];
            double a = actual.data()[q];
            assertTrue(Math.abs(a - e) <= tol * scale, what + " entry " + q + ": " + a + " vs " + e + " (scale " + scale
                    + ")");
        }
    }

    private static CliTestSupport.Run ok(String... args) {
        CliTestSupport.Run r = CliTestSupport.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    /** The first supporting row of every test point in topk.csv is the argmax of its scores.npy row. */
    private static void topOneIsTheRowMaximum(Path folder, DenseMatrix scores) throws IOException {
        List<String> lines = Files.readAllLines(folder.resolve("topk.csv"));
        assertEquals("test_index,rank,direction,train_index,score,raw", lines.get(0));
        int checked = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",");
            if (!c[1].equals("1") || !c[2].equals("supporting")) {
                continue;
            }
            int t = Integer.parseInt(c[0]);
            int best = 0;
            for (int i = 1; i < scores.cols(); i++) {
                if (scores.get(t, i) > scores.get(t, best)) {
                    best = i;
                }
            }
            assertEquals(best, Integer.parseInt(c[3]), "test " + t);
            assertEquals(scores.get(t, best), Double.parseDouble(c[4]), 0.0);
            checked++;
        }
        assertTrue(checked > 0);
    }

    @Test
    void influenceScoresAreTheLossChangeAndTheNegatedMarginChangeAndMatchTheLibrary() throws IOException {
        SplittableRandom rnd = new SplittableRandom(8);
        DenseMatrix x = gaussian(50, 3, rnd);
        DenseMatrix xt = gaussian(6, 3, rnd);
        int[] y = new int[50];
        int[] yt = new int[6];
        for (int i = 0; i < 50; i++) {
            y[i] = x.get(i, 0) + 0.8 * rnd.nextGaussian() > 0 ? 1 : 0;
        }
        for (int t = 0; t < 6; t++) {
            yt[t] = xt.get(t, 0) > 0 ? 1 : 0;
        }
        String[] common = {"influence", "--model", "logistic", "--train-features", npy("x.npy", x).toString(),
            "--train-labels", npy("y.npy", y).toString(), "--test-features", npy("xt.npy", xt).toString(),
            "--test-labels", npy("yt.npy", yt).toString(), "--l2", "0.05", "--damping", "0.001", "-q"};
        Path loss = dir.resolve("loss");
        ok(GoldenOutputTest.concat(common, new String[] {"--top-k", "3", "--out", loss.toString()}));
        DenseMatrix s = read(loss.resolve("attribution/scores.npy"));
        assertArrayEquals(read(loss.resolve("influence.npy")).data(), s.data(), 0.0, "measure loss: score = +raw");
        DenseMatrix lib = Attributors.influence(LinearModels.Kind.LOGISTIC).l2(0.05).damping(0.001)
                .prepare(Examples.labeled(x, y)).attribute(Examples.labeled(xt, yt)).scores();
        assertRelClose(lib, s, 1e-6, "CLI vs library influence");
        topOneIsTheRowMaximum(loss.resolve("attribution"), s);
        JsonNode j = Json.mapper().readTree(loss.resolve("attribution/summary.json").toFile());
        assertEquals("influence", j.get("method").asText());
        assertEquals(1.0, j.get("convention").get("raw_factor").asDouble());
        assertTrue(j.get("diagnostics").get("converged").asBoolean());
        assertTrue(j.get("diagnostics").get("solverResidual").asDouble() < 1e-8, j.toString());
        assertEquals("influence", j.get("provenance").get("method").asText());

        Path margin = dir.resolve("margin");
        ok(GoldenOutputTest.concat(common, new String[] {"--measure", "margin", "--out", margin.toString()}));
        DenseMatrix raw = read(margin.resolve("influence.npy"));
        DenseMatrix sm = read(margin.resolve("attribution/scores.npy"));
        for (int q = 0; q < raw.data().length; q++) {
            assertEquals(-raw.data()[q], sm.data()[q], 0.0, "measure margin: score = -raw");
        }
        DenseMatrix libMargin = Attributors.influence(LinearModels.Kind.LOGISTIC).l2(0.05).damping(0.001)
                .measure(TestFunction.parse("margin")).prepare(Examples.labeled(x, y))
                .attribute(Examples.labeled(xt, yt)).scores();
        assertRelClose(libMargin, sm, 1e-6, "CLI vs library margin influence");
    }

    @Test
    void rpsScoresAreTheValuesAndMatchTheLibrary() throws IOException {
        SplittableRandom rnd = new SplittableRandom(9);
        DenseMatrix x = gaussian(40, 3, rnd).withOnesColumn();
        DenseMatrix xt = gaussian(5, 3, rnd).withOnesColumn();
        int[] y = new int[40];
        for (int i = 0; i < 40; i++) {
            double z = x.get(i, 0) + 0.5 * rnd.nextGaussian();
            y[i] = z > 0.5 ? 2 : z > -0.5 ? 1 : 0;
        }
        Path out = dir.resolve("rps");
        ok("rps", "--train-features", npy("f.npy", x).toString(), "--train-labels", npy("y.npy", y).toString(),
                "--test-features", npy("ft.npy", xt).toString(), "--lambda", "0.01", "--top-k", "4", "--out",
                out.toString(), "-q");
        DenseMatrix s = read(out.resolve("attribution/scores.npy"));
        assertArrayEquals(read(out.resolve("values.npy")).data(), s.data(), 0.0);
        DenseMatrix lib = Attributors.representer().loss(Loss.named("softmax")).lambda(0.01)
                .prepare(Examples.labeled(x, y)).attribute(Examples.unlabeled(xt)).scores();
        assertRelClose(lib, s, 1e-6, "CLI vs library representer values");
        topOneIsTheRowMaximum(out.resolve("attribution"), s);
        JsonNode j = Json.mapper().readTree(out.resolve("attribution/summary.json").toFile());
        assertEquals("rps-l2", j.get("method").asText());
        assertTrue(j.get("diagnostics").get("stationarityResidual").asDouble() <= 1e-10);
    }

    @Test
    void ntkScoresEqualTheLibrarysExactLeaveOneOut() throws IOException {
        SplittableRandom rnd = new SplittableRandom(10);
        DenseMatrix x = GoldenOutputTest.unit(gaussian(25, 3, rnd));
        DenseMatrix xt = GoldenOutputTest.unit(gaussian(4, 3, rnd));
        double[] y = new double[25];
        double[] yt = new double[4];
        for (int i = 0; i < 25; i++) {
            y[i] = Math.tanh(x.get(i, 0) - x.get(i, 1));
        }
        for (int i = 0; i < 4; i++) {
            yt[i] = Math.tanh(xt.get(i, 0) - xt.get(i, 1));
        }
        Npy.write(dir.resolve("y.npy"), y);
        Npy.write(dir.resolve("yt.npy"), yt);
        Path out = dir.resolve("ntk");
        ok("ntk", "--train-features", npy("x.npy", x).toString(), "--train-targets", dir.resolve("y.npy").toString(),
                "--test-features", npy("xt.npy", xt).toString(), "--test-targets", dir.resolve("yt.npy").toString(),
                "--lambda", "0.1", "--top-k", "5", "--groups", "3", "--out", out.toString(), "-q");
        DenseMatrix s = read(out.resolve("attribution/scores.npy"));
        assertArrayEquals(read(out.resolve("influence.npy")).data(), s.data(), 0.0);
        DenseMatrix lib = Attributors.ntk().lambda(0.1).prepare(Examples.regression(x, y))
                .attribute(Examples.regression(xt, yt)).scores();
        assertRelClose(lib, s, 1e-12, "CLI vs library NTK (same closed form)");
        topOneIsTheRowMaximum(out.resolve("attribution"), s);
    }

    @Test
    void cfAcceptsTriplesAndItsScoresMatchTheTwoTowerAttributor() throws IOException {
        DenseMatrix u = DenseMatrix.fromRows(new double[][] {{1, 0.5}, {2, -1}, {0.3, 0.2}});
        DenseMatrix v = DenseMatrix.fromRows(new double[][] {{1, 1}, {3, 0}, {-1, 2}, {0.5, 0.5}});
        DenseMatrix rm = DenseMatrix.fromRows(new double[][] {{0, 0, 2}, {0, 1, 1}, {1, 0, 0}, {2, 2, 1}, {2, 3, 4},
            {1, 3, 2}});
        String[] common = {"hdrep", "cf", "--ratings", npy("R.npy", rm).toString(), "--user-embeddings",
            npy("U.npy", u).toString(), "--item-embeddings", npy("V.npy", v).toString(), "-q"};
        Path pairs = dir.resolve("pairs");
        ok(GoldenOutputTest.concat(common, new String[] {"--test-pairs",
            npy("P.npy", DenseMatrix.fromRows(new double[][] {{1, 1}, {2, 0}})).toString(), "--out", pairs.toString()}));
        Path triples = dir.resolve("triples");
        ok(GoldenOutputTest.concat(common, new String[] {"--test-pairs",
            npy("P3.npy", DenseMatrix.fromRows(new double[][] {{1, 1, 3}, {2, 0, 4}})).toString(), "--out",
            triples.toString()}));
        assertEquals(Files.readAllLines(pairs.resolve("explanations.csv")),
                Files.readAllLines(triples.resolve("explanations.csv")), "(user, item, rating) rows explain the pairs");
        DenseMatrix s = read(triples.resolve("attribution/scores.npy"));
        assertArrayEquals(read(pairs.resolve("attribution/scores.npy")).data(), s.data(), 0.0);
        int[] ru = {0, 0, 1, 2, 2, 1};
        int[] ri = {0, 1, 0, 2, 3, 3};
        double[] rv = {2, 1, 0, 1, 4, 2};
        DenseMatrix lib = Attributors.cfTwoTower(new Factorization(u, v), CfLoss.SQUARED)
                .prepare(new Ratings(3, 4, ru, ri, rv)).attribute(RatingPairs.of(new int[] {1, 2}, new int[] {1, 0}))
                .scores();
        assertRelClose(lib, s, 1e-12, "CLI vs library two-tower importances");
        // every non-zero score is an explanations.csv row with the same (train_user, train_item) and score
        List<String> ex = Files.readAllLines(pairs.resolve("explanations.csv"));
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 6; i++) {
                if (s.get(t, i) != 0) {
                    String prefix = t + ",";
                    String mid = "," + ru[i] + "," + ri[i] + ",";
                    double sc = s.get(t, i);
                    assertTrue(ex.stream().anyMatch(l -> l.startsWith(prefix) && l.contains(mid)
                            && Math.abs(Double.parseDouble(l.substring(l.lastIndexOf(',') + 1)) - sc) <= 1e-15),
                            "score of rating " + i + " for pair " + t + " in explanations.csv");
                }
            }
        }
        JsonNode j = Json.mapper().readTree(triples.resolve("attribution/summary.json").toFile());
        assertEquals("cf-mf", j.get("method").asText());
    }

    @Test
    void scoresAboveTheLimitAreSkippedWithTheReason() throws IOException {
        SplittableRandom rnd = new SplittableRandom(11);
        DenseMatrix x = GoldenOutputTest.unit(gaussian(20, 3, rnd));
        double[] y = new double[20];
        for (int i = 0; i < 20; i++) {
            y[i] = 0.5 * x.get(i, 0);
        }
        Npy.write(dir.resolve("y.npy"), y);
        Path out = dir.resolve("limited");
        ok("ntk", "--train-features", npy("x.npy", x).toString(), "--train-targets", dir.resolve("y.npy").toString(),
                "--test-features", dir.resolve("x.npy").toString(), "--test-targets", dir.resolve("y.npy").toString(),
                "--groups", "2", "--scores-max-gb", "1e-6", "--out", out.toString(), "-q");
        assertTrue(Files.exists(out.resolve("influence.npy")));
        assertTrue(!Files.exists(out.resolve("attribution/scores.npy")));
        JsonNode j = Json.mapper().readTree(out.resolve("attribution/summary.json").toFile());
        assertTrue(j.get("scores_skipped").asText().contains("--scores-max-gb"), j.toString());
        CliTestSupport.Run bad = CliTestSupport.run("ntk", "--train-features", dir.resolve("x.npy").toString(),
                "--train-targets", dir.resolve("y.npy").toString(), "--test-features", dir.resolve("x.npy").toString(),
                "--test-targets", dir.resolve("y.npy").toString(), "--scores-max-gb", "-1", "--out",
                dir.resolve("bad").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("--scores-max-gb"), bad.err());
    }
}
