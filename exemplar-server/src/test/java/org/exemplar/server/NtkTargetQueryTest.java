package org.exemplar.server;

import static org.exemplar.server.CfPairQueryTest.assertError;
import static org.exemplar.server.CfPairQueryTest.assertSame;
import static org.exemplar.server.CfPairQueryTest.post;
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
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.NtkAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.IndexBuildOptions;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code target} field of /v1/explain and /v1/explain/batch on an ntk index: answers equal the library's
 * {@link PreparedAttributor#topK} of the same (features, target) (ids in order, scores to 1e-12 relative after the JSON
 * round trip); a missing target, a non-number, an overflowing (infinite) one, a target with 'trainingId' and a target
 * sent to a non-ntk index get 400 with a message; the OpenAPI description lists the field.
 */
class NtkTargetQueryTest {
    @TempDir
    Path tmp;

    private static String row(double[] f) {
        StringBuilder b = new StringBuilder("[");
        for (int j = 0; j < f.length; j++) {
            b.append(j == 0 ? "" : ", ").append(f[j]);
        }
        return b.append(']').toString();
    }

    @Test
    void targetQueriesEqualTheLibraryAndBadTargetsAre400() throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        DenseMatrix x = TestIndexes.unitRows(30, 3, r);
        double[] y = new double[30];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.sin(3 * x.get(i, 0)) + 0.1 * r.nextGaussian();
        }
        NtkAttributor p = Attributors.ntk().lambda(0.01).prepare(Examples.regression(x, y));
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.fromArtifact(p, tmp.resolve("idx"),
                IndexBuildOptions.defaults()));
        DenseMatrix q = TestIndexes.unitRows(2, 3, r);
        double[] yq = {0.4, -1.25};
        PreparedAttributor.Ranking lib = p.topK(Examples.regression(q, yq), 5);
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)).start()) {
            int port = s.port();
            for (int j = 0; j < 2; j++) {
                HttpResponse<String> resp = post(port, "/v1/explain", "{\"features\": " + row(q.row(j))
                        + ", \"target\": " + yq[j] + ", \"k\": 5}");
                assertEquals(200, resp.statusCode(), resp.body());
                JsonNode a = Json.mapper().readTree(resp.body());
                assertEquals(yq[j], a.path("target").asDouble(), 0.0);
                assertSame(lib.supporting(j), a.path("supporting"));
                assertSame(lib.opposing(j), a.path("opposing"));
            }
            HttpResponse<String> batch = post(port, "/v1/explain/batch", "{\"k\": 5, \"queries\": [{\"features\": "
                    + row(q.row(0)) + ", \"target\": " + yq[0] + "}, {\"trainingId\": 4}, {\"features\": "
                    + row(q.row(1)) + ", \"target\": " + yq[1] + "}]}");
            assertEquals(200, batch.statusCode(), batch.body());
            JsonNode res = Json.mapper().readTree(batch.body()).path("results");
            assertSame(lib.supporting(0), res.get(0).path("supporting"));
            assertSame(lib.supporting(1), res.get(2).path("supporting"));
            Examples own = Examples.regression(x.rowRange(4, 5), new double[] {y[4]});
            assertSame(p.topK(own, 5).supporting(0), res.get(1).path("supporting"));

            String f0 = "{\"features\": " + row(q.row(0));
            assertError(post(port, "/v1/explain", f0 + "}"), "needs 'target'");
            assertError(post(port, "/v1/explain", f0 + ", \"target\": \"1\"}"), "'target' must be a finite number");
            assertError(post(port, "/v1/explain", f0 + ", \"target\": 1e400}"), "'target' must be a finite number");
            assertError(post(port, "/v1/explain", f0 + ", \"target\": null}"), "'target' must be a finite number");
            assertError(post(port, "/v1/explain", "{\"features\": [1, 1, 0], \"target\": 0.5}"), "unit-norm");
            assertError(post(port, "/v1/explain", "{\"trainingId\": 1, \"target\": 0.5}"),
                    "'target' goes with 'features' or 'testId'");
            assertError(post(port, "/v1/explain/batch", "{\"queries\": [" + f0 + ", \"target\": 1}, " + f0 + "}]}"),
                    "queries[1]: an ntk query needs 'target'");
            HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode props = Json.mapper().readTree(api.body()).path("components").path("schemas").path("Query")
                    .path("properties");
            assertTrue(props.has("target"), props.toString());
        }
        ExplanationIndex feat = ExplanationIndex.open(TestIndexes.build(tmp.resolve("feat"), false));
        try (ExplanationServer s = new ExplanationServer(feat, null, ServerSettings.defaults().withPort(0)).start()) {
            assertError(post(s.port(), "/v1/explain", "{\"trainingId\": 0, \"target\": 1.0}"),
                    "'target' is read by ntk indexes only");
        }
    }
}
