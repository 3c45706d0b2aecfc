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
        String chrome = chromium();
        if (chrome == null && "1".equals(System.getenv("EXEMPLAR_REQUIRE_BROWSER"))) {
            throw new AssertionError("EXEMPLAR_REQUIRE_BROWSER=1 but no chromium found");
        }
        Assumptions.assumeTrue(chrome != null, "skipped: no headless Chromium (install Debian's 'chromium')");
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)).start()) {
            Path profile = Files.createDirectories(tmp.resolve("profile"));
            ProcessBuilder pb = new ProcessBuilder(chrome, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                    "--virtual-time-budget=30000", "--dump-dom",
                    "http://127.0.0.1:" + s.port() + "/?" + query);
            pb.redirectError(tmp.resolve("chromium.err").toFile());
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
            String dom = new String(out, StandardCharsets.UTF_8);
            assertTrue(dom.contains("data-state=\"done\""), "page did not finish: "
                    + dom.substring(0, Math.min(dom.length(), 2000)) + "\n" + Files.readString(tmp.resolve("chromium.err")));
            Matcher m = Pattern.compile("<pre id=\"selfcheck\" hidden=\"\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
            assertTrue(m.find(), "no self-check in the DOM");
            String text = m.group(1).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&amp;", "&");
            JsonNode c = Json.mapper().readTree(text);
            assertEquals("", c.path("error").asText(), c.toString());
            return new Loaded(c, dom);
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
}
