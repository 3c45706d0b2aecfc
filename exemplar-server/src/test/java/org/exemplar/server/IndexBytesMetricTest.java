package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.exemplar.index.ExplanationIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exemplar_index_bytes} in /metrics equals the sizes on disk of the index folder's files, summed by walking
 * the folder (every regular file but {@code index.json}; the {@code ann/} graphs only when the server runs with
 * them): an rps-l2 index with images and a test set, the same index served with its HNSW graphs, a K-FAC
 * (inner-product: {@code keys.npy} and {@code inner_keys.npy}, the saved artifact, text payloads) index and an ntk
 * (artifact) index. Each sum must exceed {@code keys.npy} alone (what the metric used to count).
 */
class IndexBytesMetricTest {
    @TempDir
    Path tmp;

    /** Sum of the sizes of the regular files under dir, but index.json and (unless withAnn) ann/. */
    static long walked(Path dir, boolean withAnn) throws Exception {
        long s = 0;
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) w.filter(Files::isRegularFile)::iterator) {
                Path rel = dir.relativize(p);
                if (rel.toString().equals("index.json") || (!withAnn && rel.startsWith("ann"))) {
                    continue;
                }
                s += Files.size(p);
            }
        }
        return s;
    }

    static long metric(ExplanationIndex index, AnnSearch ann) throws Exception {
        try (ExplanationServer s = new ExplanationServer(index, ann, ServerSettings.defaults().withPort(0)).start()) {
            String m = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(m.contains("# HELP exemplar_index_bytes Total size on disk of the index's data files"), m);
            Matcher x = Pattern.compile("(?m)^exemplar_index_bytes (\\d+)$").matcher(m);
            assertTrue(x.find(), m);
            return Long.parseLong(x.group(1));
        }
    }

    private static void check(Path dir, boolean ann) throws Exception {
        ExplanationIndex index = ExplanationIndex.open(dir);
        long want = walked(dir, ann);
        assertTrue(want > Files.size(dir.resolve("keys.npy")), dir + ": more than keys.npy");
        if (ann) {
            try (LuceneAnn a = LuceneAnn.open(index)) {
                assertTrue(want > walked(dir, false), "the graphs have bytes");
                assertEquals(want, metric(index, a), dir + " with --ann");
            }
        } else {
            assertEquals(want, metric(index, null), dir.toString());
        }
    }

    @Test
    void indexBytesAreTheSizesOfTheIndexFiles() throws Exception {
        Path rps = TestIndexes.build(tmp.resolve("rps"), false);
        check(rps, false);
        LuceneAnn.build(ExplanationIndex.open(rps), 16, 64);
        check(rps, false);
        check(rps, true);
        Path kfac = TestIndexes.buildText(tmp.resolve("kfac"));
        assertTrue(Files.isRegularFile(kfac.resolve("inner_keys.npy")) && Files.isDirectory(kfac.resolve("artifact")));
        check(kfac, false);
        check(TestIndexes.buildNtk(tmp.resolve("ntk")), false);
    }
}
