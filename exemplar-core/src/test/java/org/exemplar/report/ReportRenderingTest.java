package org.exemplar.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Report rendering checked by decoding what it produced (issue 15: the report package was nearly untested): PNG
 * pixels against the documented colour maps, embedded images against the bytes they embed, HTML escaping.
 */
class ReportRenderingTest {

    static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(img != null, "not a PNG");
        return img;
    }

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void grayscaleMapsLoToBlackHiToWhiteAndClips() throws IOException {
        // 3 x 2 image: lo, mid, hi / below lo, above hi, quarter
        double[] px = {0, 0.5, 1, -3, 7, 0.25};
        BufferedImage img = decode(Images.grayscalePng(px, 3, 2, 2, 0, 1));
        assertEquals(6, img.getWidth());
        assertEquals(4, img.getHeight());
        int[][] expected = {{0, 128, 255}, {0, 255, 64}}; // round(255 v): 127.5 -> 128, 63.75 -> 64
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int g = expected[y][x];
                int want = (g << 16) | (g << 8) | g;
                for (int d = 0; d < 4; d++) { // every pixel of the 2 x 2 enlarged block
                    assertEquals(want, rgb(img, 2 * x + d % 2, 2 * y + d / 2), "pixel (" + x + ", " + y + ")");
                }
            }
        }
        // lo == hi: a flat range of 1, no division by zero
        BufferedImage flat = decode(Images.grayscalePng(new double[] {5, 6}, 2, 1, 1, 5, 5));
        assertEquals(0, rgb(flat, 0, 0));
        assertEquals(0xFFFFFF, rgb(flat, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Images.grayscalePng(new double[5], 3, 2, 1, 0, 1));
    }

    @Test
    void divergingMapIsRedPositiveBlueNegativeWhiteZero() throws IOException {
        double[] map = {2, -2, 0, 1, -1, 4};
        // scaled by the largest |value| (4): 0.5, -0.5, 0, 0.25, -0.25, 1
        BufferedImage img = decode(Images.divergingPng(map, 6, 1, 1, 0));
        assertEquals(0xFF0000 | (128 << 8) | 128, rgb(img, 0, 0)); // 255 (1 - 0.5) = 127.5 -> 128
        assertEquals((128 << 16) | (128 << 8) | 0xFF, rgb(img, 1, 0));
        assertEquals(0xFFFFFF, rgb(img, 2, 0));
        assertEquals(0xFF0000 | (191 << 8) | 191, rgb(img, 3, 0)); // 255 * 0.75 = 191.25 -> 191
        assertEquals((191 << 16) | (191 << 8) | 0xFF, rgb(img, 4, 0));
        assertEquals(0xFF0000, rgb(img, 5, 0));
        // a shared bound of 2 clips 4 to full red and makes 2 full red too
        BufferedImage shared = decode(Images.divergingPng(map, 6, 1, 1, 2));
        assertEquals(0xFF0000, rgb(shared, 0, 0));
        assertEquals(0x0000FF, rgb(shared, 1, 0));
        assertEquals(0xFF0000 | (128 << 8) | 128, rgb(shared, 3, 0));
        // all zero: white, not NaN
        assertEquals(0xFFFFFF, rgb(decode(Images.divergingPng(new double[4], 2, 2, 1, 0)), 1, 1));
    }

    @Test
    void htmlEscapesTextAndEmbedsTheExactPng() throws IOException {
        assertEquals("a &lt;b&gt; &amp;&amp; &quot;c&quot;", HtmlReport.escape("a <b> && \"c\""));
        assertEquals("&amp;lt;", HtmlReport.escape("&lt;")); // escaped once, ampersand first
        byte[] png = Images.grayscalePng(new double[] {0, 1}, 2, 1, 1, 0, 1);
        String html = new HtmlReport("T <1>").heading("H&H").paragraph("p \"q\"").figure(png, "cap <x>")
                .table(List.of("k", "v<"), List.of(List.of("a", "1&2"), List.of("b", "3"))).raw("<hr>").render();
        assertTrue(html.contains("<title>T &lt;1&gt;</title>"), html);
        assertTrue(html.contains("<h1>T &lt;1&gt;</h1>"));
        assertTrue(html.contains("<h2>H&amp;H</h2>"));
        assertTrue(html.contains("<p>p &quot;q&quot;</p>"));
        assertTrue(html.contains("<figcaption>cap &lt;x&gt;</figcaption>"));
        assertTrue(html.contains("<th>v&lt;</th>"));
        assertTrue(html.contains("<tr><td>a</td><td>1&amp;2</td></tr>"));
        assertTrue(html.contains("<tr><td>b</td><td>3</td></tr>"));
        assertTrue(html.contains("<hr>"));
        assertTrue(html.indexOf("<h2>") < html.indexOf("<figure>") && html.indexOf("<figure>") < html.indexOf("<table>"),
                "sections out of order");
        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        assertTrue(m.find(), "no embedded image");
        assertArrayEquals(png, Base64.getDecoder().decode(m.group(1)));
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"));
    }

    @Test
    void chartsAreDecodablePngsOfTheRequestedSize() throws IOException {
        BufferedImage s = decode(Charts.scatterWithDiagonalPng("t", "x", "y", new double[] {0, 1, 2},
                new double[] {0, 1.1, 1.9}, 320, 240));
        assertEquals(320, s.getWidth());
        assertEquals(240, s.getHeight());
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("a", new double[] {1, 2});
        series.put("b", new double[] {2, 1});
        BufferedImage l = decode(Charts.linesPng("t", "x", "y", new double[] {0, 1}, series, 200, 150));
        assertEquals(200, l.getWidth());
        assertEquals(150, l.getHeight());
        // not blank: the plot draws something other than the background colour
        int first = rgb(l, 0, 0);
        boolean varied = false;
        for (int y = 0; y < l.getHeight() && !varied; y += 3) {
            for (int x = 0; x < l.getWidth() && !varied; x += 3) {
                varied = rgb(l, x, y) != first;
            }
        }
        assertTrue(varied, "blank chart");
    }
}
