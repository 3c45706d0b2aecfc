package org.exemplar.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
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

    private static byte[] encode(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
