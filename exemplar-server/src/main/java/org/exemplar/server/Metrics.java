package org.exemplar.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Request counters and latency histograms, written in the Prometheus text exposition format (version 0.0.4). */
final class Metrics {
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    final LongAdder rejected = new LongAdder();

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length];
        final LongAdder total = new LongAdder();
        final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }
    }

    void record(String route, String method, int status, double seconds) {
        requests.computeIfAbsent(route + "\u0000" + method + "\u0000" + status, k -> new LongAdder()).increment();
        Histogram h = latency.computeIfAbsent(route, k -> new Histogram());
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                h.counts[i].increment();
            }
        }
        h.total.increment();
        h.sum.add(seconds);
    }

    /** A gauge's name, HELP text and value. */
    record Gauge(String name, String help, Number value) {
    }

    String render(java.util.List<Gauge> gauges) {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP exemplar_requests_total HTTP requests by route, method and status.\n");
        sb.append("# TYPE exemplar_requests_total counter\n");
        new TreeMap<>(requests).forEach((k, v) -> {
            String[] p = k.split("\u0000");
            sb.append("exemplar_requests_total{route=\"").append(p[0]).append("\",method=\"").append(p[1])
                    .append("\",status=\"").append(p[2]).append("\"} ").append(v.sum()).append('\n');
        });
        sb.append("# HELP exemplar_request_seconds Request latency by route.\n");
        sb.append("# TYPE exemplar_request_seconds histogram\n");
        new TreeMap<>(latency).forEach((route, h) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                sb.append("exemplar_request_seconds_bucket{route=\"").append(route).append("\",le=\"")
                        .append(BUCKETS[i]).append("\"} ").append(h.counts[i].sum()).append('\n');
            }
            sb.append("exemplar_request_seconds_bucket{route=\"").append(route).append("\",le=\"+Inf\"} ")
                    .append(h.total.sum()).append('\n');
            sb.append("exemplar_request_seconds_sum{route=\"").append(route).append("\"} ").append(h.sum.sum())
                    .append('\n');
            sb.append("exemplar_request_seconds_count{route=\"").append(route).append("\"} ").append(h.total.sum())
                    .append('\n');
        });
        sb.append("# HELP exemplar_rejected_total Requests answered 503 because every worker and queue slot was busy.\n");
        sb.append("# TYPE exemplar_rejected_total counter\n");
        sb.append("exemplar_rejected_total ").append(rejected.sum()).append('\n');
        for (Gauge g : gauges) {
            sb.append("# HELP ").append(g.name()).append(' ').append(g.help()).append('\n');
            sb.append("# TYPE ").append(g.name()).append(" gauge\n").append(g.name()).append(' ').append(g.value())
                    .append('\n');
        }
        return sb.toString();
    }
}
