package org.exemplar.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Charts for reports, drawn with XChart and returned as PNG bytes. */
public final class Charts {
    private Charts() {
    }

    /** Scatter plot of y against x with the diagonal y = x drawn for reference. */
    public static byte[] scatterWithDiagonalPng(String title, String xLabel, String yLabel, double[] x, double[] y,
                                               int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(3);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            lo = Math.min(lo, Math.min(x[i], y[i]));
            hi = Math.max(hi, Math.max(x[i], y[i]));
        }
        XYSeries diag = chart.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi});
        diag.setMarker(SeriesMarkers.NONE);
        diag.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        XYSeries s = chart.addSeries("points", x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return encode(chart);
    }

    /** Line chart with one series per entry (insertion order kept). */
    public static byte[] linesPng(String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series,
                                  int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        series.forEach((name, y) -> chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE));
        return encode(chart);
    }

    /** How {@link #linesWithErrorBarsPng} draws its 1st, 2nd, ... series (for captions). */
    public static final java.util.List<String> SERIES_STYLES = java.util.List.of("circles, solid line",
            "squares, dashed line", "triangles, dotted line", "crosses, dashed line", "diamonds, dotted line");

    /**
     * Line chart of means with error bars (one series per entry, insertion order kept). Every series gets its own
     * colour, marker shape and line pattern, in this sequence: 1st circles and a solid line, 2nd squares and dashes,
     * 3rd triangles and dots, 4th crosses and dashes, 5th diamonds and dots ({@link #SERIES_STYLES} names them for
     * captions). Later series are drawn on top, so a series that coincides with an earlier one should come later
     * and be a thin one (the 4th: crosses, dashes): the earlier circles and line still show around it. {@code errors}
     * may be null (no bars) or miss a series.
     */
    public static byte[] linesWithErrorBarsPng(String title, String xLabel, String yLabel, double[] x,
                                               Map<String, double[]> means, Map<String, double[]> errors, int width,
                                               int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        Marker[] markers = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP,
            SeriesMarkers.CROSS, SeriesMarkers.DIAMOND};
        java.awt.BasicStroke[] lines = {SeriesLines.SOLID, SeriesLines.DASH_DASH, SeriesLines.DOT_DOT,
            SeriesLines.DASH_DASH, SeriesLines.DOT_DOT};
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 15));
        chart.getStyler().setAxisTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14));
        chart.getStyler().setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        chart.getStyler().setLegendFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        int k = 0;
        for (Map.Entry<String, double[]> e : means.entrySet()) {
            double[] err = errors == null ? null : errors.get(e.getKey());
            XYSeries s = err == null ? chart.addSeries(e.getKey(), x, e.getValue())
                    : chart.addSeries(e.getKey(), x, e.getValue(), err);
            s.setMarker(markers[k % markers.length]);
            s.setLineStyle(lines[k % lines.length]);
            s.setLineWidth(k % markers.length == 0 ? 4.0f : 2.0f);
            k++;
        }
        return encode(chart);
    }

    private static byte[] encode(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
