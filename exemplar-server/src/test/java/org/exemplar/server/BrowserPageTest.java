package org.exemplar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void pageExplainsATestDigitAndDrawsImagesAndChart() throws Exception {
        String chrome = chromium();
        if (chrome == null && "1".equals(System.getenv("EXEMPLAR_REQUIRE_BROWSER"))) {
            throw new AssertionError("EXEMPLAR_REQUIRE_BROWSER=1 but no chromium found");
        }
        Assumptions.assumeTrue(chrome != null, "skipped: no headless Chromium (install Debian's 'chromium')");
        ExplanationIndex index = ExplanationIndex.open(TestIndexes.build(tmp.resolve("idx"), true));
        try (ExplanationServer s = new ExplanationServer(index, null, ServerSettings.defaults().withPort(0)).start()) {
            Path profile = Files.createDirectories(tmp.resolve("profile"));
            ProcessBuilder pb = new ProcessBuilder(chrome, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                    "--virtual-time-budget=30000", "--dump-dom",
                    "http://127.0.0.1:" + s.port() + "/?test=3");
            pb.redirectError(tmp.resolve("chromium.err").toFile());
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
            String dom = new String(out, StandardCharsets.UTF_8);
            assertTrue(dom.contains("data-state=\"done\""), "page did not finish: "
                    + dom.substring(0, Math.min(dom.length(), 2000)) + "\n" + Files.readString(tmp.resolve("chromium.err")));
            Matcher m = Pattern.compile("<pre id=\"selfcheck\" hidden=\"\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
            assertTrue(m.find(), "no self-check in the DOM");
            JsonNode c = Json.mapper().readTree(m.group(1).replace("&quot;", "\""));
            assertEquals("", c.path("error").asText(), c.toString());
            assertTrue(c.path("queryImage").asBoolean(), c.toString());
            assertEquals(8, c.path("supportingImages").asInt(), c.toString());
            assertEquals(8, c.path("opposingImages").asInt(), c.toString());
            assertEquals(16, c.path("chartBars").asInt(), c.toString());
            assertEquals(16, c.path("selfInfluenceImages").asInt(), c.toString());
            assertTrue(dom.contains("predicted class: <b>"), "prediction shown");
        }
    }
}
