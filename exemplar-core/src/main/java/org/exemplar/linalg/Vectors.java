package org.exemplar.linalg;

/** Small vector kernels on {@code double[]}; sums use pairwise-free plain loops in float64. */
public final class Vectors {
    private Vectors() {
    }

    public static double dot(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length mismatch " + a.length + " vs " + b.length);
        }
        return dot(a, 0, b, 0, a.length);
    }

    public static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Euclidean norm, scaled to avoid overflow and underflow. */
    public static double norm2(double[] a) {
        double scale = 0;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (scale == 0 || !Double.isFinite(scale)) {
            return scale;
        }
        double s = 0;
        for (double v : a) {
            double t = v / scale;
            s += t * t;
        }
        return scale * Math.sqrt(s);
    }

    /** y := y + a x. */
    public static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    public static double[] scaled(double[] x, double a) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = a * x[i];
        }
        return y;
    }

    public static double[] subtract(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] - b[i];
        }
        return y;
    }

    public static int argmax(double[] a, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (a[off + j] > a[off + best]) {
                best = j;
            }
        }
        return best;
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
