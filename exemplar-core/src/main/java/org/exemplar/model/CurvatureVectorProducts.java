package org.exemplar.model;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;

/**
 * Products of the curvature of J(theta) = (1/n) sum_i L(t_i, Phi(x_i)) + (l2/2) ||theta||^2 with a direction v,
 * without forming a P x P matrix:
 * <ul>
 *   <li>{@link #hessian}: H v by Pearlmutter's R-operator (Pearlmutter 1994, "Fast exact multiplication by the
 *   Hessian", sec. 4): the forward R-pass ({@link RForwardPass}) then a backward R-pass that differentiates
 *   back-propagation itself, R{delta_k} = R{e_k} * sigma'(z_k) + e_k * sigma''(z_k) * R{z_k};</li>
 *   <li>{@link #gaussNewton}: G v = (1/n) sum_i J_i^T H_y,i J_i v + l2 v (Schraudolph 2002, "Fast curvature
 *   matrix-vector products", sec. 3; Bae et al. 2022, eq. 11-12): J v by the forward R-pass, H_y by
 *   {@link OutputLoss#hessianRows}, J^T by {@link Backpropagation}.</li>
 * </ul>
 * Both add l2 v. Arguments are checked by the facade ({@link Mlp}).
 */
final class CurvatureVectorProducts {
    private CurvatureVectorProducts() {
    }

    /** H v with H the exact Hessian of J (second-derivative terms of curved activations and of the loss included). */
    static double[] hessian(DenseLayer[] layers, Activation[] hidden, ParameterLayout layout, DenseMatrix x,
                            DenseMatrix targets, Loss loss, double l2, double[] v) {
        int count = layers.length;
        int n = x.rows();
        double inv = 1.0 / n;
        Mlp.Forward f = ForwardPass.run(layers, hidden, x);
        RForwardPass r = RForwardPass.along(layers, hidden, layout, f, v);
        DenseMatrix d = new DenseMatrix(n, targets.cols());
        OutputLoss.rows(f.logits(), targets, loss, inv, d);
        DenseMatrix rd = OutputLoss.hessianRows(f.logits(), targets, loss, r.rz[count], inv);
        double[][] out = new double[2 * count][];
        for (int k = count - 1; k >= 0; k--) {
            // R{grad W_k} = R{delta}^T a_k + delta^T R{a_k};  R{grad b_k} = colsum R{delta}
            DenseMatrix gw = layers[k].weightGradient(rd, f.a[k]);
            if (k > 0) {
                Blas.gemm(Transpose.YES, Transpose.NO, 1.0, d, r.ra[k], 1.0, gw);
            }
            out[2 * k] = gw.data();
            out[2 * k + 1] = DenseLayer.biasGradient(rd);
            if (k > 0) {
                // e = delta W_k, R{e} = R{delta} W_k + delta V_k
                DenseMatrix e = layers[k].inputCotangent(d);
                DenseMatrix re = layers[k].inputCotangent(rd);
                Blas.gemm(Transpose.NO, Transpose.NO, 1.0, d, r.dirW[k], 1.0, re);
                // delta_k = e * sigma'(z_k);  R{delta_k} = R{e} * sigma'(z_k) + e * sigma''(z_k) * R{z_k}
                Activation act = hidden[k - 1];
                double[] z = f.z[k].data();
                double[] ed = e.data();
                double[] red = re.data();
                double[] rzk = r.rz[k].data();
                if (act.isCurved()) {
                    for (int i = 0; i < z.length; i++) {
                        double s1 = act.derivative(z[i]);
                        red[i] = red[i] * s1 + ed[i] * act.secondDerivative(z[i]) * rzk[i];
                        ed[i] *= s1;
                    }
                } else {
                    act.multiplyByDerivative(z, red);
                    act.multiplyByDerivative(z, ed);
                }
                d = e;
                rd = re;
            }
        }
        return addScaled(ParameterLayout.flatten(out, layout.count()), l2, v);
    }

    /** G v with G the generalized Gauss-Newton matrix of J. */
    static double[] gaussNewton(DenseLayer[] layers, Activation[] hidden, ParameterLayout layout, DenseMatrix x,
                                DenseMatrix targets, Loss loss, double l2, double[] v) {
        Mlp.Forward f = ForwardPass.run(layers, hidden, x);
        DenseMatrix jv = RForwardPass.along(layers, hidden, layout, f, v).logits();
        DenseMatrix u = OutputLoss.hessianRows(f.logits(), targets, loss, jv, 1.0 / x.rows());
        double[][] out = new double[2 * layers.length][];
        Backpropagation.parameterGradientBlocks(layers, hidden, f, u, out);
        return addScaled(ParameterLayout.flatten(out, layout.count()), l2, v);
    }

    /** y += a x (in place, skipped when a = 0); returns y. */
    private static double[] addScaled(double[] y, double a, double[] x) {
        if (a != 0) {
            for (int i = 0; i < y.length; i++) {
                y[i] += a * x[i];
            }
        }
        return y;
    }
}
