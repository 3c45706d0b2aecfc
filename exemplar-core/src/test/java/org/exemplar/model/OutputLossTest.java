package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.relErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.junit.jupiter.api.Test;

/**
 * {@link OutputLoss}: the summed loss, the scaled gradient rows and the scaled output-Hessian rows, against
 * per-row {@link Loss#value} and central differences of it (h = 1e-5: the gradient rows to 1e-6 relative; the
 * Hessian rows, differences of the analytic gradient, also to 1e-6). The scale is checked exactly: it is one
 * multiplication per entry.
 */
class OutputLossTest {
    private static final double H = 1e-5;
    private static final int N = 4;

    @Test
    void rowsGiveTheSumAndScaledGradientsAndHessianProducts() {
        for (Loss loss : ModelTestSupport.losses()) {
            int c = ModelTestSupport.outputsFor(loss);
            DenseMatrix phi = ModelTestSupport.uniform(N, c, -2, 2, 1101);
            DenseMatrix t = ModelTestSupport.targets(loss, N, c, 1102);
            DenseMatrix r = ModelTestSupport.uniform(N, c, -1, 1, 1103);
            double scale = 0.25;
            DenseMatrix grad = new DenseMatrix(N, c);
            double sum = OutputLoss.rows(phi, t, loss, scale, grad);
            assertEquals(sum, OutputLoss.rows(phi, t, loss, 1.0, null), 0.0, "sum with and without gradient");
            DenseMatrix unscaled = new DenseMatrix(N, c);
            OutputLoss.rows(phi, t, loss, 1.0, unscaled);
            DenseMatrix hr = OutputLoss.hessianRows(phi, t, loss, r, scale);
            DenseMatrix hrUnscaled = OutputLoss.hessianRows(phi, t, loss, r, 1.0);
            double expectedSum = 0;
            for (int i = 0; i < N; i++) {
                expectedSum += loss.value(phi.data(), i * c, t.data(), i * c, c);
                double[] fdGrad = new double[c];
                double[] fdHess = new double[c];
                for (int j = 0; j < c; j++) {
                    DenseMatrix up = phi.copy();
                    DenseMatrix down = phi.copy();
                    up.set(i, j, phi.get(i, j) + H);
                    down.set(i, j, phi.get(i, j) - H);
                    fdGrad[j] = (loss.value(up.data(), i * c, t.data(), i * c, c)
                            - loss.value(down.data(), i * c, t.data(), i * c, c)) / (2 * H);
                }
                // H_y r_i: derivative of the analytic gradient row along r_i
                DenseMatrix up = phi.copy();
                DenseMatrix down = phi.copy();
                for (int j = 0; j < c; j++) {
                    up.set(i, j, phi.get(i, j) + H * r.get(i, j));
                    down.set(i, j, phi.get(i, j) - H * r.get(i, j));
                }
                DenseMatrix gu = new DenseMatrix(N, c);
                DenseMatrix gd = new DenseMatrix(N, c);
                OutputLoss.rows(up, t, loss, 1.0, gu);
                OutputLoss.rows(down, t, loss, 1.0, gd);
                for (int j = 0; j < c; j++) {
                    fdHess[j] = (gu.get(i, j) - gd.get(i, j)) / (2 * H);
                    assertEquals(scale * unscaled.get(i, j), grad.get(i, j), 0.0, "scaled gradient");
                    assertEquals(scale * hrUnscaled.get(i, j), hr.get(i, j), 0.0, "scaled Hessian row");
                }
                double eg = relErr(unscaled.row(i), fdGrad);
                double eh = relErr(hrUnscaled.row(i), fdHess);
                assertTrue(eg < 1e-6, loss.name() + " gradient row " + i + ": relative error " + eg);
                assertTrue(eh < 1e-6, loss.name() + " Hessian row " + i + ": relative error " + eh);
            }
            assertEquals(expectedSum, sum, 1e-12 * Math.max(1, Math.abs(expectedSum)));
        }
    }
}
