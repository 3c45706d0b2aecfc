package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP contract on a generated index: every refusal's status and message, the exact answers against the
 * library's {@link PreparedAttributor#topK} brute force, the token, the 503 of a saturated pool, metrics, OpenAPI.
 */
class ApiContractTest {
    @TempDir
    static Path tmp;
    static ExplanationIndex index;
    static ExplanationServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;

    @BeforeAll
    static void start() {
        index = ExplanationIndex.open(TestIndexes.build(tmp.resolve("idx"), false));
        server = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0).withPool(2, 2)).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode n = Json.mapper().readTree(r.body());
        assertEquals(status, n.path("status").asInt(), r.body());
        assertTrue(n.path("error").asText().contains(fragment), "'" + fragment + "' not in " + r.body());
    }

    static String features(double[] f) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < f.length; j++) {
            sb.append(j == 0 ? "" : ",").append(f[j]);
        }
        return sb.append(']').toString();
    }

    @Test
    void exactAnswersEqualTheLibraryBruteForce() throws Exception {
        PreparedAttributor<?> lib = Attributors.load(tmp.resolve("idx-artifact"));
        @SuppressWarnings("unchecked")
        PreparedAttributor<Examples> p = (PreparedAttributor<Examples>) lib;
        int k = 6;
        for (int t = 0; t < index.testSize(); t++) {
            double[] f = index.testFeatures(t);
            PreparedAttributor.Ranking want = p.topK(Examples.unlabeled(new DenseMatrix(1, f.length, f)), k);
            // the library's full score row, sorted by brute force, agrees with TopKSink (its own contract test)
            HttpResponse<String> r = post("/v1/explain", "{\"features\":" + features(f) + ",\"k\":" + k + "}", null);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode n = Json.mapper().readTree(r.body());
            assertTrue(n.path("exact").asBoolean());
            assertSame(want.supporting(0), n.path("supporting"));
            assertSame(want.opposing(0), n.path("opposing"));
            JsonNode byId = Json.mapper().readTree(post("/v1/explain", "{\"testId\":" + t + ",\"k\":" + k + "}", null)
                    .body());
            assertSameJson(n.path("supporting"), byId.path("supporting"));
            assertEquals(index.testLabel(t), byId.path("testLabel").asInt());
        }
        // the full matrix, sorted by hand, for one point: the top supporting id
        double[] f0 = index.testFeatures(0);
        double[] row = p.attribute(Examples.unlabeled(new DenseMatrix(1, f0.length, f0))).scores().row(0);
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        JsonNode n = Json.mapper().readTree(post("/v1/explain", "{\"testId\":0,\"k\":1,\"direction\":\"excitatory\"}",
                null).body());
        assertEquals(best, n.path("supporting").get(0).path("id").asInt());
        assertEquals(0, n.path("opposing").size());
    }

    static void assertSameJson(JsonNode want, JsonNode got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).path("id").asInt(), got.get(i).path("id").asInt());
            double w = want.get(i).path("score").asDouble();
            assertEquals(w, got.get(i).path("score").asDouble(), 1e-12 * Math.abs(w));
        }
    }

    static void assertSame(List<RankedPoint> want, JsonNode got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).trainIndex(), got.get(i).path("id").asInt());
            assertEquals(want.get(i).score(), got.get(i).path("score").asDouble(),
                    1e-12 * Math.abs(want.get(i).score()));
        }
    }

    @Test
    void batchEqualsSingleQueries() throws Exception {
        String body = "{\"k\":4,\"queries\":[{\"testId\":1},{\"trainingId\":3},{\"features\":"
                + features(index.testFeatures(2)) + ",\"class\":1}]}";
        HttpResponse<String> r = post("/v1/explain/batch", body, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = Json.mapper().readTree(r.body()).path("results");
        assertEquals(3, res.size());
        String[] singles = {"{\"testId\":1,\"k\":4}", "{\"trainingId\":3,\"k\":4}",
            "{\"features\":" + features(index.testFeatures(2)) + ",\"class\":1,\"k\":4}"};
        for (int i = 0; i < 3; i++) {
            JsonNode one = Json.mapper().readTree(post("/v1/explain", singles[i], null).body());
            // same ids in the same order; scores to 1e-12 (one dgemm for the batch, a gemv alone: other sum order)
            assertSameJson(one.path("supporting"), res.get(i).path("supporting"));
            assertSameJson(one.path("opposing"), res.get(i).path("opposing"));
            assertEquals(one.path("explainedClass"), res.get(i).path("explainedClass"));
        }
        assertEquals(1, res.get(2).path("explainedClass").asInt());
    }

    @Test
    void everyBadRequestGetsItsStatusAndMessage() throws Exception {
        String f = features(index.testFeatures(0));
        assertError(post("/v1/explain", "{\"features\": [1,2", null), 400, "malformed JSON");
        assertError(post("/v1/explain", "", null), 400, "empty body");
        assertError(post("/v1/explain", "[1,2]", null), 400, "JSON object");
        assertError(post("/v1/explain", "{\"features\":[1,2,3]}", null), 400, "has 3 values, the index expects 65");
        assertError(post("/v1/explain", "{\"features\":" + f.replaceFirst("[0-9.E-]+", "NaN") + "}", null), 400,
                "malformed JSON");
        assertError(post("/v1/explain", "{\"features\":" + f.replaceFirst("[0-9.E-]+", "\"NaN\"") + "}", null), 400,
                "features[0] is not a number");
        assertError(post("/v1/explain", "{\"features\":" + f.replaceFirst("[0-9.E-]+", "1e999") + "}", null), 400,
                "features[0] is not finite");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"k\":0}", null), 400, "k = 0 outside [1, 1000]");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"k\":1001}", null), 400, "outside [1, 1000]");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"k\":2.5}", null), 400, "'k' must be an integer");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"class\":9}", null), 400, "class 9 outside [0, 4)");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"direction\":\"up\"}", null), 400, "direction 'up'");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"path\":\"/etc/passwd\"}", null), 400,
                "unknown field 'path'");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"trainingId\":1}", null), 400, "exactly one");
        assertError(post("/v1/explain", "{\"k\":3}", null), 400, "exactly one");
        assertError(post("/v1/explain", "{\"features\":" + f + ",\"approximate\":true}", null), 400,
                "approximate search is off");
        assertError(post("/v1/explain", "{\"trainingId\":240}", null), 404, "training id 240 outside [0, 240)");
        assertError(post("/v1/explain", "{\"trainingId\":-1}", null), 404, "outside");
        assertError(post("/v1/explain", "{\"testId\":20}", null), 404, "test id 20 outside [0, 20)");
        assertError(get("/v1/training/240"), 404, "id 240 outside");
        assertError(get("/v1/training/abc"), 400, "not an integer");
        assertError(get("/v1/training/999/image.png"), 404, "outside");
        assertError(get("/v1/self-influence?top=0"), 400, "top = 0");
        assertError(get("/v1/self-influence?top=x"), 400, "not an integer");
        assertError(get("/v1/nothing"), 404, "no route");
        assertError(post("/v1/explain/batch", "{\"queries\":[]}", null), 400, "non-empty array");
        assertError(post("/v1/explain/batch", "{\"queries\":[{\"testId\":0,\"k\":3}]}", null), 400,
                "belongs to the batch");
        assertError(post("/v1/explain/batch", "{\"queries\":[{\"testId\":0},{\"testId\":99}]}", null), 404,
                "queries[1]: test id 99");
        StringBuilder many = new StringBuilder("{\"queries\":[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("{\"testId\":0}");
        }
        assertError(post("/v1/explain/batch", many + "]}", null), 400, "65 queries; at most 64");
        String huge = "{\"features\":[" + "0.0,".repeat(3_000_000) + "0]}";
        HttpResponse<String> big = post("/v1/explain", huge, null);
        assertEquals(413, big.statusCode(), big.body().substring(0, Math.min(200, big.body().length())));
    }

    @Test
    void trainingSelfInfluenceHealthMetricsOpenapi() throws Exception {
        JsonNode t = Json.mapper().readTree(get("/v1/training/5").body());
        assertEquals(index.label(5), t.path("label").asInt());
        assertEquals(65, t.path("features").size());
        HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/training/5/image.png"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body()));
        assertEquals(8, img.getWidth());
        assertEquals(index.image(5)[9] & 0xff, img.getRaster().getSample(1, 1, 0));
        JsonNode s = Json.mapper().readTree(get("/v1/self-influence?top=6").body());
        assertEquals(6, s.path("points").size());
        // the flipped labels (rows 0, 37, 74, ...) should dominate the top of the ranking
        int flipped = 0;
        for (JsonNode p : s.path("points")) {
            flipped += p.path("id").asInt() % 37 == 0 && p.path("id").asInt() < 6 * 37 ? 1 : 0;
        }
        assertTrue(flipped >= 4, "flipped labels in the top 6: " + flipped + " " + s);
        assertEquals("ok", Json.mapper().readTree(get("/health").body()).path("status").asText());
        String m = get("/metrics").body();
        assertTrue(m.contains("exemplar_requests_total{route=\"/health\",method=\"GET\",status=\"200\"}"), m);
        assertTrue(m.contains("exemplar_request_seconds_bucket{route=\"/health\",le=\"+Inf\"}"), m);
        assertTrue(m.contains("exemplar_index_training_points 240"), m);
        JsonNode api = Json.mapper().readTree(get("/openapi.json").body());
        assertEquals("3.0.3", api.path("openapi").asText());
        assertTrue(api.path("paths").has("/v1/explain"));
        assertTrue(get("/").body().contains("<svg id=\"chart\""));
        assertTrue(get("/app.js").body().contains("function chart"));
    }

    @Test
    void tokenIsRequiredWhenSet() throws Exception {
        ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)
                .withToken("s3cret-token")).start();
        try {
            String b = "http://127.0.0.1:" + s.port();
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(b + "/v1/explain"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"testId\":0}"));
            HttpResponse<String> none = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            assertError(none, 401, "bearer token is required");
            HttpResponse<String> wrong = http.send(req.copy().header("Authorization", "Bearer s3cret-tokem").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(wrong, 401, "bearer token");
            HttpResponse<String> prefix = http.send(req.copy().header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, prefix.statusCode());
            HttpResponse<String> ok = http.send(req.copy().header("Authorization", "Bearer s3cret-token").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            for (String p : List.of("/metrics", "/openapi.json", "/v1/info", "/v1/training/1", "/v1/self-influence")) {
                assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(b + p)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), p);
            }
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(b + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        } finally {
            s.close();
        }
    }

    @Test
    void saturatedPoolAnswers503() throws Exception {
        // one worker, no queue: while one slow batch computes, the others are refused at once
        ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0).withPool(1, 0))
                .start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            String b = "http://127.0.0.1:" + s.port();
            StringBuilder q = new StringBuilder("{\"k\":1000,\"queries\":[");
            for (int i = 0; i < 64; i++) {
                q.append(i == 0 ? "" : ",").append("{\"trainingId\":").append(i).append('}');
            }
            String body = q.append("]}").toString();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return http.send(HttpRequest.newBuilder(URI.create(b + "/v1/explain/batch"))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                }));
            }
            go.countDown();
            int ok = 0;
            int busy = 0;
            for (Future<Integer> f : fs) {
                int c = f.get();
                ok += c == 200 ? 1 : 0;
                busy += c == 503 ? 1 : 0;
            }
            assertEquals(8, ok + busy, "only 200 or 503");
            assertTrue(ok >= 1, "at least one answered");
            assertTrue(busy >= 1, "at least one refused with 503 (ok = " + ok + ")");
            assertTrue(http.send(HttpRequest.newBuilder(URI.create(b + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("exemplar_rejected_total " + busy));
        } finally {
            pool.shutdownNow();
            s.close();
        }
    }

    @Test
    void defaultBindIsLoopback() {
        assertEquals("127.0.0.1", ServerSettings.defaults().bind());
        assertFalse(Files.exists(tmp.resolve("nothing")));
    }
}
