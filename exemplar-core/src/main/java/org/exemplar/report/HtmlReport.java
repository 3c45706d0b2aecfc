package org.exemplar.report;

import java.util.Base64;
import java.util.List;

/**
 * A self-contained HTML report: text, tables and PNG images embedded as data URIs, so the single file can be
 * mailed or archived without its assets.
 */
public final class HtmlReport {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlReport(String title) {
        this.title = title;
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public HtmlReport heading(String text) {
        body.append("<h2>").append(escape(text)).append("</h2>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** Raw, already-escaped HTML (for callers that compose figures). */
    public HtmlReport raw(String html) {
        body.append(html).append('\n');
        return this;
    }

    public static String img(byte[] png, String alt, String title) {
        return "<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\" alt=\""
                + escape(alt) + "\" title=\"" + escape(title) + "\">";
    }

    public HtmlReport figure(byte[] png, String caption) {
        body.append("<figure>").append(img(png, caption, caption)).append("<figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table><tr>");
        for (String h : header) {
            body.append("<th>").append(escape(h)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (String c : row) {
                body.append("<td>").append(escape(c)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                + "text-align:right}th{background:#f3f3f3}figure{display:inline-block;margin:6px;text-align:center}"
                + "figcaption{font-size:14px;max-width:560px;margin:0 auto;text-align:left}.row{display:flex;flex-wrap:wrap;align-items:flex-start;gap:4px;"
                + "margin:6px 0}.cell{text-align:center;font-size:13px}.caption{font-size:14px}.exc{border:2px solid #2a7}"
                + ".inh{border:2px solid #c33}.test{border:2px solid #333}img{image-rendering:pixelated}pre{white-space:pre-wrap}"
                + "</style></head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
    }
}
