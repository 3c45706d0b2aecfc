package org.exemplar.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * The four losses against their closed forms (written out here), central finite differences, and the
 * "suitable loss" property of Yeh et al. 2018. Examples are stored at nonzero offsets of larger arrays, and the
 * entries outside an example's slot are checked to stay untouched.
 */
class LossTest {
    private static final int C = 4;
    /** Central-difference step for value -> gradient and gradient -> Hessian checks. */
    private static final double H = 1e-6;
    /**
     * With h = 1e-6, truncation error h^2 |f'''| / 6 ~ 1e-13 and rounding error ~ eps |f| / h ~ 1e-9 for the O(1-10)
     * values here; 1e-8 bounds both with margin.
     */
    private static final double FD_TOL = 1e-8;
    /** Closed form vs implementation: different but equally accurate formulas, O(1) values, a few ulps apart. */
    private static final double EXACT_TOL = 1e-14;
    private static final double SENTINEL = 42.5;
    private static final double EPS = Math.ulp(1.0);

    private static Loss[] losses() {
        return new Loss[] {new SoftmaxCrossEntropy(), new SigmoidCrossEntropy(), new ReluMatchingLoss(),
                new SquaredLoss()};
    }

    // ------------------------------------------------------------------ closed forms, written independently

    private static double[] softmax(double[] phi) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : phi) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[phi.length];
        for (int j = 0; j < phi.length; j++) {
            p[j] = Math.exp(phi[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < phi.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x)); // fine for the moderate |x| these closed forms are used with
    }

    private static double closedValue(Loss loss, double[] phi, double[] t) {
        double v = 0;
        switch (loss.name()) {
            case "softmax" -> {
                double[] p = softmax(phi);
                for (int j = 0; j < phi.length; j++) {
                    v -= t[j] * Math.log(p[j]);
                }
            }
            case "sigmoid" -> {
                for (int j = 0; j < phi.length; j++) {
                    v += Math.log(1 + Math.exp(phi[j])) - t[j] * phi[j];
                }
            }
            case "relu" -> {
                for (int j = 0; j < phi.length; j++) {
                    v += 0.5 * Math.max(phi[j], 0) * phi[j] - t[j] * phi[j];
                }
            }
            case "squared" -> {
                for (int j = 0; j < phi.length; j++) {
                    v += 0.5 * (phi[j] - t[j]) * (phi[j] - t[j]);
                }
            }
            default -> throw new AssertionError(loss.name());
        }
        return v;
    }

    /** dL/dPhi: p - t, s - t, max(Phi, 0) - t, Phi - t. */
    private static double[] closedGradient(Loss loss, double[] phi, double[] t) {
        double[] g = new double[phi.length];
        double[] p = softmax(phi);
        for (int j = 0; j < phi.length; j++) {
            double link = switch (loss.name()) {
                case "softmax" -> p[j];
                case "sigmoid" -> sigmoid(phi[j]);
                case "relu" -> Math.max(phi[j], 0);
                default -> phi[j];
            };
            g[j] = link - t[j];
        }
        return g;
    }

    /** The output Hessian: diag(p) - p p^T, diag(s (1 - s)), diag(1[Phi &gt; 0]), I. */
    private static double[][] closedHessian(Loss loss, double[] phi) {
        int c = phi.length;
        double[][] h = new double[c][c];
        double[] p = softmax(phi);
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                h[i][j] = switch (loss.name()) {
                    case "softmax" -> (i == j ? p[i] : 0) - p[i] * p[j];
                    case "sigmoid" -> i == j ? sigmoid(phi[i]) * (1 - sigmoid(phi[i])) : 0;
                    case "relu" -> i == j && phi[i] > 0 ? 1 : 0;
                    default -> i == j ? 1 : 0;
                };
            }
        }
        return h;
    }

    // ------------------------------------------------------------------ fixtures

    /** Logits in [-3, 3], at least 0.05 away from 0 so that a finite-difference step never crosses the ReLU kink. */
    private static double[] logits(int c, SplittableRandom rnd) {
        double[] phi = new double[c];
        for (int j = 0; j < c; j++) {
            double u = rnd.nextDouble(0.05, 3);
            phi[j] = rnd.nextBoolean() ? u : -u;
        }
        return phi;
    }

    /** A target in the loss's target space. */
    private static double[] target(Loss loss, int c, SplittableRandom rnd) {
        double[] raw = new double[c];
        for (int j = 0; j < c; j++) {
            raw[j] = rnd.nextDouble(-2, 2);
        }
        return switch (loss.name()) {
            case "softmax" -> softmax(raw);
            case "sigmoid" -> {
                double[] t = new double[c];
                for (int j = 0; j < c; j++) {
                    t[j] = sigmoid(raw[j]);
                }
                yield t;
            }
            case "relu" -> {
                double[] t = new double[c];
                for (int j = 0; j < c; j++) {
                    t[j] = Math.max(raw[j], 0);
                }
                yield t;
            }
            default -> raw;
        };
    }

    /** {@code v} at offset {@code off} of a sentinel-filled array with room after it. */
    private static double[] at(double[] v, int off) {
        double[] a = new double[off + v.length + 2];
        java.util.Arrays.fill(a, SENTINEL);
        System.arraycopy(v, 0, a, off, v.length);
        return a;
    }

    private static double[] slot(double[] a, int off, int c) {
        double[] v = new double[c];
        System.arraycopy(a, off, v, 0, c);
        return v;
    }

    private static void assertOutsideUntouched(double[] a, int off, int c, String what) {
        for (int k = 0; k < a.length; k++) {
            if (k < off || k >= off + c) {
                assertEquals(SENTINEL, a[k], what + ": entry " + k + " outside the slot was written");
            }
        }
    }

    private static double[] gradient(Loss loss, double[] phi, double[] t) {
        double[] g = at(new double[phi.length], 1);
        loss.valueAndGradient(at(phi, 3), 3, at(t, 2), 2, g, 1, phi.length);
        assertOutsideUntouched(g, 1, phi.length, loss.name() + " gradient");
        return slot(g, 1, phi.length);
    }

    private static double[] hessianVector(Loss loss, double[] phi, double[] t, double[] v) {
        double[] out = at(new double[phi.length], 1);
        loss.hessianVector(at(phi, 3), 3, at(t, 2), 2, at(v, 2), 2, out, 1, phi.length);
        assertOutsideUntouched(out, 1, phi.length, loss.name() + " Hessian-vector product");
        return slot(out, 1, phi.length);
    }

    private static double value(Loss loss, double[] phi, double[] t) {
        return loss.value(at(phi, 3), 3, at(t, 2), 2, phi.length);
    }

    private static int[] sizes(Loss loss) {
        return loss instanceof SigmoidCrossEntropy ? new int[] {1, C} : new int[] {C};
    }

    // ------------------------------------------------------------------ tests

    @Test
    void valueAndGradientMatchTheClosedForms() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (Loss loss : losses()) {
            for (int c : sizes(loss)) {
                for (int trial = 0; trial < 5; trial++) {
                    double[] phi = logits(c, rnd);
                    double[] t = target(loss, c, rnd);
                    double expected = closedValue(loss, phi, t);
                    assertEquals(expected, value(loss, phi, t), EXACT_TOL * Math.max(1, Math.abs(expected)),
                            loss.name());
                    double[] g = at(new double[c], 1);
                    double v = loss.valueAndGradient(at(phi, 3), 3, at(t, 2), 2, g, 1, c);
                    assertEquals(value(loss, phi, t), v, EXACT_TOL * Math.max(1, Math.abs(v)), loss.name());
                    double[] cg = closedGradient(loss, phi, t);
                    for (int j = 0; j < c; j++) {
                        assertEquals(cg[j], g[1 + j], EXACT_TOL, loss.name());
                    }
                }
            }
        }
    }

    @Test
    void gradientMatchesCentralDifferencesOfTheValue() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (Loss loss : losses()) {
            for (int c : sizes(loss)) {
                for (int trial = 0; trial < 5; trial++) {
                    double[] phi = logits(c, rnd);
                    double[] t = target(loss, c, rnd);
                    double[] g = gradient(loss, phi, t);
                    for (int j = 0; j < c; j++) {
                        double[] p = phi.clone();
                        double[] m = phi.clone();
                        p[j] += H;
                        m[j] -= H;
                        double fd = (value(loss, p, t) - value(loss, m, t)) / (2 * H);
                        assertEquals(fd, g[j], FD_TOL, loss.name() + " component " + j);
                    }
                }
            }
        }
    }

    @Test
    void hessianVectorMatchesDifferencesOfTheGradientAndTheClosedForm() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (Loss loss : losses()) {
            for (int c : sizes(loss)) {
                for (int trial = 0; trial < 5; trial++) {
                    double[] phi = logits(c, rnd);
                    double[] t = target(loss, c, rnd);
                    double[] v = new double[c];
                    for (int j = 0; j < c; j++) {
                        v[j] = rnd.nextDouble(-1, 1);
                    }
                    double[] hv = hessianVector(loss, phi, t, v);
                    double[] p = phi.clone();
                    double[] m = phi.clone();
                    for (int j = 0; j < c; j++) {
                        p[j] += H * v[j];
                        m[j] -= H * v[j];
                    }
                    double[] gp = gradient(loss, p, t);
                    double[] gm = gradient(loss, m, t);
                    double[][] hm = closedHessian(loss, phi);
                    for (int i = 0; i < c; i++) {
                        assertEquals((gp[i] - gm[i]) / (2 * H), hv[i], FD_TOL, loss.name());
                        double s = 0;
                        for (int j = 0; j < c; j++) {
                            s += hm[i][j] * v[j];
                        }
                        assertEquals(s, hv[i], EXACT_TOL, loss.name());
                    }
                }
            }
        }
    }

    @Test
    void softmaxIsStableAtLargeLogits() {
        Loss loss = new SoftmaxCrossEntropy();
        double[] phi = {1000, -1000, 0, 500};
        double[] t = {0, 0, 1, 0};
        // log-sum-exp = 1000 + log(1 + e^-500 + ...) = 1000 in float64, so -log p_2 = 1000 exactly and the
        // probabilities are (1, 0, 0, e^-500)
        assertEquals(1000.0, value(loss, phi, t));
        double[] g = gradient(loss, phi, t);
        double[] expected = {1, 0, -1, Math.exp(-500)};
        for (int j = 0; j < C; j++) {
            // ulp-level: the entries are exact up to one rounding of exp
            assertEquals(expected[j], g[j], Math.ulp(Math.max(1e-300, Math.abs(expected[j]))) * 2);
        }
        checkFiniteAndDifferentiable(loss, phi, t);

        // all logits hugely negative: a naive exp would give 0 / 0; the probabilities are uniform
        double[] low = {-1000, -1000, -1000, -1000};
        // log p = Phi - lse with lse = -1000 + log 4 rounded to ulp(998.6) ~ 1.1e-13: that is the accuracy of the
        // log-sum-exp form at this scale, so allow 4 eps |lse|
        assertEquals(Math.log(4), value(loss, low, t), 4 * EPS * 1000);
        double[] gl = gradient(loss, low, t);
        for (int j = 0; j < C; j++) {
            assertEquals(0.25 - t[j], gl[j], 4 * EPS * 1000); // p = exp(Phi - lse): same relative error as lse
        }
    }

    @Test
    void sigmoidIsStableAtLargeLogits() {
        Loss loss = new SigmoidCrossEntropy();
        double[] phi = {1000, -1000, 0, 500};
        double[] t = {0.3, 0.3, 0.3, 0.3};
        // softplus(1000) = 1000, softplus(-1000) = e^-1000 = 0, softplus(0) = log 2, softplus(500) = 500:
        // value = 700 + 300 + log 2 + 350
        assertEquals(1350 + Math.log(2), value(loss, phi, t), 1e-12); // a few ulps of 1350
        double[] g = gradient(loss, phi, t);
        double[] expected = {0.7, -0.3, 0.2, 0.7}; // sigmoid = (1, 0, 1/2, 1) minus 0.3
        for (int j = 0; j < C; j++) {
            assertEquals(expected[j], g[j], 1e-16); // one rounding of s - t
        }
        double[] hv = hessianVector(loss, phi, t, new double[] {1, 1, 1, 1});
        assertEquals(0.0, hv[0]);
        assertEquals(0.0, hv[1]);
        assertEquals(0.25, hv[2]);
        checkFiniteAndDifferentiable(loss, phi, t);
    }

    @Test
    void reluAndSquaredAreFiniteAtLargeLogits() {
        double[] phi = {1000, -1000, 0.5, 500};
        for (Loss loss : new Loss[] {new ReluMatchingLoss(), new SquaredLoss()}) {
            double[] t = {1, 0, 0.25, 2};
            double[] g = gradient(loss, phi, t);
            double[] cg = closedGradient(loss, phi, t);
            for (int j = 0; j < C; j++) {
                assertEquals(cg[j], g[j], 0.0, loss.name()); // exact: one subtraction
            }
            checkFiniteAndDifferentiable(loss, phi, t);
        }
    }

    /** No NaN or infinity anywhere, and the gradient still matches central differences of the value. */
    private static void checkFiniteAndDifferentiable(Loss loss, double[] phi, double[] t) {
        int c = phi.length;
        double f = value(loss, phi, t);
        assertTrue(Double.isFinite(f), loss.name());
        double[] g = gradient(loss, phi, t);
        double[] hv = hessianVector(loss, phi, t, new double[] {1, -2, 3, -4});
        double[] link = new double[c];
        loss.link(phi, 0, link, 0, c);
        for (int j = 0; j < c; j++) {
            assertTrue(Double.isFinite(g[j]) && Double.isFinite(hv[j]) && Double.isFinite(link[j]), loss.name());
            double[] p = phi.clone();
            double[] m = phi.clone();
            p[j] += H;
            m[j] -= H;
            double fd = (value(loss, p, t) - value(loss, m, t)) / (2 * H);
            // values reach 1e3 (5e5 for the quadratic ReLU and squared losses), so the difference quotient's
            // rounding error eps |f| / h dominates (truncation is nil: the losses are at most quadratic or flat
            // here); 10 eps |f| / h bounds it
            assertEquals(g[j], fd, 10 * EPS * Math.abs(f) / H, loss.name() + " component " + j);
        }
    }

    @Test
    void targetsFromLogitsMakeTheLogitsStationary() {
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 6;
        DenseMatrix logits = new DenseMatrix(n, C);
        for (int k = 0; k < n * C; k++) {
            logits.data()[k] = rnd.nextDouble(-5, 5);
        }
        logits.set(0, 0, 800); // and one large logit
        DenseMatrix positive = new DenseMatrix(n, C);
        for (int k = 0; k < n * C; k++) {
            positive.data()[k] = Math.abs(logits.data()[k]) + 0.01;
        }
        for (Loss loss : losses()) {
            DenseMatrix given = loss instanceof ReluMatchingLoss ? positive : logits;
            DenseMatrix t = loss.targetsFromLogits(given);
            assertEquals(n, t.rows());
            assertEquals(C, t.cols());
            for (int i = 0; i < n; i++) {
                double[] phi = given.row(i);
                double[] g = gradient(loss, phi, t.row(i));
                for (int j = 0; j < C; j++) {
                    // the target is the loss's link of the logits; one rounding apart at most
                    assertEquals(0.0, g[j], 2.3e-16, loss.name() + " row " + i);
                }
                // convex loss with zero gradient: the logits minimize L(t_i, .) (not strictly where the loss is
                // flat in float64, e.g. softmax beside the logit 800, hence >=)
                double at = value(loss, phi, t.row(i));
                double[] shifted = phi.clone();
                shifted[1] += 0.1;
                shifted[2] -= 0.2;
                assertTrue(value(loss, shifted, t.row(i)) >= at, loss.name());
                // the targets are the link of the logits, in the loss's target space
                double[] link = new double[C];
                loss.link(phi, 0, link, 0, C);
                for (int j = 0; j < C; j++) {
                    assertEquals(link[j], t.get(i, j), 0.0);
                }
            }
        }
        // the ReLU loss with non-positive logits: the target is 0 there and the gradient max(Phi, 0) - 0 = 0 too
        Loss relu = new ReluMatchingLoss();
        DenseMatrix t = relu.targetsFromLogits(logits);
        for (int i = 0; i < n; i++) {
            double[] g = gradient(relu, logits.row(i), t.row(i));
            for (double gj : g) {
                assertEquals(0.0, gj, 0.0); // max(x, 0) - max(x, 0)
            }
        }
    }

    @Test
    void softmaxTargetsFromLogitsAreProbabilities() {
        DenseMatrix logits = DenseMatrix.fromRows(new double[][] {{1, 2, 3, 4}, {-1000, 0, 1000, 3}});
        DenseMatrix t = new SoftmaxCrossEntropy().targetsFromLogits(logits);
        for (int i = 0; i < 2; i++) {
            double[] p = softmax(logits.row(i));
            double max = Math.max(Math.max(logits.get(i, 0), logits.get(i, 1)), Math.max(logits.get(i, 2),
                    logits.get(i, 3)));
            double sum = 0;
            for (int j = 0; j < C; j++) {
                // the implementation's exp(Phi - lse) inherits the rounding of lse ~ max + log(sum): relative
                // error up to ~eps (|lse| + 1); here |lse| <= 1000, the bound 4 eps (|max| + 2) covers it
                assertEquals(p[j], t.get(i, j), 4 * EPS * (Math.abs(max) + 2));
                sum += t.get(i, j);
            }
            assertEquals(1.0, sum, 4 * EPS * (Math.abs(max) + 2)); // the same lse rounding, plus that of the sum
        }
    }

    @Test
    void targetsFromLabelsAreOneHotAndRangeChecked() {
        int[] labels = {2, 0, 1, 2};
        for (Loss loss : losses()) {
            DenseMatrix t = loss.targetsFromLabels(labels, 3);
            assertEquals(4, t.rows());
            assertEquals(3, t.cols());
            for (int i = 0; i < labels.length; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(j == labels[i] ? 1.0 : 0.0, t.get(i, j), loss.name());
                }
            }
            assertLabelError(loss, new int[] {0, 1, 2, 3}, 3, "row 3");
            assertLabelError(loss, new int[] {0, -1, 2}, 3, "row 1");
        }
        // binary sigmoid: one output, labels 0/1 as they are
        Loss sigmoid = new SigmoidCrossEntropy();
        DenseMatrix b = sigmoid.targetsFromLabels(new int[] {1, 0, 1}, 1);
        assertEquals(1, b.cols());
        assertEquals(1.0, b.get(0, 0));
        assertEquals(0.0, b.get(1, 0));
        assertEquals(1.0, b.get(2, 0));
        assertLabelError(sigmoid, new int[] {0, 1, 2}, 1, "row 2");
        assertLabelError(sigmoid, new int[] {-1}, 1, "row 0");
    }

    private static void assertLabelError(Loss loss, int[] labels, int c, String row) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.targetsFromLabels(labels, c), loss.name());
        assertTrue(e.getMessage().contains(row), loss.name() + ": " + e.getMessage());
    }

    @Test
    void outputsAndPredictedClass() {
        Loss sigmoid = new SigmoidCrossEntropy();
        assertEquals(1, sigmoid.outputsForClasses(2));
        assertEquals(5, sigmoid.outputsForClasses(5));
        assertEquals(1, sigmoid.predictedClass(new double[] {9, 0.3}, 1, 1));
        assertEquals(0, sigmoid.predictedClass(new double[] {9, -0.3}, 1, 1));
        assertEquals(2, sigmoid.predictedClass(new double[] {-1, 0, 2}, 0, 3));
        Loss softmax = new SoftmaxCrossEntropy();
        assertEquals(2, softmax.outputsForClasses(2));
        assertEquals(1, softmax.predictedClass(new double[] {7, 1, 5, 3}, 1, 3));
    }

    @Test
    void namesAreParsed() {
        for (String s : new String[] {"softmax", "softmax-cross-entropy", "cross-entropy", "SoftMax"}) {
            assertInstanceOf(SoftmaxCrossEntropy.class, Loss.named(s), s);
        }
        for (String s : new String[] {"sigmoid", "sigmoid-cross-entropy", "logistic", "SIGMOID"}) {
            assertInstanceOf(SigmoidCrossEntropy.class, Loss.named(s), s);
        }
        assertInstanceOf(ReluMatchingLoss.class, Loss.named("relu"));
        assertInstanceOf(SquaredLoss.class, Loss.named("squared"));
        assertInstanceOf(SquaredLoss.class, Loss.named("MSE"));
        for (Loss loss : losses()) {
            assertEquals(loss.getClass(), Loss.named(loss.name()).getClass(), "name() round trip");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.named("hinge"));
        assertTrue(e.getMessage().contains("'hinge'") && e.getMessage().contains("softmax"), e.getMessage());
    }
}
