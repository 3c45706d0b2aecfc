package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.curvature.FisherKind;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.LinearModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributeCommandTest {
    @TempDir
    Path dir;

    private Path x;
    private Path y;
    private Path xt;
    private Path yt;
    private DenseMatrix a;
    private int[] la;
    private DenseMatrix b;
    private int[] lb;

    @BeforeEach
    void write() {
        SplittableRandom r = new SplittableRandom(8);
        a = new DenseMatrix(40, 3);
        b = new DenseMatrix(5, 3);
        for (int i = 0; i < a.data().length; i++) {
            a.data()[i] = r.nextGaussian();
        }
        for (int i = 0; i < b.data().length; i++) {
            b.data()[i] = r.nextGaussian();
        }
        la = new int[40];
        lb = new int[5];
        for (int i = 0; i < 40; i++) {
            la[i] = a.get(i, 0) + 0.3 * r.nextGaussian() > 0.3 ? 2 : a.get(i, 1) > 0 ? 1 : 0;
        }
        for (int i = 0; i < 5; i++) {
            lb[i] = b.get(i, 0) > 0.3 ? 2 : b.get(i, 1) > 0 ? 1 : 0;
        }
        x = dir.resolve("x.npy");
        y = dir.resolve("y.npy");
        xt = dir.resolve("xt.npy");
        yt = dir.resolve("yt.npy");
        Npy.write(x, a);
        Npy.write(y, la);
        Npy.write(xt, b);
        Npy.write(yt, lb);
    }

    private String[] args(String... extra) {
        String[] head = {"attribute", "--train-features", x.toString(), "--train-labels", y.toString(),
            "--test-features", xt.toString(), "--test-labels", yt.toString(), "-q"};
        String[] all = new String[head.length + extra.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(extra, 0, all, head.length, extra.length);
        return all;
    }

    @Test
    void ekfacWritesTheLibrarysScoresTopKAndProvenanceAndReusesItsFactors() throws Exception {
        Path out = dir.resolve("out");
        Path ids = dir.resolve("ids.npy");
        int[] idv = new int[40];
        for (int i = 0; i < 40; i++) {
            idv[i] = 1000 + i;
        }
        Npy.write(ids, idv);
        CliTestSupport.Run run = CliTestSupport.run(args("--method", "ekfac", "--damping", "0.01", "--seed", "4",
                "--top-k", "3", "--train-ids", ids.toString(), "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.out());
        DenseMatrix scores = Npy.read(out.resolve("scores.npy")).toMatrix();
        DenseMatrix expected = Attributors.ekfac(LinearModels.Kind.SOFTMAX).damping(0.01).seed(4)
                .fisher(FisherKind.SAMPLED).prepare(Examples.labeled(a, la)).attribute(Examples.labeled(b, lb))
                .scores();
        assertArrayEquals(expected.data(), scores.data(), 0.0, "the command writes the library's scores");
        assertEquals(40, Npy.read(out.resolve("self_influence.npy")).toDoubleArray().length);
        List<String> csv = Files.readAllLines(out.resolve("topk.csv"));
        assertEquals("test_index,kind,rank,train_index,train_id,score,train_label", csv.get(0));
        String[] first = csv.get(1).split(",");
        int idx = Integer.parseInt(first[3]);
        assertEquals(1000 + idx, Integer.parseInt(first[4]));
        assertEquals(expected.get(0, idx), Double.parseDouble(first[5]), 1e-12 * Math.abs(expected.get(0, idx)));
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("ekfac", s.path("method").asText());
        assertEquals("sampled", s.path("settings").path("fisher").asText());
        assertEquals(4, s.path("provenance").path("seed").asInt());
        assertTrue(s.path("provenance").path("dataSha256").path("train_features").asText().contains("sha256:"),
                s.path("provenance").toString());
        assertEquals("0.1.0-SNAPSHOT".isEmpty(), s.path("provenance").path("libraryVersion").asText().isEmpty());
        assertTrue(s.path("diagnostics").path("converged").asBoolean());
        assertTrue(Files.isRegularFile(out.resolve("factors/factors.json")));

        // a second run reuses the saved factors: identical scores, and the summary says so
        Path out2 = dir.resolve("out2");
        CliTestSupport.Run again = CliTestSupport.run(args("--method", "ekfac", "--damping", "0.01", "--seed", "4",
                "--factors", out.resolve("factors").toString(), "--out", out2.toString()));
        assertEquals(0, again.exitCode(), again.toString());
        assertArrayEquals(scores.data(), Npy.read(out2.resolve("scores.npy")).toMatrix().data(), 0.0);
        assertTrue(Json.mapper().readTree(out2.resolve("summary.json").toFile()).path("factors").path("reused")
                .asBoolean());
        // factors of another seed are refused with exit 2 and nothing written
        Path out3 = dir.resolve("out3");
        CliTestSupport.Run refused = CliTestSupport.run(args("--method", "ekfac", "--seed", "5", "--factors",
                out.resolve("factors").toString(), "--out", out3.toString()));
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("factors"), refused.err());
        assertFalse(Files.exists(out3));
    }

    @Test
    void bothDocumentedScoreFilesAreOneFileOnDiskAndTheTopKIsTheBruteForceRanking() throws Exception {
        Path out = dir.resolve("linked");
        CliTestSupport.Run run = CliTestSupport.run(args("--method", "kfac", "--top-k", "2", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.toString());
        // DIR/scores.npy and DIR/attribution/scores.npy (both documented) are written once: a hard link
        assertTrue(Files.isSameFile(out.resolve("scores.npy"), out.resolve("attribution/scores.npy")));
        JsonNode common = Json.mapper().readTree(out.resolve("attribution/summary.json").toFile());
        assertEquals("hard link", common.path("scores_shared_as").asText(), common.toString());
        assertEquals("scores.npy", common.path("scores").asText());
        // topk.csv (ids, labels) against a sort of the full score row, independent of the library's heap
        DenseMatrix scores = Npy.read(out.resolve("scores.npy")).toMatrix();
        List<String> csv = Files.readAllLines(out.resolve("topk.csv"));
        for (int t = 0; t < 5; t++) {
            final int tt = t;
            List<Integer> order = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, 40).boxed().toList());
            order.sort((i, j) -> Double.compare(scores.get(tt, j), scores.get(tt, i)));
            String want = t + ",supporting,1," + order.get(0) + "," + order.get(0) + "," + scores.get(t, order.get(0))
                    + "," + la[order.get(0)];
            assertTrue(csv.contains(want), want);
            String weakest = t + ",opposing,1," + order.get(39) + "," + order.get(39) + ","
                    + scores.get(t, order.get(39)) + "," + la[order.get(39)];
            assertTrue(csv.contains(weakest), weakest);
        }
    }

    @Test
    void tracinAndKfacRun() {
        for (String[] m : new String[][] {{"--method", "kfac", "--fisher", "empirical"},
            {"--method", "tracin", "--hidden", "8", "--epochs", "3", "--last-layer-only", "--measure", "margin"}}) {
            Path out = dir.resolve("o-" + m[1]);
            String[] extra = new String[m.length + 2];
            System.arraycopy(m, 0, extra, 0, m.length);
            extra[m.length] = "--out";
            extra[m.length + 1] = out.toString();
            CliTestSupport.Run run = CliTestSupport.run(args(extra));
            assertEquals(0, run.exitCode(), run.toString());
            DenseMatrix s = Npy.read(out.resolve("scores.npy")).toMatrix();
            assertEquals(5, s.rows());
            assertEquals(40, s.cols());
        }
    }

    @Test
    void badInputExitsTwoBeforeWork() throws Exception {
        Path bad = dir.resolve("bad.npy");
        Npy.write(bad, new int[] {0, 1, 2});
        String[][] cases = {
            {"--method", "datamodels"},
            {"--method", "kfac", "--fisher", "exact"},
            {"--method", "kfac", "--measure", "nonsense"},
            {"--method", "kfac", "--model", "lasso"},
            {"--method", "tracin", "--hidden", "8,x"},
            {"--method", "tracin", "--factors", dir.toString()},
            {"--method", "kfac", "--damping", "-1"},
            {"--method", "kfac", "--train-ids", bad.toString()},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("never");
            String[] extra = new String[c.length + 2];
            System.arraycopy(c, 0, extra, 0, c.length);
            extra[c.length] = "--out";
            extra[c.length + 1] = out.toString();
            CliTestSupport.Run run = CliTestSupport.run(args(extra));
            assertEquals(2, run.exitCode(), String.join(" ", c) + ": " + run);
            assertTrue(run.err().startsWith("error:") || run.err().contains("Usage"), run.err());
            assertFalse(Files.exists(out), String.join(" ", c));
        }
        CliTestSupport.Run wrongRows = CliTestSupport.run("attribute", "--method", "kfac", "--train-features",
                x.toString(), "--train-labels", bad.toString(), "--test-features", xt.toString(), "--test-labels",
                yt.toString(), "--out", dir.resolve("never").toString());
        assertEquals(2, wrongRows.exitCode());
        assertTrue(wrongRows.err().contains("bad.npy") && wrongRows.err().contains("3 labels"), wrongRows.err());
    }

    /**
     * rps and influence through the one command equal the library's attributors, the common attribution/ files are
     * written, and --save-artifact yields what `index build --from` serves: the index's top-3 supporting points of
     * every test point are the command's.
     */
    @Test
    void rpsAndInfluenceEqualTheLibraryAndTheSavedArtifactBuildsAnIndex() throws Exception {
        Path out = dir.resolve("rps");
        CliTestSupport.Run run = CliTestSupport.run(args("--method", "rps", "--lambda", "0.01", "--top-k", "3",
                "--save-artifact", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.toString());
        DenseMatrix expected = Attributors.representer().lambda(0.01).prepare(Examples.labeled(a, la))
                .attribute(Examples.labeled(b, lb)).scores();
        DenseMatrix scores = Npy.read(out.resolve("scores.npy")).toMatrix();
        assertArrayEquals(expected.data(), scores.data(), 0.0, "rps: the library's scores");
        assertArrayEquals(expected.data(), Npy.read(out.resolve("attribution/scores.npy")).toMatrix().data(), 0.0);
        assertEquals("test_index,rank,direction,train_index,score,raw",
                Files.readAllLines(out.resolve("attribution/topk.csv")).get(0));
        assertTrue(Files.isRegularFile(out.resolve("artifact/artifact.json")));

        Path idx = dir.resolve("idx");
        CliTestSupport.Run built = CliTestSupport.run("index", "build", "--from", out.resolve("artifact").toString(),
                "--out", idx.toString());
        assertEquals(0, built.exitCode(), built.toString());
        org.exemplar.index.ExplanationIndex index = org.exemplar.index.ExplanationIndex.open(idx);
        List<String> csv = Files.readAllLines(out.resolve("topk.csv"));
        for (int t = 0; t < b.rows(); t++) {
            var e = index.explain(b.row(t), null, 3, org.exemplar.index.Direction.EXCITATORY);
            for (int r = 0; r < 3; r++) {
                String want = t + ",supporting," + (r + 1) + "," + e.supporting().get(r).trainIndex() + ",";
                assertTrue(csv.contains(csv.stream().filter(l -> l.startsWith(want)).findFirst().orElse("missing")),
                        "test " + t + " rank " + (r + 1) + ": index says train " + e.supporting().get(r).trainIndex());
            }
        }

        Path inf = dir.resolve("inf");
        run = CliTestSupport.run(args("--method", "influence", "--solver", "cg", "--l2", "0.05", "--damping", "0",
                "--out", inf.toString()));
        assertEquals(0, run.exitCode(), run.toString());
        DenseMatrix ie = Attributors.influence(LinearModels.Kind.SOFTMAX).l2(0.05).damping(0)
                .solver(org.exemplar.attribution.Solver.CG).prepare(Examples.labeled(a, la))
                .attribute(Examples.labeled(b, lb)).scores();
        assertArrayEquals(ie.data(), Npy.read(inf.resolve("scores.npy")).toMatrix().data(), 0.0,
                "influence: the library's scores");

        CliTestSupport.Run bad = CliTestSupport.run(args("--method", "influence", "--solver", "newton", "--out",
                dir.resolve("never").toString()));
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("--solver must be exact, cg, lissa or arnoldi"), bad.err());
        assertFalse(Files.exists(dir.resolve("never")));
    }

    /** trak through the command equals the library's TRAK ensemble of the same recipe, projection and seed. */
    @Test
    void trakEqualsTheLibrary() {
        Path out = dir.resolve("trak");
        CliTestSupport.Run run = CliTestSupport.run(args("--method", "trak", "--models", "2", "--projection-dim", "8",
                "--l2", "0.02", "--damping", "0.01", "--seed", "3", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.toString());
        DenseMatrix expected = Attributors.trak().train(org.exemplar.model.ModelRecipe.linear(LinearModels.Kind.SOFTMAX,
                0.02, org.exemplar.model.TightTrainingOptions.defaults()), 2).dimension(8).damping(0.01).seed(3)
                .prepare(Examples.labeled(a, la)).attribute(Examples.labeled(b, lb)).scores();
        assertArrayEquals(expected.data(), Npy.read(out.resolve("scores.npy")).toMatrix().data(), 0.0);
        assertTrue(Files.isRegularFile(out.resolve("attribution/summary.json")));
    }
}
