package org.exemplar.solver;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.LinearOperator;
import org.exemplar.linalg.Vectors;

/**
 * LiSSA, the stochastic Neumann-series inverse (Agarwal, Bullins &amp; Hazan 2017; Koh &amp; Liang 2017; Bae et al.
 * 2022, App. D eq. 51, with the sum starting at t = 0 as SPEC section 4 corrects):
 *
 * <pre>  h_0 = v,   h_t = v + (I - (H_{B_t} + damping I) / sigma) h_{t-1},   t = 1..T,   estimate h_T / sigma,</pre>
 *
 * averaged over R independent repeats; B_t is a fresh mini-batch each step. With exact products h_T / sigma =
 * (1/sigma) sum_{j=0}^{T} (I - A/sigma)^j v -&gt; A^{-1} v when the eigenvalues of A/sigma lie in (0, 2).
 *
 * <p><b>Determinism.</b> Every right-hand side of a {@link Prepared#solve} call sees the same seeded stream of
 * mini-batches (one per step, shared by the batch), so results depend on the seed only, never on how right-hand
 * sides are batched.
 *
 * <p><b>Convergence.</b> A right-hand side counts as converged only when its recursion did not diverge and its true
 * relative residual ||A x - b|| / ||b|| (recomputed with the full operator after the solve) is at most
 * {@link LissaOptions#tolerance()}; the note says how many stopped above it and the largest residual.
 *
 * <p><b>Divergence.</b> When every A_{B_t}/sigma has eigenvalues in [0, 2], each factor has norm &lt;= 1 and
 * ||h_t|| &lt;= (t + 1) ||v||. A recursion whose iterate exceeds 2 (t + 1) ||v|| (or becomes non-finite) is stopped
 * and reported as diverged; the diagnostics then carry the largest eigenvalue of A estimated by 50 power
 * iterations and a suggested scale sigma = that eigenvalue (twice the minimum, a margin for mini-batch noise), or
 * say that A has a negative eigenvalue, which no scale fixes (add damping or use the Gauss-Newton matrix).
 */
public final class Lissa implements InverseHessianSolver {
    private final LissaOptions options;

    public Lissa(LissaOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "lissa";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("depth", options.depth());
        s.put("repeats", options.repeats());
        s.put("scale", options.scale());
        s.put("batch_size", options.batchSize());
        s.put("seed", options.seed());
        s.put("tolerance", options.tolerance());
        s.put("neumann_sum", "t = 0..T (SPEC section 4 correction of eq. 51)");
        return s;
    }

    @Override
    public Prepared prepare(CurvatureOperator a) {
        return rhs -> solveBatch(a, rhs);
    }

    private BatchSolveResult solveBatch(CurvatureOperator a, DenseMatrix rhs) {
        InverseHessianSolver.checkRhs(a, rhs);
        int k = rhs.rows();
        int p = a.dim();
        double sigma = options.scale();
        DenseMatrix sum = new DenseMatrix(k, p);
        boolean[] diverged = new boolean[k];
        int[] divergedAt = new int[k];
        double[] vNorm = new double[k];
        for (int r = 0; r < k; r++) {
            vNorm[r] = Vectors.norm2(rhs.row(r));
        }
        SplittableRandom root = new SplittableRandom(options.seed());
        double[][] h = new double[k][];
        double[] ah = new double[p];
        for (int rep = 0; rep < options.repeats(); rep++) {
            SplittableRandom rng = root.split();
            for (int r = 0; r < k; r++) {
                h[r] = rhs.row(r);
            }
            for (int t = 1; t <= options.depth(); t++) {
                LinearOperator op = a.sample(options.batchSize(), rng);
                for (int r = 0; r < k; r++) {
                    if (diverged[r]) {
                        continue;
                    }
                    double[] hr = h[r];
                    op.apply(hr, ah);
                    int off = r * p;
                    double[] v = rhs.data();
                    double sq = 0;
                    for (int j = 0; j < p; j++) {
                        double nv = v[off + j] + hr[j] - ah[j] / sigma;
                        hr[j] = nv;
                        sq += nv * nv;
                    }
                    double norm = Math.sqrt(sq);
                    if (!Double.isFinite(norm) || norm > 2.0 * (t + 1) * vNorm[r]) {
                        diverged[r] = true;
                        divergedAt[r] = t;
                    }
                }
            }
            for (int r = 0; r < k; r++) {
                if (!diverged[r]) {
                    double[] s = sum.data();
                    for (int j = 0; j < p; j++) {
                        s[r * p + j] += h[r][j];
                    }
                }
            }
        }
        sum.scaleInPlace(1.0 / (sigma * options.repeats()));
        boolean[] ok = new boolean[k];
        int bad = 0;
        for (int r = 0; r < k; r++) {
            ok[r] = !diverged[r];
            if (diverged[r]) {
                bad++;
                Arrays.fill(sum.data(), r * p, (r + 1) * p, Double.NaN);
            }
        }
        double[] abs = new double[k];
        double[] rel = new double[k];
        BatchSolveResult.trueResiduals(a, rhs, sum, abs, rel);
        int aboveTolerance = 0;
        double worst = 0;
        for (int r = 0; r < k; r++) {
            if (ok[r] && !(rel[r] <= options.tolerance())) {
                ok[r] = false;
                aboveTolerance++;
                worst = Math.max(worst, rel[r]);
            }
        }
        int[] its = new int[k];
        for (int r = 0; r < k; r++) {
            its[r] = diverged[r] ? divergedAt[r] : options.depth() * options.repeats();
        }
        String note = bad == 0 ? "no divergence" : bad + " of " + k + " recursions diverged (first at step "
                + firstPositive(divergedAt) + "); " + scaleAdvice(a, options.seed());
        if (aboveTolerance > 0) {
            note += String.format("; %d of %d solves stopped above the relative-residual tolerance %.3g (largest %.3g): "
                    + "raise the depth, the repeats or the batch size", aboveTolerance, k, options.tolerance(), worst);
        }
        return new BatchSolveResult(sum, its, abs, rel, ok, note);
    }

    private static int firstPositive(int[] v) {
        int m = Integer.MAX_VALUE;
        for (int x : v) {
            if (x > 0) {
                m = Math.min(m, x);
            }
        }
        return m;
    }

    /** The largest-magnitude eigenvalue of A by power iteration, with advice on the scale. */
    static String scaleAdvice(CurvatureOperator a, long seed) {
        double mu = largestEigenvalue(a, 50, seed);
        if (mu < 0) {
            return String.format("the operator has a negative eigenvalue near %.4g: no LiSSA scale converges; "
                    + "increase the damping above %.4g or use the Gauss-Newton matrix", mu, -mu);
        }
        return String.format("largest eigenvalue of H + damping I is about %.4g: use a scale of at least %.4g "
                + "(suggested %.4g)", mu, mu / 2, mu);
    }

    /** Rayleigh quotient after {@code iterations} power iterations from a seeded random start (signed). */
    public static double largestEigenvalue(LinearOperator a, int iterations, long seed) {
        int p = a.dim();
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] q = new double[p];
        for (int j = 0; j < p; j++) {
            q[j] = rnd.nextDouble() - 0.5;
        }
        double[] aq = new double[p];
        double mu = 0;
        for (int it = 0; it < iterations; it++) {
            double nq = Vectors.norm2(q);
            if (nq == 0) {
                return 0;
            }
            for (int j = 0; j < p; j++) {
                q[j] /= nq;
            }
            a.apply(q, aq);
            mu = Vectors.dot(q, aq);
            double[] t = q;
            q = aq;
            aq = t;
        }
        return mu;
    }
}
