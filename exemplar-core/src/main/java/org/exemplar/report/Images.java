package org.exemplar.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Small PNG renderings of images and input-space maps (headless AWT, no display needed). */
public final class Images {
    private Images() {
    }

    /** Grey image from values in [lo, hi] (dark = lo), each pixel enlarged to scale x scale. */
    public static byte[] grayscalePng(double[] pixels, int width, int height, int scale, double lo, double hi) {
        check(pixels, width, height);
        BufferedImage img = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        double range = hi > lo ? hi - lo : 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = (pixels[y * width + x] - lo) / range;
                int g = (int) Math.round(255 * Math.max(0, Math.min(1, v)));
                fill(img, x, y, scale, (g << 16) | (g << 8) | g);
            }
        }
        return png(img);
    }

    /**
     * Diverging map: red for positive, blue for negative, white at zero, scaled symmetrically by the largest
     * |value| (or by {@code bound} when positive, so several maps share one colour scale).
     */
    public static byte[] divergingPng(double[] map, int width, int height, int scale, double bound) {
        check(map, width, height);
        double b = bound;
        if (!(b > 0)) {
            for (double v : map) {
                b = Math.max(b, Math.abs(v));
            }
        }
        if (!(b > 0)) {
            b = 1;
        }
        BufferedImage img = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = Math.max(-1, Math.min(1, map[y * width + x] / b));
                int r;
                int g;
                int bl;
                if (v >= 0) {
                    r = 255;
                    g = (int) Math.round(255 * (1 - v));
                    bl = g;
                } else {
                    bl = 255;
                    r = (int) Math.round(255 * (1 + v));
                    g = r;
                }
                fill(img, x, y, scale, (r << 16) | (g << 8) | bl);
            }
        }
        return png(img);
    }

    private static void check(double[] pixels, int width, int height) {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException(pixels.length + " pixels for a " + width + " x " + height + " image");
        }
    }

    private static void fill(BufferedImage img, int x, int y, int scale, int rgb) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                img.setRGB(x * scale + dx, y * scale + dy, rgb);
            }
        }
    }

    static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
