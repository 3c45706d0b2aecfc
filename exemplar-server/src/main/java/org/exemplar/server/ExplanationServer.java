package org.exemplar.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.index.Direction;
import org.exemplar.index.Explanation;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.io.Json;

/**
 * The HTTP JSON API and web page over an {@link ExplanationIndex}: parses and checks requests, asks the index (or
 * the ANN search) for the answer and writes it; no method logic. Javalin (Jetty) does the HTTP.
 *
 * <p>Safety: binds where {@link ServerSettings#bind} says (loopback by default); with a token, every /v1 route,
 * /metrics and /openapi.json need {@code Authorization: Bearer TOKEN} (compared in constant time on SHA-256
 * digests, so neither content nor length leaks through timing); bodies beyond {@code maxBodyBytes} get 413; k and
 * batch sizes are bounded; malformed JSON, wrong dimensions and non-finite numbers get 400 with a message, unknown
 * ids 404; at most {@code workers} queries compute at once and {@code queue} more wait, everything beyond gets 503
 * at once; no request field is ever a file path.
 */
public final class ExplanationServer implements AutoCloseable {
    private static final ObjectMapper M = Json.mapper();
    private static final Set<String> QUERY_FIELDS = Set.of("features", "trainingId", "testId", "user", "item", "k",
            "class", "target", "direction", "approximate");

    private final ExplanationIndex index;
    private final AnnSearch ann;
    private final ServerSettings settings;
    private final Metrics metrics = new Metrics();
    private final Semaphore admitted;
    private final Semaphore workers;
    private final byte[] tokenDigest;
    private final long indexBytes;          // exemplar_index_bytes, summed once when the server is made
    private final long started = System.nanoTime();
    private Javalin app;

    /**
     * @param ann the approximate search over the index, or null when the server answers exactly only
     */
    public ExplanationServer(ExplanationIndex index, AnnSearch ann, ServerSettings settings) {
        this.index = index;
        this.ann = ann;
        this.settings = settings;
        this.admitted = new Semaphore(settings.workers() + settings.queue());
        this.workers = new Semaphore(settings.workers(), true);
        this.tokenDigest = settings.token() == null ? null : sha256(settings.token());
        this.indexBytes = index.dataBytes() + (ann == null ? 0 : ann.dataBytes());   // once: the files do not change
    }

    /** Starts listening; returns this (see {@link #port()}). */
    public ExplanationServer start() {
        app = Javalin.create(cfg -> {
            cfg.jetty.host = settings.bind();
            cfg.jetty.port = settings.port();
            cfg.http.maxRequestSize = settings.maxBodyBytes();
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.modifyServer(s -> s.setStopTimeout(10_000));
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/org/exemplar/server/web";
                sf.location = Location.CLASSPATH;
            });
            cfg.routes.get("/health", wrap("/health", false, false, this::health));
            cfg.routes.get("/metrics", wrap("/metrics", true, false, this::metricsText));
            cfg.routes.get("/openapi.json", wrap("/openapi.json", true, false, this::openapi));
            cfg.routes.get("/v1/info", wrap("/v1/info", true, false, this::info));
            cfg.routes.post("/v1/explain", wrap("/v1/explain", true, true, this::explain));
            cfg.routes.post("/v1/explain/batch", wrap("/v1/explain/batch", true, true, this::explainBatch));
            cfg.routes.get("/v1/training/{id}", wrap("/v1/training/{id}", true, false, this::training));
            cfg.routes.get("/v1/training/{id}/image.png", wrap("/v1/training/{id}/image.png", true, false,
                    ctx -> png(ctx, index.image(id(ctx, index.size())))));
            cfg.routes.get("/v1/test/{id}", wrap("/v1/test/{id}", true, false, this::testPoint));
            cfg.routes.get("/v1/test/{id}/image.png", wrap("/v1/test/{id}/image.png", true, false,
                    ctx -> png(ctx, index.testImage(id(ctx, index.testSize())))));
            cfg.routes.get("/v1/self-influence", wrap("/v1/self-influence", true, true, this::selfInfluence));
            cfg.routes.error(404, ctx -> {
                if (ctx.attribute("exemplar.error") == null) {
                    error(ctx, 404, "no route " + ctx.method() + " " + ctx.path());
                }
            });
        });
        app.start();
        return this;
    }

    /** The port listened on. */
    public int port() {
        return app.port();
    }

    /** Stops accepting, lets running requests finish (up to 10 s), closes. */
    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }

    // ------------------------------------------------------------------ plumbing

    private interface Body {
        void handle(Context ctx) throws Exception;
    }

    /**
     * Token check, admission (503 when workers + queue are taken; compute waits for a worker), timing and metrics,
     * and the mapping of refusals to JSON error bodies.
     */
    private Handler wrap(String route, boolean needsToken, boolean compute, Body body) {
        return ctx -> {
            long t0 = System.nanoTime();
            try {
                if (needsToken && tokenDigest != null) {
                    String h = ctx.header("Authorization");
                    String given = h != null && h.startsWith("Bearer ") ? h.substring(7) : "";
                    if (!MessageDigest.isEqual(sha256(given), tokenDigest)) {
                        ctx.header("WWW-Authenticate", "Bearer");
                        throw new ApiException(401, "a bearer token is required (Authorization: Bearer TOKEN)");
                    }
                }
                if (compute) {
                    if (!admitted.tryAcquire()) {
                        metrics.rejected.increment();
                        ctx.header("Retry-After", "1");
                        throw new ApiException(503, "the server is saturated (" + settings.workers() + " workers, "
                                + settings.queue() + " queued); retry later");
                    }
                    try {
                        workers.acquire();
                        try {
                            body.handle(ctx);
                        } finally {
                            workers.release();
                        }
                    } finally {
                        admitted.release();
                    }
                } else {
                    body.handle(ctx);
                }
            } catch (ApiException e) {
                error(ctx, e.status, e.getMessage());
            } catch (HttpResponseException e) {
                error(ctx, e.getStatus(), e.getMessage());
            } catch (JsonProcessingException e) {
                error(ctx, 400, "malformed JSON: " + e.getOriginalMessage());
            } catch (IllegalArgumentException e) {
                error(ctx, 400, e.getMessage());
            } catch (IndexOutOfBoundsException e) {
                error(ctx, 404, e.getMessage());
            } catch (UnsupportedOperationException e) {
                error(ctx, 409, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(ctx, 503, "interrupted while waiting for a worker");
            }
            metrics.record(route, ctx.method().name(), ctx.statusCode(), (System.nanoTime() - t0) / 1e9);
        };
    }

    private static void error(Context ctx, int status, String message) {
        ObjectNode o = M.createObjectNode();
        o.put("status", status).put("error", message == null ? "error" : message);
        ctx.attribute("exemplar.error", Boolean.TRUE);
        ctx.status(status).contentType("application/json").result(o.toString());
    }

    private static void json(Context ctx, JsonNode n) {
        ctx.contentType("application/json").result(n.toString());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int id(Context ctx, int size) {
        String s = ctx.pathParam("id");
        int i;
        try {
            i = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "id '" + s + "' is not an integer");
        }
        if (i < 0 || i >= size) {
            throw new ApiException(404, "id " + i + " outside [0, " + size + ")");
        }
        return i;
    }

    private JsonNode readBody(Context ctx) throws IOException {
        byte[] b = ctx.bodyAsBytes();
        if (b.length == 0) {
            throw new ApiException(400, "empty body: send a JSON object");
        }
        JsonNode n = M.readTree(b);
        if (n == null || !n.isObject()) {
            throw new ApiException(400, "the body must be a JSON object");
        }
        return n;
    }

    // ------------------------------------------------------------------ routes

    private void health(Context ctx) {
        ObjectNode o = M.createObjectNode();
        o.put("status", "ok").put("method", index.method()).put("trainingPoints", index.size())
                .put("uptimeSeconds", (System.nanoTime() - started) / 1e9);
        json(ctx, o);
    }

    private void metricsText(Context ctx) {
        List<Metrics.Gauge> g = new ArrayList<>();
        g.add(new Metrics.Gauge("exemplar_index_training_points", "Training points in the index.", index.size()));
        g.add(new Metrics.Gauge("exemplar_index_dimension", "Width of a features query.", index.dim()));
        g.add(new Metrics.Gauge("exemplar_index_bytes", "Total size on disk of the index's data files the server maps "
                + "or reads: keys.npy, inner_keys.npy, alpha, theta, labels, self-influence, the saved artifact, payloads, "
                + "the shipped test set, and the ANN graphs' files when serving with --ann (not index.json).",
                indexBytes));
        g.add(new Metrics.Gauge("exemplar_workers_busy", "Workers computing a query now.",
                settings.workers() - workers.availablePermits()));
        g.add(new Metrics.Gauge("exemplar_requests_admitted", "Compute requests admitted now (computing or queued).",
                settings.workers() + settings.queue() - admitted.availablePermits()));
        g.add(new Metrics.Gauge("exemplar_jvm_heap_used_bytes", "JVM heap in use.",
                Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render(g));
    }

    private void openapi(Context ctx) throws IOException {
        try (InputStream in = ExplanationServer.class.getResourceAsStream("openapi.json")) {
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }

    private void info(Context ctx) {
        ObjectNode o = (ObjectNode) index.metadata();
        o.put("annAvailable", ann != null);
        o.put("maxK", settings.maxK()).put("maxBatch", settings.maxBatch());
        o.put("classes", index.classes()).put("hasImages", index.hasImages()).put("testSize", index.testSize());
        o.put("imageHeight", index.imageHeight()).put("imageWidth", index.imageWidth());
        o.put("hasSelfInfluence", index.hasSelfInfluence());
        o.put("needsTarget", index.needsTarget());
        json(ctx, o);
    }

    /** One parsed query (user and item: a CF pair query, carried to the index as the features {user, item}). */
    private record Query(double[] features, Integer trainingId, Integer testId, Integer cls, Integer user,
                         Integer item, Double target) {
        Query(double[] features, Integer trainingId, Integer testId, Integer cls) {
            this(features, trainingId, testId, cls, null, null, null);
        }

        Query withTarget(Double t) {
            return new Query(features, trainingId, testId, cls, user, item, t);
        }
    }

    /**
     * The real target y_t of a features or test-id query on an ntk index (the squared test loss it explains reads
     * it): required there, refused by every other index and with 'trainingId' (which reads the artifact's y_i).
     */
    private Double targetOf(JsonNode q, String where) {
        if (!q.has("target")) {
            if (index.needsTarget() && !q.has("trainingId")) {
                throw new ApiException(400, where + "an " + index.method() + " query needs 'target', the real-valued "
                        + "target y_t of the test loss it explains");
            }
            return null;
        }
        if (!index.needsTarget()) {
            throw new ApiException(400, where + "'target' is read by ntk indexes only; this " + index.method()
                    + " index takes none");
        }
        if (q.has("trainingId")) {
            throw new ApiException(400, where + "'target' goes with 'features' or 'testId'; a 'trainingId' query "
                    + "reads the training point's own target");
        }
        JsonNode v = q.get("target");
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new ApiException(400, where + "'target' must be a finite number, got " + v);
        }
        return v.doubleValue();
    }

    private Query parseQuery(JsonNode q, String where) {
        Query parsed = parseShape(q, where);
        return parsed.withTarget(targetOf(q, where));
    }

    private Query parseShape(JsonNode q, String where) {
        for (Iterator<String> it = q.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!QUERY_FIELDS.contains(f) && !f.equals("queries")) {
                throw new ApiException(400, where + "unknown field '" + f + "' (known: " + QUERY_FIELDS + ")");
            }
        }
        boolean pair = q.has("user") || q.has("item");
        int given = (q.has("features") ? 1 : 0) + (q.has("trainingId") ? 1 : 0) + (q.has("testId") ? 1 : 0)
                + (pair ? 1 : 0);
        if (given != 1) {
            throw new ApiException(400, where + (index.pairQueries()
                    ? "give exactly one of 'user' with 'item', 'trainingId'"
                    : "give exactly one of 'features', 'trainingId', 'testId'"));
        }
        if (pair != index.pairQueries() && !q.has("trainingId")) {
            throw new ApiException(400, where + (pair ? "'user' and 'item' are queries of CF indexes; this "
                    + index.method() + " index takes 'features', 'trainingId' or 'testId'"
                    : "this " + index.method() + " index takes a (user, item) pair: give 'user' and 'item' (or "
                    + "'trainingId')"));
        }
        Integer cls = null;
        if (q.has("class") && !q.get("class").isNull()) {
            cls = intField(q, "class", where);
            if (cls < 0 || cls >= index.classes()) {
                throw new ApiException(400, where + "class " + cls + " outside [0, " + index.classes() + ")");
            }
        }
        if (pair) {
            if (!q.has("user") || !q.has("item")) {
                throw new ApiException(400, where + "a pair query needs both 'user' and 'item'");
            }
            JsonNode m = index.metadata();
            int u = intField(q, "user", where);
            int it = intField(q, "item", where);
            if (u < 0 || u >= m.path("numUsers").asInt()) {
                throw new ApiException(400, where + "unknown user id " + u + " (the index has users 0.."
                        + (m.path("numUsers").asInt() - 1) + ")");
            }
            if (it < 0 || it >= m.path("numItems").asInt()) {
                throw new ApiException(400, where + "unknown item id " + it + " (the index has items 0.."
                        + (m.path("numItems").asInt() - 1) + ")");
            }
            return new Query(new double[] {u, it}, null, null, cls, u, it, null);
        }
        if (q.has("trainingId")) {
            int id = intField(q, "trainingId", where);
            if (id < 0 || id >= index.size()) {
                throw new ApiException(404, where + "training id " + id + " outside [0, " + index.size() + ")");
            }
            return new Query(null, id, null, cls);
        }
        if (q.has("testId")) {
            int id = intField(q, "testId", where);
            if (id < 0 || id >= index.testSize()) {
                throw new ApiException(404, where + "test id " + id + " outside [0, " + index.testSize() + ")");
            }
            return new Query(index.testFeatures(id), null, id, cls);
        }
        JsonNode f = q.get("features");
        if (!f.isArray()) {
            throw new ApiException(400, where + "'features' must be an array of numbers");
        }
        if (f.size() != index.dim()) {
            throw new ApiException(400, where + "'features' has " + f.size() + " values, the index expects "
                    + index.dim());
        }
        double[] x = new double[f.size()];
        for (int j = 0; j < x.length; j++) {
            JsonNode v = f.get(j);
            if (!v.isNumber()) {
                throw new ApiException(400, where + "features[" + j + "] is not a number: " + v);
            }
            x[j] = v.doubleValue();
            if (!Double.isFinite(x[j])) {
                throw new ApiException(400, where + "features[" + j + "] is not finite: " + v);
            }
        }
        return new Query(x, null, null, cls);
    }

    private static int intField(JsonNode q, String name, String where) {
        JsonNode v = q.get(name);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new ApiException(400, where + "'" + name + "' must be an integer, got " + v);
        }
        return v.intValue();
    }

    private int kOf(JsonNode q) {
        if (!q.has("k")) {
            return 10;
        }
        int k = intField(q, "k", "");
        if (k < 1 || k > settings.maxK()) {
            throw new ApiException(400, "k = " + k + " outside [1, " + settings.maxK() + "]");
        }
        return k;
    }

    private static Direction directionOf(JsonNode q) {
        if (!q.has("direction")) {
            return Direction.BOTH;
        }
        String s = q.get("direction").asText("");
        return switch (s) {
            case "excitatory" -> Direction.EXCITATORY;
            case "inhibitory" -> Direction.INHIBITORY;
            case "both" -> Direction.BOTH;
            default -> throw new ApiException(400, "direction '" + s + "' is not excitatory, inhibitory or both");
        };
    }

    private boolean approximateOf(JsonNode q) {
        if (!q.has("approximate")) {
            return ann != null;
        }
        if (!q.get("approximate").isBoolean()) {
            throw new ApiException(400, "'approximate' must be true or false");
        }
        boolean a = q.get("approximate").booleanValue();
        if (a && ann == null) {
            throw new ApiException(400, "approximate search is off: start the server with --ann on an index built "
                    + "with --ann");
        }
        return a;
    }

    private void explain(Context ctx) throws IOException {
        long t0 = System.nanoTime();
        JsonNode body = readBody(ctx);
        if (body.has("queries")) {
            throw new ApiException(400, "'queries' belongs to /v1/explain/batch");
        }
        Query q = parseQuery(body, "");
        int k = kOf(body);
        Direction dir = directionOf(body);
        boolean approx = approximateOf(body);
        Explanation e = run(List.of(q), k, dir, approx).get(0);
        ObjectNode o = answer(q, e, k);
        o.put("tookMs", (System.nanoTime() - t0) / 1e6);
        json(ctx, o);
    }

    private void explainBatch(Context ctx) throws IOException {
        long t0 = System.nanoTime();
        JsonNode body = readBody(ctx);
        JsonNode qs = body.get("queries");
        if (qs == null || !qs.isArray() || qs.isEmpty()) {
            throw new ApiException(400, "'queries' must be a non-empty array of query objects");
        }
        if (qs.size() > settings.maxBatch()) {
            throw new ApiException(400, qs.size() + " queries; at most " + settings.maxBatch() + " per batch");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("queries", "k", "direction", "approximate").contains(f)) {
                throw new ApiException(400, "unknown field '" + f + "' (known: queries, k, direction, approximate)");
            }
        }
        int k = kOf(body);
        Direction dir = directionOf(body);
        boolean approx = approximateOf(body);
        List<Query> list = new ArrayList<>();
        for (int i = 0; i < qs.size(); i++) {
            JsonNode q = qs.get(i);
            if (!q.isObject()) {
                throw new ApiException(400, "queries[" + i + "] is not an object");
            }
            for (String f : List.of("k", "direction", "approximate", "queries")) {
                if (q.has(f)) {
                    throw new ApiException(400, "queries[" + i + "]: '" + f + "' belongs to the batch, not a query");
                }
            }
            list.add(parseQuery(q, "queries[" + i + "]: "));
        }
        List<Explanation> es = run(list, k, dir, approx);
        ObjectNode o = M.createObjectNode();
        ArrayNode results = o.putArray("results");
        for (int i = 0; i < list.size(); i++) {
            results.add(answer(list.get(i), es.get(i), k));
        }
        o.put("tookMs", (System.nanoTime() - t0) / 1e6);
        json(ctx, o);
    }

    private List<Explanation> run(List<Query> qs, int k, Direction dir, boolean approx) {
        List<Explanation> out = new ArrayList<>();
        if (approx) {
            for (Query q : qs) {
                out.add(q.trainingId() != null ? ann.explainTraining(q.trainingId(), q.cls(), k, dir)
                        : ann.explain(q.features(), q.cls(), k, dir));
            }
            return out;
        }
        // training-id queries one by one (their class default differs); the rest in one scan
        List<Integer> scanPos = new ArrayList<>();
        for (int i = 0; i < qs.size(); i++) {
            out.add(null);
            Query q = qs.get(i);
            if (q.trainingId() != null) {
                out.set(i, index.explainTraining(q.trainingId(), q.cls(), k, dir));
            } else {
                scanPos.add(i);
            }
        }
        if (!scanPos.isEmpty()) {
            double[][] fs = new double[scanPos.size()][];
            boolean anyCls = false;
            int[] cls = new int[fs.length];
            double[] targets = index.needsTarget() ? new double[fs.length] : null;
            for (int j = 0; j < fs.length; j++) {
                Query q = qs.get(scanPos.get(j));
                fs[j] = q.features();
                anyCls |= q.cls() != null;
                if (targets != null) {
                    targets[j] = q.target();
                }
            }
            if (anyCls) {
                for (int j = 0; j < fs.length; j++) {
                    Integer c = qs.get(scanPos.get(j)).cls();
                    cls[j] = c != null ? c : index.predictedClass(fs[j]);
                }
            }
            List<Explanation> es = index.explainBatch(fs, anyCls ? cls : null, targets, k, dir);
            for (int j = 0; j < fs.length; j++) {
                out.set(scanPos.get(j), es.get(j));
            }
        }
        return out;
    }

    private ObjectNode answer(Query q, Explanation e, int k) {
        ObjectNode o = M.createObjectNode();
        o.put("method", index.method()).put("exact", e.exact()).put("k", k);
        if (q.trainingId() != null) {
            o.put("trainingId", q.trainingId());
        }
        if (q.user() != null) {
            o.put("user", q.user()).put("item", q.item());
        }
        if (q.target() != null) {
            o.put("target", q.target());
        }
        if (q.testId() != null) {
            o.put("testId", q.testId()).put("testLabel", index.testLabel(q.testId()));
            if (index.hasImages()) {
                o.put("testImage", "/v1/test/" + q.testId() + "/image.png");
            }
        }
        o.put("predictedClass", e.predictedClass()).put("explainedClass", e.explainedClass());
        ArrayNode out = o.putArray("outputs");
        for (double v : e.outputs()) {
            out.add(v);
        }
        if (Double.isFinite(e.decompositionResidual())) {
            o.put("decompositionResidual", e.decompositionResidual());
        }
        o.set("supporting", points(e.supporting()));
        o.set("opposing", points(e.opposing()));
        ObjectNode c = o.putObject("convention");
        c.put("explained", index.convention().explained()).put("raw", index.convention().raw())
                .put("rawFactor", index.convention().rawFactor()).put("units", index.convention().units())
                .put("sign", org.exemplar.attribution.Convention.SIGN);
        return o;
    }

    private ArrayNode points(List<RankedPoint> ps) {
        ArrayNode a = M.createArrayNode();
        for (RankedPoint p : ps) {
            ObjectNode n = a.addObject();
            n.put("id", p.trainIndex()).put("score", p.score()).put("label", index.label(p.trainIndex()))
                    .put("name", index.id(p.trainIndex()));
            if (index.hasImages()) {
                n.put("image", "/v1/training/" + p.trainIndex() + "/image.png");
            }
        }
        return a;
    }

    private void training(Context ctx) {
        int i = id(ctx, index.size());
        ObjectNode o = M.createObjectNode();
        o.put("id", i).put("name", index.id(i)).put("label", index.label(i));
        if (index.hasImages()) {
            o.put("image", "/v1/training/" + i + "/image.png");
        }
        ArrayNode f = o.putArray("features");
        for (double v : index.trainingFeatures(i)) {
            f.add(v);
        }
        json(ctx, o);
    }

    private void testPoint(Context ctx) {
        int i = id(ctx, index.testSize());
        ObjectNode o = M.createObjectNode();
        o.put("id", i).put("label", index.testLabel(i));
        if (index.hasImages()) {
            o.put("image", "/v1/test/" + i + "/image.png");
        }
        ArrayNode f = o.putArray("features");
        for (double v : index.testFeatures(i)) {
            f.add(v);
        }
        json(ctx, o);
    }

    private void selfInfluence(Context ctx) {
        String t = ctx.queryParam("top");
        int k = 20;
        if (t != null) {
            try {
                k = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new ApiException(400, "top = '" + t + "' is not an integer");
            }
        }
        if (k < 1 || k > settings.maxK()) {
            throw new ApiException(400, "top = " + k + " outside [1, " + settings.maxK() + "]");
        }
        if (!index.hasSelfInfluence()) {
            throw new ApiException(409, index.method() + " index holds no self-influence: the method defines none "
                    + "(index.json selfInfluence is null)");
        }
        ObjectNode o = M.createObjectNode();
        o.put("method", index.method()).put("definition", index.selfInfluenceDefinition());
        o.set("points", points(index.selfInfluenceTop(k)));
        json(ctx, o);
    }

    private void png(Context ctx, byte[] px) throws IOException {
        int h = index.imageHeight();
        int w = index.imageWidth();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = px[y * w + x] & 0xff;
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bo);
        ctx.contentType("image/png").header("Cache-Control", "max-age=3600").result(bo.toByteArray());
    }
}
