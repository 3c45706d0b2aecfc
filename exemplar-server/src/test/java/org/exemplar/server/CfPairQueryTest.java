package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.RatingPairs;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.Ratings;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.IndexBuildOptions;
import org.exemplar.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The (user, item) query shape of /v1/explain on a CF index (cf-mf of two-tower embeddings): answers equal the
 * library's {@link PreparedAttributor#topK} of the pair (ids in order, scores to 1e-12 relative after the JSON round
 * trip), batches of pairs too; unknown user or item ids, half a pair, features on a CF index and a pair on a feature
 * index get 400 with a message; the OpenAPI description lists the fields.
 */
class CfPairQueryTest {
    @TempDir
    Path tmp;

    static final int USERS = 9;
    static final int ITEMS = 7;

    static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void assertError(HttpResponse<String> r, String fragment) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        String msg = Json.mapper().readTree(r.body()).path("error").asText();
        assertTrue(msg.contains(fragment), "'" + fragment + "' not in " + r.body());
    }

    static void assertSame(java.util.List<RankedPoint> want, JsonNode got) {
        assertEquals(want.size(), got.size(), got.toString());
        for (int r = 0; r < want.size(); r++) {
            assertEquals(want.get(r).trainIndex(), got.get(r).path("id").asInt(), "rank " + r + ": " + got);
            assertEquals(want.get(r).score(), got.get(r).path("score").asDouble(),
                    1e-12 * Math.abs(want.get(r).score()));
        }
    }

    @Test
    void pairQueriesEqualTheLibraryAndBadPairsAre400() throws Exception {
        SplittableRandom r = new SplittableRandom(4);
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            for (int i = 0; i < ITEMS; i++) {
                if (r.nextDouble() < 0.55) {
                    pairs.add(new int[] {u, i});
                }
            }
        }
        int n = pairs.size();
        int[] us = new int[n];
        int[] is = new int[n];
        double[] v = new double[n];
        for (int t = 0; t < n; t++) {
            us[t] = pairs.get(t)[0];
            is[t] = pairs.get(t)[1];
            v[t] = 1 + 4 * r.nextDouble();
        }
        Ratings train = new Ratings(USERS, ITEMS, us, is, v);
        CfAttributor p = Attributors.cfTwoTower(new Factorization(TestIndexes.gaussian(USERS, 3, r),
                TestIndexes.gaussian(ITEMS, 3, r)),
                CfLoss.SQUARED).prepare(train);
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.fromArtifact(p, tmp.resolve("idx"),
                IndexBuildOptions.defaults()));
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)).start()) {
            int port = s.port();
            PreparedAttributor.Ranking lib = p.topK(RatingPairs.of(new int[] {0, 3, 8}, new int[] {6, 2, 0}), 5);
            int[][] q = {{0, 6}, {3, 2}, {8, 0}};
            for (int j = 0; j < q.length; j++) {
                HttpResponse<String> resp = post(port, "/v1/explain", "{\"user\": " + q[j][0] + ", \"item\": "
                        + q[j][1] + ", \"k\": 5}");
                assertEquals(200, resp.statusCode(), resp.body());
                JsonNode a = Json.mapper().readTree(resp.body());
                assertEquals(q[j][0], a.path("user").asInt());
                assertEquals(q[j][1], a.path("item").asInt());
                assertEquals(p.representer().embeddings().predict(q[j][0], q[j][1]), a.path("outputs").get(0)
                        .asDouble(), 1e-12);
                assertSame(lib.supporting(j), a.path("supporting"));
                assertSame(lib.opposing(j), a.path("opposing"));
            }
            HttpResponse<String> batch = post(port, "/v1/explain/batch", "{\"k\": 5, \"queries\": [{\"user\": 0, "
                    + "\"item\": 6}, {\"user\": 3, \"item\": 2}, {\"user\": 8, \"item\": 0}]}");
            assertEquals(200, batch.statusCode(), batch.body());
            JsonNode res = Json.mapper().readTree(batch.body()).path("results");
            for (int j = 0; j < 3; j++) {
                assertSame(lib.supporting(j), res.get(j).path("supporting"));
            }
            assertError(post(port, "/v1/explain", "{\"user\": " + USERS + ", \"item\": 0}"),
                    "unknown user id " + USERS + " (the index has users 0.." + (USERS - 1) + ")");
            assertError(post(port, "/v1/explain", "{\"user\": 0, \"item\": -2}"), "unknown item id -2");
            assertError(post(port, "/v1/explain", "{\"user\": 0}"), "needs both 'user' and 'item'");
            assertError(post(port, "/v1/explain", "{\"user\": 1.5, \"item\": 0}"), "'user' must be an integer");
            assertError(post(port, "/v1/explain", "{\"features\": [0, 1]}"), "takes a (user, item) pair");
            assertError(post(port, "/v1/explain/batch", "{\"queries\": [{\"user\": 0, \"item\": 99}]}"),
                    "queries[0]: unknown item id 99");
            HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode props = Json.mapper().readTree(api.body()).path("components").path("schemas").path("Query")
                    .path("properties");
            assertTrue(props.has("user") && props.has("item"), props.toString());
        }
        ExplanationIndex feat = ExplanationIndex.open(TestIndexes.build(tmp.resolve("feat"), false));
        try (ExplanationServer s = new ExplanationServer(feat, null, ServerSettings.defaults().withPort(0)).start()) {
            assertError(post(s.port(), "/v1/explain", "{\"user\": 0, \"item\": 1}"),
                    "'user' and 'item' are queries of CF indexes");
        }
    }
}
