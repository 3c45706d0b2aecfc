package org.exemplar.cf;


/**
 * Fast influence analysis (Cheng et al. 2019) for the MF model of eq. (16): the influence function restricted to
 * the 2k parameters theta = (u_i', v_j') of the test pair, all other embeddings held fixed. With the restricted
 * training objective L(theta) = sum_{(i,j) in D, i = i' or j = j'} w_ij l(y_ij, &lt;U_i, V_j&gt;)
 * + (reg/2)(||u_i'||^2 + ||v_j'||^2) (the terms of {@link MfOptions}'s J that depend on theta), its Hessian
 * <pre>
 *   H = [ sum_{j in N(i')} w l'' V_j V_j^T + reg I           C                       ]
 *       [ C^T                          sum_{i in N(j')} w l'' U_i U_i^T + reg I    ]
 * </pre>
 * (C = w (l'' v u^T + l' I) if (i', j') itself is observed, else 0), and the test score f = &lt;u_i', v_j'&gt;
 * with gradient g_f = (v_j', u_i'), the importance of rating z is
 * I_FIA(z) = -g_f^T (H + damping I)^{-1} grad_theta (w_z l_z) — the first-order change of f when z is
 * up-weighted, so that removing z changes f by about -I_FIA(z) (positive = pushes the prediction up).
 * Ratings that touch neither user i' nor item j' score 0. The 2k x 2k system is solved by Gaussian elimination with partial pivoting.
 */
public final class Fia {
    private final Ratings train;
    private final Factorization f;
    private final CfLoss loss;
    private final double[] weights;
    private final double reg;
    private final double damping;

    /** @param weights w per training rating (null = 1); reg the training L2 strength; damping added to H. */
    public Fia(Ratings train, Factorization f, CfLoss loss, double[] weights, double reg, double damping) {
        this.train = train;
        this.f = f;
        this.loss = loss;
        this.weights = weights;
        this.reg = reg;
        this.damping = damping;
    }

    /** The trained factors whose prediction the influences explain. */
    public Factorization factors() {
        return f;
    }

    /** The restricted Hessian H (2k x 2k, row-major, without damping). */
    public double[] hessian(int iu, int jv) {
        int k = f.rank();
        int d = 2 * k;
        double[] h = new double[d * d];
        double[] u = f.users().row(iu);
        double[] v = f.items().row(jv);
        for (int t : train.ofUser(iu)) {
            double w = weights == null ? 1 : weights[t];
            double s = f.predict(iu, train.item(t));
            double c2 = w * loss.second(train.value(t), s);
            double[] vj = f.items().row(train.item(t));
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    h[p * d + q] += c2 * vj[p] * vj[q];
                }
            }
            if (train.item(t) == jv) {
                double c1 = w * loss.derivative(train.value(t), s);
                for (int p = 0; p < k; p++) {
                    for (int q = 0; q < k; q++) {
                        // d^2 l / du_p dv_q = l'' v_p u_q + l' [p == q]
                        double x = c2 * v[p] * u[q] + (p == q ? c1 : 0);
                        h[p * d + k + q] += x;
                        h[(k + q) * d + p] += x;
                    }
                }
            }
        }
        for (int t : train.ofItem(jv)) {
            double w = weights == null ? 1 : weights[t];
            double s = f.predict(train.user(t), jv);
            double c2 = w * loss.second(train.value(t), s);
            double[] ui = f.users().row(train.user(t));
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    h[(k + p) * d + k + q] += c2 * ui[p] * ui[q];
                }
            }
        }
        for (int p = 0; p < d; p++) {
            h[p * d + p] += reg;
        }
        return h;
    }

    /**
     * Solves the d x d system a x = b in place (b becomes x) by Gaussian elimination with partial pivoting
     * (H may be indefinite when the test pair itself is observed); false when a pivot vanishes.
     */
    static boolean solveInPlace(double[] a, double[] b, int d) {
        for (int c = 0; c < d; c++) {
            int piv = c;
            for (int i = c + 1; i < d; i++) {
                if (Math.abs(a[i * d + c]) > Math.abs(a[piv * d + c])) {
                    piv = i;
                }
            }
            if (a[piv * d + c] == 0) {
                return false;
            }
            if (piv != c) {
                for (int j = 0; j < d; j++) {
                    double t = a[c * d + j];
                    a[c * d + j] = a[piv * d + j];
                    a[piv * d + j] = t;
                }
                double t = b[c];
                b[c] = b[piv];
                b[piv] = t;
            }
            for (int i = c + 1; i < d; i++) {
                double f = a[i * d + c] / a[c * d + c];
                if (f != 0) {
                    for (int j = c; j < d; j++) {
                        a[i * d + j] -= f * a[c * d + j];
                    }
                    b[i] -= f * b[c];
                }
            }
        }
        for (int i = d - 1; i >= 0; i--) {
            double s = b[i];
            for (int j = i + 1; j < d; j++) {
                s -= a[i * d + j] * b[j];
            }
            b[i] = s / a[i * d + i];
        }
        return true;
    }

    /** I_FIA for every training rating (0 for ratings not touching user i' or item j'). */
    public double[] scores(int iu, int jv) {
        int k = f.rank();
        int d = 2 * k;
        double[] h = hessian(iu, jv);
        for (int p = 0; p < d; p++) {
            h[p * d + p] += damping;
        }
        double[] x = new double[d];
        double[] u = f.users().row(iu);
        double[] v = f.items().row(jv);
        System.arraycopy(v, 0, x, 0, k);
        System.arraycopy(u, 0, x, k, k);
        if (!solveInPlace(h, x, d)) {
            throw new ArithmeticException("FIA: restricted Hessian of pair (" + iu + ", " + jv
                    + ") is singular; add damping");
        }
        double[] out = new double[train.size()];
        for (int t : train.ofUser(iu)) {
            double w = weights == null ? 1 : weights[t];
            double c1 = w * loss.derivative(train.value(t), f.predict(iu, train.item(t)));
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += x[p] * f.items().get(train.item(t), p);
            }
            out[t] = -c1 * s;
        }
        for (int t : train.ofItem(jv)) {
            double w = weights == null ? 1 : weights[t];
            double c1 = w * loss.derivative(train.value(t), f.predict(train.user(t), jv));
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += x[k + p] * f.users().get(train.user(t), p);
            }
            out[t] += -c1 * s;   // += : the test pair itself (if observed) has both gradient parts
        }
        return out;
    }
}
