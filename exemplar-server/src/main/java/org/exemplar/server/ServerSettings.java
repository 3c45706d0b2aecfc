package org.exemplar.server;

/**
 * Settings of {@link ExplanationServer}, validated.
 *
 * @param bind         address to listen on (default 127.0.0.1: loopback only)
 * @param port         TCP port (0 = any free port)
 * @param token        bearer token required on /v1, /metrics and /openapi.json, or null for none
 * @param workers      queries computed at once (the worker pool)
 * @param queue        further requests allowed to wait for a worker; beyond workers + queue the answer is 503
 * @param maxK         largest k a query may ask for
 * @param maxBatch     most queries in one batch request
 * @param maxBodyBytes largest request body (413 beyond)
 */
public record ServerSettings(String bind, int port, String token, int workers, int queue, int maxK, int maxBatch,
                             long maxBodyBytes) {
    public ServerSettings {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind address must be given");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " outside 0..65535");
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        if (workers < 1 || queue < 0 || maxK < 1 || maxBatch < 1 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("workers >= 1, queue >= 0, maxK >= 1, maxBatch >= 1, maxBodyBytes >= "
                    + "1024 required; got " + workers + ", " + queue + ", " + maxK + ", " + maxBatch + ", "
                    + maxBodyBytes);
        }
    }

    /** Loopback, port 8080, no token, one worker per core, queue 4 x workers, k <= 1000, 64 per batch, 8 MB body. */
    public static ServerSettings defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServerSettings("127.0.0.1", 8080, null, cores, 4 * cores, 1000, 64, 8L << 20);
    }

    public ServerSettings withPort(int p) {
        return new ServerSettings(bind, p, token, workers, queue, maxK, maxBatch, maxBodyBytes);
    }

    public ServerSettings withBind(String b) {
        return new ServerSettings(b, port, token, workers, queue, maxK, maxBatch, maxBodyBytes);
    }

    public ServerSettings withToken(String t) {
        return new ServerSettings(bind, port, t, workers, queue, maxK, maxBatch, maxBodyBytes);
    }

    public ServerSettings withPool(int w, int q) {
        return new ServerSettings(bind, port, token, w, q, maxK, maxBatch, maxBodyBytes);
    }
}
