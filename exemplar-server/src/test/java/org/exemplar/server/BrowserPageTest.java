package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.io.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in headless Chromium: loads {@code /?test=3}, which explains test point 3 through the API, then
 * dumps the DOM; the page's self-check (written after everything is drawn) must report the query image, k loaded
 * supporting and opposing images, 2k bars in the SVG chart and the self-influence images, with no error.
 *
 * <p>Needs {@code chromium} (Debian's package; {@code .ci/run} installs it when missing). Without it the test is
 * skipped with a message, unless {@code EXEMPLAR_REQUIRE_BROWSER=1} (set by {@code .ci/run} once chromium is
 * installed), which turns the absence into a failure.
 */
class BrowserPageTest {
    @TempDir
    Path tmp;

    static String chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return null;
    }

    /** Loads {@code /?QUERY} of the index in headless Chromium and returns the page's self-check and its DOM. */
    private Loaded load(ExplanationIndex index, String query) throws Exception {
        Loaded l = loadAny(index, query);
        assertEquals("", l.check().path("error").asText(), l.check().toString());
        return l;
    }

    /** As {@link #load} without requiring an empty error line (the page's refusals are checked by the caller). */
    private Loaded loadAny(ExplanationIndex index, String query) throws Exception {
        String chrome = chromium();
        if (chrome == null && "1".equals(System.getenv("EXEMPLAR_REQUIRE_BROWSER"))) {
            throw new AssertionError("EXEMPLAR_REQUIRE_BROWSER=1 but no chromium found");
        }
        Assumptions.assumeTrue(chrome != null, "skipped: no headless Chromium (install Debian's 'chromium')");
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)).start()) {
            Path profile = Files.createTempDirectory(tmp, "profile");
            Path err = profile.resolveSibling(profile.getFileName() + ".err");
            ProcessBuilder pb = new ProcessBuilder(chrome, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                    "--virtual-time-budget=30000", "--dump-dom",
                    "http://127.0.0.1:" + s.port() + "/?" + query);
            pb.redirectError(err.toFile());
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
            String dom = new String(out, StandardCharsets.UTF_8);
            assertTrue(dom.contains("data-state=\"done\""), "page did not finish: "
                    + dom.substring(0, Math.min(dom.length(), 2000)) + "\n" + Files.readString(err));
            Matcher m = Pattern.compile("<pre id=\"selfcheck\" hidden=\"\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
            assertTrue(m.find(), "no self-check in the DOM");
            String text = m.group(1).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&amp;", "&");
            return new Loaded(Json.mapper().readTree(text), dom);
        }
    }

    private record Loaded(JsonNode check, String dom) {
    }

    @Test
    void pageExplainsATestDigitAndDrawsImagesAndChart() throws Exception {
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.build(tmp.resolve("idx"), true));
        Loaded l = load(index, "test=3");
        JsonNode c = l.check();
        assertTrue(c.path("queryImage").asBoolean(), c.toString());
        assertEquals(8, c.path("supportingImages").asInt(), c.toString());
        assertEquals(8, c.path("opposingImages").asInt(), c.toString());
        assertEquals(16, c.path("chartBars").asInt(), c.toString());
        assertEquals(16, c.path("selfInfluenceImages").asInt(), c.toString());
        assertTrue(l.dom().contains("predicted class: <b>"), "prediction shown");
    }

    /**
     * Text mode: an index whose payloads are text snippets (a K-FAC index, no images). The page must list, for test
     * point 2, the index's exact top-8 supporting and opposing training points in order, each card showing that
     * point's snippet as text (markup characters not interpreted), draw 16 bars, and list the self-influence ranking
     * with snippets; no image anywhere.
     */
    @Test
    void pageShowsTextSnippetsForATextPayloadIndex() throws Exception {
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.buildText(tmp.resolve("text-idx")));
        Loaded l = load(index, "test=2");
        JsonNode c = l.check();
        assertEquals(0, c.path("supportingImages").asInt() + c.path("opposingImages").asInt()
                + c.path("selfInfluenceImages").asInt(), c.toString());
        assertFalse(c.path("queryImage").asBoolean(), c.toString());
        assertEquals(16, c.path("chartBars").asInt(), c.toString());
        org.exemplar.index.Explanation want = index.explain(index.testFeatures(2), null, 8,
                org.exemplar.index.Direction.BOTH);
        for (String side : new String[] {"supporting", "opposing"}) {
            List<org.exemplar.attribution.RankedPoint> pts = side.equals("supporting") ? want.supporting()
                    : want.opposing();
            JsonNode ids = c.path(side + "Ids");
            JsonNode snips = c.path(side + "Snippets");
            assertEquals(8, ids.size(), c.toString());
            assertEquals(8, snips.size(), c.toString());
            for (int r = 0; r < 8; r++) {
                int id = pts.get(r).trainIndex();
                assertEquals(id, ids.get(r).asInt(), side + " rank " + r + ": " + c);
                assertTrue(snips.get(r).asText().startsWith(TestIndexes.snippet(id) + " (label " + index.label(id)
                        + ")"), side + " rank " + r + ": " + snips.get(r));
            }
        }
        List<org.exemplar.attribution.RankedPoint> self = index.selfInfluenceTop(16);
        for (int r = 0; r < 16; r++) {
            int id = self.get(r).trainIndex();
            assertEquals(id, c.path("selfInfluenceIds").get(r).asInt(), c.toString());
            assertTrue(c.path("selfInfluenceSnippets").get(r).asText().startsWith(TestIndexes.snippet(id)), c.toString());
        }
        assertFalse(l.dom().contains("<b>&amp;</b> \""), "a snippet's markup was interpreted as HTML");
    }

    /**
     * A CF index: {@code /?user=2&item=3} explains the pair; the cards must list the index's exact top-8 training
     * ratings of both signs for that pair in order with their text lines, the chart one bar per card, the prediction
     * line the pair and its predicted score; the features box is hidden.
     */
    @Test
    void pageExplainsAUserItemPairOfACfIndex() throws Exception {
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.buildCf(tmp.resolve("cf-idx")));
        Loaded l = load(index, "user=2&item=3");
        JsonNode c = l.check();
        org.exemplar.index.Explanation want = index.explainPair(2, 3, 8, org.exemplar.index.Direction.BOTH);
        assertTrue(want.supporting().size() > 2 && want.opposing().size() > 2, "a test pair with both signs");
        for (String side : new String[] {"supporting", "opposing"}) {
            List<org.exemplar.attribution.RankedPoint> pts = side.equals("supporting") ? want.supporting()
                    : want.opposing();
            assertEquals(pts.size(), c.path(side + "Ids").size(), c.toString());
            for (int r = 0; r < pts.size(); r++) {
                int id = pts.get(r).trainIndex();
                assertEquals(id, c.path(side + "Ids").get(r).asInt(), side + " rank " + r + ": " + c);
                assertTrue(c.path(side + "Snippets").get(r).asText().startsWith(index.id(id) + " "), c.toString());
                assertFalse(c.path(side + "Snippets").get(r).asText().contains("label"), "ratings have no label");
            }
        }
        assertEquals(want.supporting().size() + want.opposing().size(), c.path("chartBars").asInt(), c.toString());
        assertTrue(l.dom().contains("user 2, item 3: predicted score <b>"), "the pair and its prediction shown");
        assertTrue(l.dom().contains("id=\"featuresBox\" hidden"), "no features box for a CF index");
    }

    /**
     * An ntk index (regression: a query carries its real target y_t): the page shows the target input, sends it
     * with a shipped test point ({@code /?test=2&target=Y}) and with pasted features ({@code /?features=...&target=Y}),
     * and lists the index's exact top-8 of both signs for that (features, target) in order; two targets whose exact
     * lists differ must both be matched (a page that ignores or fixes the target fails). A missing target and a
     * non-number get the page's own message and no query.
     */
    @Test
    void pageSendsTheTargetOfAnNtkQuery() throws Exception {
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.buildNtk(tmp.resolve("ntk-idx")));
        double[] f = index.testFeatures(2);
        double[] g = TestIndexes.unitRows(1, 3, new java.util.SplittableRandom(99)).row(0);
        List<org.exemplar.index.Explanation> wants = new java.util.ArrayList<>();
        List<String> queries = new java.util.ArrayList<>();
        for (double y : new double[] {2.0, -2.0}) {
            wants.add(index.explain(f, null, y, 8, org.exemplar.index.Direction.BOTH));
            queries.add("test=2&target=" + y);
        }
        assertFalse(ids(wants.get(0).supporting()).equals(ids(wants.get(1).supporting())),
                "the two targets must rank differently");
        StringBuilder row = new StringBuilder();
        for (double v : g) {
            row.append(row.length() == 0 ? "" : ",").append(v);
        }
        wants.add(index.explain(g, null, 0.7, 8, org.exemplar.index.Direction.BOTH));
        queries.add("features=" + row + "&target=0.7");
        for (int w = 0; w < wants.size(); w++) {
            Loaded l = load(index, queries.get(w));
            JsonNode c = l.check();
            org.exemplar.index.Explanation want = wants.get(w);
            assertEquals(ids(want.supporting()), ids(c.path("supportingIds")), queries.get(w) + ": " + c);
            assertEquals(ids(want.opposing()), ids(c.path("opposingIds")), queries.get(w) + ": " + c);
            assertEquals(want.supporting().size() + want.opposing().size(), c.path("chartBars").asInt(), c.toString());
            assertTrue(l.dom().contains("id=\"targetBox\" title="), "the target input is shown");
            assertTrue(l.dom().contains("prediction f(x<sub>t</sub>) = <b>"), "prediction and target shown");
        }
        Loaded none = loadAny(index, "test=2");
        assertTrue(none.check().path("error").asText().contains("enter its real-valued target y_t"), none.check().toString());
        assertEquals(0, none.check().path("supportingIds").size(), none.check().toString());
        Loaded bad = loadAny(index, "test=2&target=0.5x");
        assertTrue(bad.check().path("error").asText().contains("target y_t '0.5x' is not a finite number"),
                bad.check().toString());
    }

    private static List<Integer> ids(List<org.exemplar.attribution.RankedPoint> ps) {
        return ps.stream().map(org.exemplar.attribution.RankedPoint::trainIndex).toList();
    }

    private static List<Integer> ids(JsonNode a) {
        List<Integer> out = new java.util.ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
