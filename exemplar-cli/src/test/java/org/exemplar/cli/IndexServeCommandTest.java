package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.index.Direction;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exemplar index build} and the refusals of {@code exemplar serve} (exit 2 with a message). */
class IndexServeCommandTest {
    @TempDir
    Path tmp;

    static Examples data(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, d);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                x.set(i, j, r.nextGaussian());
                s += x.get(i, j) * (j + 1);
            }
            y[i] = s + 0.5 * r.nextGaussian() > 0 ? 1 : 0;
        }
        return Examples.labeled(x, y);
    }

    @Test
    void buildsAnIndexFromASavedArtifactAndRefusesBadInput() throws Exception {
        Examples train = data(80, 4, 1);
        Path art = tmp.resolve("art");
        Attributors.representer().lambda(0.01).prepare(train).save(art);
        Path ids = tmp.resolve("ids.txt");
        Files.write(ids, java.util.stream.IntStream.range(0, 80).mapToObj(i -> "doc-" + i).toList());
        Path out = tmp.resolve("idx");
        CliTestSupport.Run r = CliTestSupport.run("index", "build", "--from", art.toString(), "--out", out.toString(),
                "--float32", "--ids", ids.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("rps-l2, 80 x 4, float32"), r.out());
        ExplanationIndex idx = ExplanationIndex.open(out);
        assertEquals("float32", idx.metadata().path("precision").asText());
        assertEquals("doc-7", idx.id(7));
        assertEquals(3, idx.explain(train.features().row(0), null, 3, Direction.EXCITATORY).supporting().size());

        r = CliTestSupport.run("index", "build", "--from", art.toString(), "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("already exists"), r.err());

        r = CliTestSupport.run("index", "build", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("exactly one of --from DIR and --demo"), r.err());

        Path ntk = tmp.resolve("ntk-art");
        Examples raw = data(30, 3, 2);
        DenseMatrix unit = raw.features().copy();
        for (int i = 0; i < unit.rows(); i++) {
            double nn = Math.sqrt(unit.row(i)[0] * unit.row(i)[0] + unit.row(i)[1] * unit.row(i)[1]
                    + unit.row(i)[2] * unit.row(i)[2]);
            for (int j = 0; j < 3; j++) {
                unit.set(i, j, unit.get(i, j) / nn);
            }
        }
        double[] target = new double[unit.rows()];
        for (int i = 0; i < target.length; i++) {
            target[i] = raw.labels()[i];
        }
        Attributors.ntk().prepare(Examples.regression(unit, target)).save(ntk);
        r = CliTestSupport.run("index", "build", "--from", ntk.toString(), "--out", tmp.resolve("n").toString());
        // ntk artifacts are indexed (kind artifact; queries carry their real target, NtkIndexTest / NtkTargetQueryTest)
        assertEquals(0, r.exitCode(), r.toString());
        com.fasterxml.jackson.databind.JsonNode nm = org.exemplar.io.Json.mapper().readTree(
                tmp.resolve("n").resolve("index.json").toFile());
        assertEquals("ntk", nm.path("method").asText());
        assertEquals("artifact", nm.path("kind").asText());
        assertTrue(nm.path("queryTarget").asBoolean(), nm.toString());
        // --ann on a method the graph does not serve: exit 2 and no index folder left without its graph
        r = CliTestSupport.run("index", "build", "--from", ntk.toString(), "--out", tmp.resolve("n-ann").toString(),
                "--ann");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("ntk indexes (kind artifact)") && r.err().contains("no ANN"), r.err());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("n-ann")), "a failed --ann build left its index folder");

        r = CliTestSupport.run("index", "build", "--from", art.toString(), "--out", tmp.resolve("y").toString(),
                "--ids", tmp.resolve("ids-short.txt").toString());
        assertEquals(2, r.exitCode(), r.toString());

        r = CliTestSupport.run("serve", "--index", tmp.resolve("none").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("no index.json"), r.err());

        r = CliTestSupport.run("serve", "--index", out.toString(), "--token-file", tmp.resolve("missing").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("token file not found"), r.err());

        r = CliTestSupport.run("serve", "--index", out.toString(), "--ann");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("has no ANN graphs"), r.err());

        Path json = out.resolve("index.json");
        Files.writeString(json, Files.readString(json).replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));
        r = CliTestSupport.run("serve", "--index", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("format version 7 is not supported"), r.err());
    }

    /**
     * The K-FAC path of the command line: {@code attribute --method kfac --save-artifact}, then {@code index build
     * --from RUN/artifact}, then the server (as {@code serve} starts it): the HTTP answer for every test point, given
     * its label, lists the same top-3 supporting and opposing training points as the command's {@code scores.npy}
     * (the library's full score matrix, written before any index exists), scores to 1e-12 relative.
     */
    @Test
    void kfacArtifactOfAttributeBuildsAnIndexThatServesTheLibrarysTopK() throws Exception {
        Examples train = data(60, 3, 5);
        Examples test = data(6, 3, 6);
        Path run = kfacRun("", train, test);
        Path idx = tmp.resolve("kfac-idx");
        CliTestSupport.Run r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out", idx.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("kfac"), r.out());
        DenseMatrix scores = org.exemplar.data.Npy.read(run.resolve("scores.npy")).toMatrix();
        assertServesTop3(idx, "inner-product", test.features(), test.labels(), scores);
    }

    /** {@code attribute --method kfac --save-artifact} on the given data (files named with the prefix); the run folder. */
    private Path kfacRun(String pre, Examples train, Examples test) throws Exception {
        Path x = tmp.resolve(pre + "x.npy");
        Path y = tmp.resolve(pre + "y.npy");
        Path xt = tmp.resolve(pre + "xt.npy");
        Path yt = tmp.resolve(pre + "yt.npy");
        org.exemplar.data.Npy.write(x, train.features());
        org.exemplar.data.Npy.write(y, train.labels());
        org.exemplar.data.Npy.write(xt, test.features());
        org.exemplar.data.Npy.write(yt, test.labels());
        Path run = tmp.resolve(pre + "run");
        CliTestSupport.Run r = CliTestSupport.run("attribute", "--train-features", x.toString(), "--train-labels",
                y.toString(), "--test-features", xt.toString(), "--test-labels", yt.toString(), "-q", "--method", "kfac",
                "--model", "logistic", "--damping", "0.01", "--seed", "2", "--save-artifact", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        return run;
    }

    /**
     * {@code index build --ann} on the K-FAC artifact of {@code attribute --method kfac --save-artifact}: the command
     * succeeds, index.json records the graph (kind, M, beam, one graph over the stored keys of the index's key width),
     * and the server started as {@code serve --ann} answers through the graph (exact = false) with the same top-3
     * as the command's {@code scores.npy}, scores to 1e-12 relative (60 training points: the graph's 100 candidates
     * cover them all, so the approximate answer must be the exact one; recall on larger indexes: InnerProductAnnTest).
     */
    @Test
    void kfacArtifactBuildsAnAnnIndexThatServesTheLibrarysTopK() throws Exception {
        Examples train = data(60, 3, 5);
        Examples test = data(6, 3, 6);
        Path run = kfacRun("a", train, test);
        Path idx = tmp.resolve("kfac-ann-idx");
        CliTestSupport.Run r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out", idx.toString(),
                "--ann", "--ann-m", "12", "--ann-beam", "60");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ann: HNSW graphs (M 12, beam 60)"), r.out());
        assertTrue(r.out().contains("serve --index " + idx + " --ann"), r.out());
        com.fasterxml.jackson.databind.JsonNode a = ExplanationIndex.open(idx).metadata().path("ann");
        assertEquals("lucene-hnsw-mip", a.path("kind").asText(), a.toString());
        assertEquals(12, a.path("maxConn").asInt());
        assertEquals(60, a.path("beamWidth").asInt());
        assertEquals(1, a.path("graphs").asInt());
        assertEquals(ExplanationIndex.open(idx).metadata().path("keyWidth").asInt(), a.path("keyWidth").asInt());
        assertTrue(a.path("similarity").asText().contains("inner_keys.npy"), a.toString());
        assertTrue(Files.isDirectory(idx.resolve("ann").resolve("column-0")));
        DenseMatrix scores = org.exemplar.data.Npy.read(run.resolve("scores.npy")).toMatrix();
        assertServesTop3(idx, "inner-product", test.features(), test.labels(), scores, true);
    }

    /**
     * The TRAK path of the command line: {@code attribute --method trak --models 2 --save-artifact}, {@code index
     * build}, the server: the HTTP answer for every test point, given its label, lists the same top-3 supporting and
     * opposing training points as the command's {@code scores.npy} (the library's TRAK score matrix of the ensemble,
     * written before any index exists), scores to 1e-12 relative.
     */
    @Test
    void trakArtifactOfAttributeBuildsAnIndexThatServesTheLibrarysTopK() throws Exception {
        Examples train = data(60, 3, 15);
        Examples test = data(6, 3, 16);
        Path x = tmp.resolve("tx.npy");
        Path y = tmp.resolve("ty.npy");
        Path xt = tmp.resolve("txt.npy");
        Path yt = tmp.resolve("tyt.npy");
        org.exemplar.data.Npy.write(x, train.features());
        org.exemplar.data.Npy.write(y, train.labels());
        org.exemplar.data.Npy.write(xt, test.features());
        org.exemplar.data.Npy.write(yt, test.labels());
        Path run = tmp.resolve("trun");
        CliTestSupport.Run r = CliTestSupport.run("attribute", "--train-features", x.toString(), "--train-labels",
                y.toString(), "--test-features", xt.toString(), "--test-labels", yt.toString(), "-q", "--method", "trak",
                "--models", "2", "--projection-dim", "8", "--l2", "0.02", "--damping", "0.01", "--seed", "3",
                "--save-artifact", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path idx = tmp.resolve("trak-idx");
        r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out", idx.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("trak"), r.out());
        assertEquals(16, ExplanationIndex.open(idx).metadata().path("keyWidth").asInt());
        DenseMatrix scores = org.exemplar.data.Npy.read(run.resolve("scores.npy")).toMatrix();
        assertServesTop3(idx, "inner-product", test.features(), test.labels(), scores);
    }

    /**
     * The TracInCP path: {@code attribute --method tracin --save-artifact} (a 3-4-3 network, 3 checkpoints),
     * {@code index build}, the server: the HTTP top-3 of every test row equal the command's {@code scores.npy} (the
     * library's score matrix, written before any index exists), scores to 1e-12 relative.
     */
    @Test
    void tracinArtifactOfAttributeBuildsAnIndexThatServesTheLibrarysTopK() throws Exception {
        Examples train = data(60, 3, 25);
        Examples test = data(6, 3, 26);
        Path x = tmp.resolve("cx.npy");
        Path y = tmp.resolve("cy.npy");
        Path xt = tmp.resolve("cxt.npy");
        Path yt = tmp.resolve("cyt.npy");
        org.exemplar.data.Npy.write(x, train.features());
        org.exemplar.data.Npy.write(y, train.labels());
        org.exemplar.data.Npy.write(xt, test.features());
        org.exemplar.data.Npy.write(yt, test.labels());
        Path run = tmp.resolve("crun");
        CliTestSupport.Run r = CliTestSupport.run("attribute", "--train-features", x.toString(), "--train-labels",
                y.toString(), "--test-features", xt.toString(), "--test-labels", yt.toString(), "-q", "--method",
                "tracin", "--hidden", "4", "--activation", "tanh", "--epochs", "3", "--batch-size", "8", "--seed", "2",
                "--save-artifact", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path idx = tmp.resolve("tracin-idx");
        r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out", idx.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("tracin-mlp"), r.out());
        int classes = Arrays.stream(train.labels()).max().getAsInt() + 1;
        assertEquals(3 * ((3 + 1) * 4 + (4 + 1) * classes), ExplanationIndex.open(idx).metadata().path("keyWidth")
                .asInt());
        DenseMatrix scores = org.exemplar.data.Npy.read(run.resolve("scores.npy")).toMatrix();
        assertServesTop3(idx, "inner-product", test.features(), test.labels(), scores);
    }

    /**
     * The representer-l1 path: {@code hdrep l1 --save-artifact}, {@code index build}, the server: the HTTP top-3 of
     * every test row equal the command's {@code values.npy} (Corollary 2 importances), scores to 1e-12 relative.
     */
    @Test
    void hdrepL1ArtifactBuildsAnIndexThatServesTheCommandsValues() throws Exception {
        Examples train = data(70, 8, 11);
        Examples test = data(5, 8, 12);
        Path x = tmp.resolve("hx.npy");
        Path y = tmp.resolve("hy.npy");
        Path xt = tmp.resolve("hxt.npy");
        org.exemplar.data.Npy.write(x, train.features());
        org.exemplar.data.Npy.write(y, train.labels());
        org.exemplar.data.Npy.write(xt, test.features());
        Path run = tmp.resolve("hrun");
        CliTestSupport.Run r = CliTestSupport.run("hdrep", "l1", "--train-features", x.toString(), "--train-labels",
                y.toString(), "--test-features", xt.toString(), "--lambda", "0.02", "--save-artifact", "--out",
                run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path idx = tmp.resolve("l1-idx");
        r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out", idx.toString());
        assertEquals(0, r.exitCode(), r.toString());
        DenseMatrix values = org.exemplar.data.Npy.read(run.resolve("values.npy")).toMatrix();
        assertServesTop3(idx, "inner-product", test.features(), null, values);
    }

    /** POSTs every query row to /v1/explain of a server on the index; top-3 of both signs must be those of scores. */
    static void assertServesTop3(Path idx, String kind, DenseMatrix queries, int[] classes, DenseMatrix scores)
            throws Exception {
        assertServesTop3(idx, kind, queries, classes, scores, false);
    }

    /** As above; with {@code ann} the server answers through the index's HNSW graph and must say exact = false. */
    static void assertServesTop3(Path idx, String kind, DenseMatrix queries, int[] classes, DenseMatrix scores,
                                 boolean ann) throws Exception {
        ExplanationIndex index = ExplanationIndex.open(idx);
        assertEquals(kind, index.metadata().path("kind").asText());
        try (org.exemplar.server.AnnSearch search = ann ? org.exemplar.server.LuceneAnn.open(index) : null;
             org.exemplar.server.ExplanationServer server = new org.exemplar.server.ExplanationServer(index, search,
                org.exemplar.server.ServerSettings.defaults().withPort(0)).start()) {
            for (int t = 0; t < queries.rows(); t++) {
                String body = "{\"features\": " + java.util.Arrays.toString(queries.row(t))
                        + (classes == null ? "" : ", \"class\": " + classes[t]) + ", \"k\": 3, \"direction\": \"both\"}";
                var resp = post(server.port(), "/v1/explain", body);
                assertEquals(200, resp.statusCode(), resp.body());
                var json = org.exemplar.io.Json.mapper().readTree(resp.body());
                assertEquals(!ann, json.path("exact").asBoolean(), resp.body());
                double[] row = scores.row(t);
                Integer[] order = new Integer[row.length];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                java.util.Arrays.sort(order, (a, b) -> Double.compare(row[b], row[a]));
                for (int k = 0; k < 3; k++) {
                    var sup = json.path("supporting").get(k);
                    var opp = json.path("opposing").get(k);
                    int want = order[k];
                    int wantOpp = order[row.length - 1 - k];
                    assertEquals(want, sup.path("id").asInt(), "test " + t + " supporting rank " + k + ": " + resp.body());
                    assertEquals(row[want], sup.path("score").asDouble(), 1e-12 * Math.abs(row[want]));
                    assertEquals(wantOpp, opp.path("id").asInt(), "test " + t + " opposing rank " + k);
                    assertEquals(row[wantOpp], opp.path("score").asDouble(), 1e-12 * Math.abs(row[wantOpp]));
                }
            }
        }
    }

    /**
     * The CF path: {@code hdrep cf --user-embeddings --item-embeddings --save-artifact}, {@code index build}, the
     * server: a (user, item) query's supporting and opposing lists equal the non-zero scores of the command's
     * {@code attribution/scores.npy} for that pair, in order, scores to 1e-12 relative; --save-artifact without
     * given embeddings is refused before any work (exit 2).
     */
    @Test
    void cfArtifactOfHdrepCfBuildsAnIndexThatServesPairQueries() throws Exception {
        SplittableRandom rnd = new SplittableRandom(17);
        DenseMatrix u = new DenseMatrix(5, 2);
        DenseMatrix v = new DenseMatrix(6, 2);
        for (DenseMatrix m : new DenseMatrix[] {u, v}) {
            for (int j = 0; j < m.data().length; j++) {
                m.data()[j] = rnd.nextGaussian();
            }
        }
        Path ratings = randomRatings(tmp.resolve("R.npy"), rnd, 0.6);
        Path ue = tmp.resolve("U.npy");
        Path ve = tmp.resolve("V.npy");
        org.exemplar.data.Npy.write(ue, u);
        org.exemplar.data.Npy.write(ve, v);
        int[][] pairs = {{0, 5}, {3, 1}, {4, 4}};
        Path pp = tmp.resolve("P.npy");
        org.exemplar.data.Npy.write(pp, DenseMatrix.fromRows(new double[][] {{0, 5}, {3, 1}, {4, 4}}));
        Path run = tmp.resolve("cfrun");
        CliTestSupport.Run r = CliTestSupport.run("hdrep", "cf", "--ratings", ratings.toString(), "--user-embeddings",
                ue.toString(), "--item-embeddings", ve.toString(), "--test-pairs", pp.toString(), "-q",
                "--save-artifact", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path idx = tmp.resolve("cf-idx");
        r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out", idx.toString());
        assertEquals(0, r.exitCode(), r.toString());
        DenseMatrix scores = org.exemplar.data.Npy.read(run.resolve("attribution/scores.npy")).toMatrix();
        ExplanationIndex index = ExplanationIndex.open(idx);
        assertTrue(index.pairQueries());
        try (org.exemplar.server.ExplanationServer server = new org.exemplar.server.ExplanationServer(index, null,
                org.exemplar.server.ServerSettings.defaults().withPort(0)).start()) {
            for (int t = 0; t < pairs.length; t++) {
                var resp = post(server.port(), "/v1/explain", "{\"user\": " + pairs[t][0] + ", \"item\": "
                        + pairs[t][1] + ", \"k\": 3}");
                assertEquals(200, resp.statusCode(), resp.body());
                var json = org.exemplar.io.Json.mapper().readTree(resp.body());
                assertTrue(json.path("exact").asBoolean(), resp.body());
                assertListsOf(scores.row(t), json, 3, "pair " + t);
            }
        }
        r = CliTestSupport.run("hdrep", "cf", "--ratings", ratings.toString(), "--train", "als", "--test-pairs",
                pp.toString(), "-q", "--save-artifact", "--out", tmp.resolve("never").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--save-artifact saves the cf-mf attributor of given embeddings"), r.err());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    /** A 5 x 6 ratings file: each (user, item) rated 1..5 with probability density, written to file (returned). */
    static Path randomRatings(Path file, SplittableRandom rnd, double density) {
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 6; b++) {
                if (rnd.nextDouble() < density) {
                    rows.add(new double[] {a, b, 1 + rnd.nextInt(5)});
                }
            }
        }
        org.exemplar.data.Npy.write(file, DenseMatrix.fromRows(rows.toArray(new double[0][])));
        return file;
    }

    /** POSTs body to path on 127.0.0.1:port. */
    static java.net.http.HttpResponse<String> post(int port, String path, String body) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + port + path)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** An answer's supporting and opposing lists are the non-zero entries of {@code row}, in order, to 1e-12. */
    static void assertListsOf(double[] row, com.fasterxml.jackson.databind.JsonNode json, int k, String what) {
        for (int sign : new int[] {1, -1}) {
            Integer[] order = java.util.stream.IntStream.range(0, row.length).filter(i -> sign * row[i] > 0)
                    .boxed().sorted((a, b) -> Double.compare(sign * row[b], sign * row[a])).toArray(Integer[]::new);
            var got = json.path(sign > 0 ? "supporting" : "opposing");
            assertEquals(Math.min(k, order.length), got.size(), what + ": " + json);
            for (int r = 0; r < got.size(); r++) {
                assertEquals((int) order[r], got.get(r).path("id").asInt(), what + " rank " + r + ": " + json);
                assertEquals(row[order[r]], got.get(r).path("score").asDouble(), 1e-12 * Math.abs(row[order[r]]));
            }
        }
    }

    /**
     * The CF baselines: {@code hdrep cf --method fia|tracin-cp --train ... --save-artifact}, {@code index build}, the
     * server. For every (user, item) pair of a 5 x 6 matrix, /v1/explain (and one /v1/explain/batch) answers the
     * non-zero scores of the command's own {@code attribution/scores.npy} in order (1e-12 relative) and its output is
     * the command's {@code predictions.csv} prediction; a training id explains its own pair; /v1/self-influence is
     * 409 (the baselines define none). The command's scores themselves are checked independently: FIA from the
     * command's written embeddings with the given damping, TracInCP from a second training run with the same
     * settings (deterministic) through {@link org.exemplar.cf.TracInCp}. Bad combinations exit 2 before any work.
     */
    @Test
    void fiaAndTracinCpArtifactsOfHdrepCfBuildIndexesThatServeTheCommandsScores() throws Exception {
        SplittableRandom rnd = new SplittableRandom(23);
        Path ratings = randomRatings(tmp.resolve("R.npy"), rnd, 0.65);
        org.exemplar.cf.Ratings train = org.exemplar.cf.RatingsFiles.read(ratings);
        double[][] pr = new double[30][];
        for (int q = 0; q < 30; q++) {
            pr[q] = new double[] {q / 6, q % 6};
        }
        Path pp = tmp.resolve("P.npy");
        org.exemplar.data.Npy.write(pp, DenseMatrix.fromRows(pr));
        String[][] runs = {
            {"fia", "--train", "als", "--method", "fia", "--fia-damping", "0.3", "--rank", "2", "--reg", "0.5",
                "--epochs", "30"},
            {"tracin-cp", "--train", "sgd", "--method", "tracin-cp", "--rank", "2", "--reg", "0.5", "--epochs", "4",
                "--learning-rate", "0.5", "--batch-size", "5"}};
        for (String[] spec : runs) {
            String m = spec[0];
            Path run = tmp.resolve(m + "-run");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("hdrep", "cf", "--ratings",
                    ratings.toString(), "--test-pairs", pp.toString(), "-q", "--save-artifact", "--out", run.toString()));
            args.addAll(java.util.List.of(spec).subList(1, spec.length));
            CliTestSupport.Run r = CliTestSupport.run(args.toArray(new String[0]));
            assertEquals(0, r.exitCode(), r.toString());
            DenseMatrix scores = org.exemplar.data.Npy.read(run.resolve("attribution/scores.npy")).toMatrix();
            assertEquals(30, scores.rows());
            assertEquals(train.size(), scores.cols());
            // the command's scores, independently of the attributor it saved
            org.exemplar.cf.Factorization fitted = new org.exemplar.cf.Factorization(
                    org.exemplar.data.Npy.read(run.resolve("user_embeddings.npy")).toMatrix(),
                    org.exemplar.data.Npy.read(run.resolve("item_embeddings.npy")).toMatrix());
            java.util.function.BiFunction<Integer, Integer, double[]> direct;
            if (m.equals("fia")) {
                direct = new org.exemplar.cf.Fia(train, fitted, org.exemplar.cf.CfLoss.SQUARED, null, 0.5, 0.3)::scores;
            } else {
                org.exemplar.cf.MfResult again = org.exemplar.cf.MfTrainer.train(train, new org.exemplar.cf.MfOptions(
                        org.exemplar.cf.CfLoss.SQUARED, 2, 0.5, 4, 0.5, 5, 0.1, 1.0, 0),
                        org.exemplar.cf.MfTrainer.Algorithm.SGD, null, true);
                assertEquals(java.util.Arrays.toString(again.factors().users().data()),
                        java.util.Arrays.toString(fitted.users().data()));
                direct = new org.exemplar.cf.TracInCp(train, again.checkpoints(), org.exemplar.cf.CfLoss.SQUARED,
                        null)::scores;
            }
            int nonZero = 0;
            for (int q = 0; q < 30; q++) {
                double[] want = direct.apply(q / 6, q % 6);
                for (int t = 0; t < want.length; t++) {
                    assertEquals(want[t], scores.get(q, t), 1e-12 * Math.abs(want[t]), m + " pair " + q + " rating " + t);
                    nonZero += want[t] != 0 ? 1 : 0;
                }
            }
            assertTrue(nonZero > 30, m + ": " + nonZero);
            java.util.List<String> pred = Files.readAllLines(run.resolve("predictions.csv"));
            Path idx = tmp.resolve(m + "-idx");
            r = CliTestSupport.run("index", "build", "--from", run.resolve("artifact").toString(), "--out",
                    idx.toString());
            assertEquals(0, r.exitCode(), r.toString());
            ExplanationIndex index = ExplanationIndex.open(idx);
            assertEquals(m, index.method());
            assertTrue(index.pairQueries());
            if (m.equals("fia")) {
                assertEquals(0.3, index.metadata().path("settings").path("damping").asDouble(), 0.0);
            } else {
                assertEquals(4, index.metadata().path("settings").path("checkpoints").asInt());
            }
            try (org.exemplar.server.ExplanationServer server = new org.exemplar.server.ExplanationServer(index, null,
                    org.exemplar.server.ServerSettings.defaults().withPort(0)).start()) {
                StringBuilder batch = new StringBuilder("{\"k\": 4, \"queries\": [");
                for (int q = 0; q < 30; q++) {
                    var resp = post(server.port(), "/v1/explain", "{\"user\": " + q / 6 + ", \"item\": " + q % 6
                            + ", \"k\": 3}");
                    assertEquals(200, resp.statusCode(), resp.body());
                    var json = org.exemplar.io.Json.mapper().readTree(resp.body());
                    assertListsOf(scores.row(q), json, 3, m + " pair " + q);
                    String[] cells = pred.get(q + 1).split(",");
                    assertEquals(Double.parseDouble(cells[3]), json.path("outputs").get(0).asDouble(), 1e-12,
                            m + " prediction of pair " + q);
                    batch.append(q == 0 ? "" : ", ").append("{\"user\": ").append(q / 6).append(", \"item\": ")
                            .append(q % 6).append("}");
                }
                var resp = post(server.port(), "/v1/explain/batch", batch.append("]}").toString());
                assertEquals(200, resp.statusCode(), resp.body());
                var res = org.exemplar.io.Json.mapper().readTree(resp.body()).path("results");
                for (int q = 0; q < 30; q++) {
                    assertListsOf(scores.row(q), res.get(q), 4, m + " batch pair " + q);
                }
                // a training rating's own pair
                int t = 3;
                resp = post(server.port(), "/v1/explain", "{\"trainingId\": " + t + ", \"k\": 3}");
                assertEquals(200, resp.statusCode(), resp.body());
                assertListsOf(scores.row(train.user(t) * 6 + train.item(t)),
                        org.exemplar.io.Json.mapper().readTree(resp.body()), 3, m + " training id " + t);
                var self = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.port() + "/v1/self-influence?top=3")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(409, self.statusCode(), self.body());
                assertTrue(self.body().contains(m + " index holds no self-influence: the method defines none"), self.body());
            }
        }
        String[][] bad = {
            {"--method", "tracin-cp", "--train", "als"}, {"--method", "fia", "--train", "soft-impute"},
            {"--method", "fia", "--train", "sgd", "--fia-damping", "-1"},
            {"--method", "tracin-cp", "--train", "sgd", "--fia-damping", "0.1"}, {"--method", "loo", "--train", "sgd"}};
        String[] msgs = {"--method tracin-cp needs SGD checkpoints: use --train sgd", "not the nuclear-norm model",
            "--fia-damping must be finite and >= 0, got -1.0", "--fia-damping goes with --method fia",
            "--method must be high-dim, fia or tracin-cp, got 'loo'"};
        for (int b = 0; b < bad.length; b++) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("hdrep", "cf", "--ratings",
                    ratings.toString(), "--test-pairs", pp.toString(), "-q", "--out", tmp.resolve("never").toString()));
            args.addAll(java.util.List.of(bad[b]));
            CliTestSupport.Run r = CliTestSupport.run(args.toArray(new String[0]));
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.err().contains(msgs[b]), r.err());
            assertFalse(Files.exists(tmp.resolve("never")));
        }
    }
}
