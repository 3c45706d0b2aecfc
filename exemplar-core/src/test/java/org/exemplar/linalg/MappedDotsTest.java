package org.exemplar.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-place SIMD kernels against a scalar loop in double over the same stored values (an independent computation):
 * float64 rows to 1e-14 relative to sum |x_j y_j| (different summation order only); float32 rows accumulated in float
 * within the order-independent bound gamma_p sum |x_j y_j| (Higham Sec. 3.1), which a dropped or repeated element, a
 * wrong offset or a wrong query would exceed by orders of magnitude. Widths cover a single lane, the tail after whole vectors (37, 100), exact multiples and wide rows
 * (513); rows start at an unaligned offset in the buffer, and several queries share one pass.
 */
class MappedDotsTest {
    @BeforeEach
    void needsVectorApi() {
        Assumptions.assumeTrue(MappedDots.available(), MappedDots.notice());
    }

    @Test
    void matchesAScalarDoubleLoop() {
        SplittableRandom g = new SplittableRandom(5);
        for (int cols : new int[] {1, 7, 16, 37, 64, 100, 513}) {
            for (int nq : new int[] {1, 3}) {
                int rows = 23;
                int lead = 12;                                   // bytes before the first row: unaligned start
                double[] x = new double[rows * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = g.nextGaussian() * (g.nextInt(10) == 0 ? 1e3 : 1);
                }
                double[] qd = new double[nq * cols];
                float[] qf = new float[nq * cols];
                for (int i = 0; i < qd.length; i++) {
                    qf[i] = (float) g.nextGaussian();
                    qd[i] = qf[i];
                }
                ByteBuffer b64 = ByteBuffer.allocateDirect(lead + 8 * x.length).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer b32 = ByteBuffer.allocateDirect(lead + 4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < x.length; i++) {
                    b64.putDouble(lead + 8 * i, x[i]);
                    b32.putFloat(lead + 4 * i, (float) x[i]);
                }
                int ld = rows + 5;
                double[] o64 = new double[nq * ld];
                float[] o32 = new float[nq * ld];
                MappedDots.f64(b64, lead, rows, cols, qd, nq, o64, ld);
                MappedDots.f32(b32, lead, rows, cols, qf, nq, o32, ld);
                double u = Math.ulp(1.0f) / 2;
                double gamma = cols * u / (1 - cols * u);
                for (int k = 0; k < nq; k++) {
                    for (int r = 0; r < rows; r++) {
                        double want64 = 0;
                        double want32 = 0;
                        double abs64 = 0;
                        double abs32 = 0;
                        for (int j = 0; j < cols; j++) {
                            double y = qd[k * cols + j];
                            double xf = (float) x[r * cols + j];
                            want64 += x[r * cols + j] * y;
                            abs64 += Math.abs(x[r * cols + j] * y);
                            want32 += xf * y;
                            abs32 += Math.abs(xf * y);
                        }
                        String what = cols + " cols, query " + k + ", row " + r;
                        assertEquals(want64, o64[k * ld + r], 1e-14 * abs64, what);
                        double err = Math.abs(want32 - o32[k * ld + r]);
                        assertTrue(err <= gamma * abs32, what + ": error " + err + " > gamma_p sum|xy| " + gamma * abs32);
                    }
                }
            }
        }
    }

    @Test
    void refusesWhatItCannotRead() {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * 10).order(ByteOrder.LITTLE_ENDIAN);
        float[] q = new float[5];
        float[] out = new float[2];
        assertThrows(IndexOutOfBoundsException.class, () -> MappedDots.f32(b, 4, 2, 5, q, 1, out, 2));
        assertThrows(IllegalArgumentException.class, () -> MappedDots.f32(b, 0, 2, 5, new float[4], 1, out, 2));
        assertThrows(IllegalArgumentException.class,
                () -> MappedDots.f32(b.duplicate().order(ByteOrder.BIG_ENDIAN), 0, 2, 5, q, 1, out, 2));
        MappedDots.f32(b, 0, 2, 5, q, 1, out, 2);
    }
}
