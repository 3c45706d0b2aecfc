package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client ({@code clients/python/exemplar_client.py}) against a running server with a token: the
 * expected answer is the library's exact top-k ({@link PreparedAttributor#topK}), written to a JSON file that
 * {@code clients/python/tests/check_client.py} compares with what {@code explain(features, k)} returns as numpy
 * arrays; it also checks batch, self-influence, training rows and the 400 / 404 / 401 errors. Needs python3 with
 * numpy: skipped with a message without it, unless {@code EXEMPLAR_REQUIRE_PYTHON=1} (set by .ci/run).
 */
class PythonClientTest {
    @TempDir
    Path tmp;

    static boolean pythonWithNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** The client's folder, or the test skipped (failed with EXEMPLAR_REQUIRE_PYTHON=1) without python3 + numpy. */
    static Path clientDir() {
        boolean ok = pythonWithNumpy();
        if (!ok && "1".equals(System.getenv("EXEMPLAR_REQUIRE_PYTHON"))) {
            throw new AssertionError("EXEMPLAR_REQUIRE_PYTHON=1 but python3 with numpy is missing");
        }
        Assumptions.assumeTrue(ok, "skipped: python3 with numpy not found");
        Path clientDir = Path.of("..", "clients", "python").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(clientDir.resolve("exemplar_client.py")),
                "skipped: clients/python not beside this module");
        return clientDir;
    }

    /** Runs tests/check_client.py against the server with the expected file; asserts exit 0 and the final line. */
    static void check(Path clientDir, int port, Path expFile, String token, String passed) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", clientDir.resolve("tests/check_client.py").toString(),
                "http://127.0.0.1:" + port, expFile.toString()));
        if (token != null) {
            cmd.add(token);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", clientDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(passed), out);
    }

    @Test
    void clientReturnsTheLibrarysAnswerAsNumpyArrays() throws Exception {
        Path clientDir = clientDir();
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.build(tmp.resolve("idx"), false));
        @SuppressWarnings("unchecked")
        PreparedAttributor<Examples> lib = (PreparedAttributor<Examples>) Attributors.load(tmp.resolve("idx-artifact"));
        double[] f = index.testFeatures(4);
        int k = 5;
        PreparedAttributor.Ranking r = lib.topK(Examples.unlabeled(new DenseMatrix(1, f.length, f.clone())), k);
        ObjectNode exp = Json.mapper().createObjectNode();
        ArrayNode fa = exp.putArray("features");
        for (double v : f) {
            fa.add(v);
        }
        exp.put("k", k).put("dim", index.dim()).put("predictedClass", index.predictedClass(f));
        ArrayNode si = exp.putArray("supportingIds");
        ArrayNode ss = exp.putArray("supportingScores");
        for (RankedPoint p : r.supporting(0)) {
            si.add(p.trainIndex());
            ss.add(p.score());
        }
        ArrayNode oi = exp.putArray("opposingIds");
        ArrayNode os = exp.putArray("opposingScores");
        for (RankedPoint p : r.opposing(0)) {
            oi.add(p.trainIndex());
            os.add(p.score());
        }
        ArrayNode batch = exp.putArray("batch");
        for (int t : new int[] {4, 5, 6}) {
            ArrayNode row = batch.addArray();
            for (double v : index.testFeatures(t)) {
                row.add(v);
            }
        }
        Path expFile = tmp.resolve("expected.json");
        Files.writeString(expFile, exp.toString());
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)
                .withToken("py-token")).start()) {
            check(clientDir, s.port(), expFile, "py-token", "python client: all checks passed");
        }
    }

    /**
     * An ntk index: {@code explain(features, k, target=y)} for two targets whose exact lists differ must return the
     * index's own exact top-k for each (ids in order, scores to 1e-12), so does {@code explain_batch(..., targets=)};
     * no target gets the server's 400, a NaN / infinite / non-numeric target the client's ValueError; a training-id
     * query reads the point's own target.
     */
    @Test
    void clientSendsTheTargetOfAnNtkQuery() throws Exception {
        Path clientDir = clientDir();
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.buildNtk(tmp.resolve("ntk")));
        double[] f = index.testFeatures(1);
        int k = 5;
        ObjectNode exp = Json.mapper().createObjectNode();
        exp.put("kind", "ntk").put("k", k).put("prediction", index.outputs(f)[0]);
        ArrayNode fa = exp.putArray("features");
        for (double v : f) {
            fa.add(v);
        }
        ArrayNode answers = exp.putArray("answers");
        for (double y : new double[] {1.5, -1.5}) {
            org.exemplar.index.Explanation e = index.explain(f, null, y, k, org.exemplar.index.Direction.BOTH);
            ObjectNode a = answers.addObject();
            a.put("target", y);
            putList(a, "supporting", e.supporting());
            putList(a, "opposing", e.opposing());
        }
        assertTrue(!answers.get(0).path("supportingIds").equals(answers.get(1).path("supportingIds")),
                "the two targets must rank differently: " + answers);
        exp.put("trainingId", 7);
        ArrayNode own = exp.putArray("trainingSupportingIds");
        for (RankedPoint p : index.explainTraining(7, null, k, org.exemplar.index.Direction.BOTH).supporting()) {
            own.add(p.trainIndex());
        }
        Path expFile = tmp.resolve("expected-ntk.json");
        Files.writeString(expFile, exp.toString());
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)).start()) {
            check(clientDir, s.port(), expFile, null, "python client (ntk target): all checks passed");
        }
    }

    private static void putList(ObjectNode o, String side, List<RankedPoint> ps) {
        ArrayNode ids = o.putArray(side + "Ids");
        ArrayNode scores = o.putArray(side + "Scores");
        for (RankedPoint p : ps) {
            ids.add(p.trainIndex());
            scores.add(p.score());
        }
    }
}
