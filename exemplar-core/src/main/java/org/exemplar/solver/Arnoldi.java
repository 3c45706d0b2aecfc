package org.exemplar.solver;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.linalg.Vectors;
import org.netlib.util.intW;

/**
 * Low-rank inverse by Arnoldi iteration (Schioppa, Zablotskaia, Vilar &amp; Sokolov 2022, "Scaling up influence
 * functions", Alg. 1-2; as in captum's ArnoldiInfluenceFunction and dattri's ihvp_arnoldi):
 * <ol>
 *   <li>m steps of Arnoldi on A = H + damping I from a seeded random unit vector, with full (twice-applied
 *   Gram-Schmidt) re-orthogonalization: A Q_m = Q_{m+1} T~_m;</li>
 *   <li>the eigen-decomposition of the (symmetrized) m x m block T_m = V diag(mu) V^T (LAPACK dsyevd);</li>
 *   <li>keep the k largest Ritz values mu_1..mu_k and vectors U = Q_m V_k (P x k);</li>
 *   <li>A^{-1} b ~= U diag(1/mu) U^T b.</li>
 * </ol>
 * The inverse is restricted to the dominant eigenspace (the rest of A^{-1} b is dropped, as in the paper), so
 * its residual is not zero unless k = m = P; it is reported. A Krylov space that becomes invariant early
 * (breakdown) ends the iteration; the basis built so far is used.
 */
public final class Arnoldi implements InverseHessianSolver {
    private final ArnoldiOptions options;

    public Arnoldi(ArnoldiOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "arnoldi";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("iterations", options.iterations());
        s.put("top_k", options.topK());
        s.put("seed", options.seed());
        return s;
    }

    @Override
    public Prepared prepare(CurvatureOperator a) {
        int p = a.dim();
        int m = Math.min(options.iterations(), p);
        double[][] q = new double[m + 1][];
        double[][] t = new double[m + 1][m];
        SplittableRandom rnd = new SplittableRandom(options.seed());
        double[] q0 = new double[p];
        for (int j = 0; j < p; j++) {
            q0[j] = rnd.nextDouble() - 0.5;
        }
        scale(q0, 1.0 / Vectors.norm2(q0));
        q[0] = q0;
        int built = m;
        double scale = 0;
        for (int j = 0; j < m; j++) {
            double[] w = new double[p];
            a.apply(q[j], w);
            scale = Math.max(scale, Vectors.norm2(w));
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i <= j; i++) {
                    double h = Vectors.dot(q[i], w);
                    t[i][j] += h;
                    Vectors.axpy(-h, q[i], w);
                }
            }
            double norm = Vectors.norm2(w);
            t[j + 1][j] = norm;
            if (norm <= 1e-12 * Math.max(scale, Double.MIN_NORMAL)) {
                built = j + 1; // invariant subspace found
                break;
            }
            scale(w, 1.0 / norm);
            q[j + 1] = w;
        }
        int mm = built;
        double[] sym = new double[mm * mm];
        for (int i = 0; i < mm; i++) {
            for (int j = 0; j < mm; j++) {
                sym[i * mm + j] = 0.5 * (t[i][j] + t[j][i]);
            }
        }
        double[] eig = new double[mm];
        symmetricEigen(mm, sym, eig); // ascending; sym holds eigenvectors as columns (column-major = rows here)
        int k = Math.min(options.topK(), mm);
        double[] mu = new double[k];
        DenseMatrix u = new DenseMatrix(k, p); // rows = eigenvectors in parameter space
        for (int e = 0; e < k; e++) {
            int idx = mm - 1 - e;
            mu[e] = eig[idx];
            // eigenvector idx is column idx of the column-major result = row idx of sym viewed row-major
            double[] row = new double[p];
            for (int i = 0; i < mm; i++) {
                Vectors.axpy(sym[idx * mm + i], q[i], row);
            }
            u.setRow(e, row);
        }
        for (int e = 0; e < k; e++) {
            if (!(mu[e] > 0)) {
                throw new ArithmeticException("Arnoldi found a non-positive eigenvalue " + mu[e] + " among the top "
                        + k + " of H + damping I; increase the damping, lower top-k, or use the Gauss-Newton matrix");
            }
        }
        final int kept = k;
        final int krylov = mm;
        Map<String, Object> diag = new LinkedHashMap<>();
        diag.put("krylov_dimension", mm);
        diag.put("largest_eigenvalue", mu[0]);
        diag.put("smallest_kept_eigenvalue", mu[k - 1]);
        return new Prepared() {
            @Override
            public BatchSolveResult solve(DenseMatrix rhs) {
                InverseHessianSolver.checkRhs(a, rhs);
                // coefficients C = B U^T (rows x k), scaled by 1/mu, then X = C U
                DenseMatrix c = Blas.multiply(Transpose.NO, rhs, Transpose.YES, u);
                for (int r = 0; r < c.rows(); r++) {
                    for (int e = 0; e < kept; e++) {
                        c.set(r, e, c.get(r, e) / mu[e]);
                    }
                }
                DenseMatrix x = Blas.multiply(c, u);
                int n = rhs.rows();
                double[] abs = new double[n];
                double[] rel = new double[n];
                BatchSolveResult.trueResiduals(a, rhs, x, abs, rel);
                int[] its = new int[n];
                java.util.Arrays.fill(its, krylov);
                boolean[] ok = new boolean[n];
                java.util.Arrays.fill(ok, true);
                return new BatchSolveResult(x, its, abs, rel, ok, String.format(
                        "rank-%d inverse from a %d-dimensional Krylov space; kept eigenvalues %.4g .. %.4g",
                        kept, krylov, mu[0], mu[kept - 1]));
            }

            @Override
            public Map<String, Object> diagnostics() {
                return diag;
            }
        };
    }

    /** Eigen-decomposition of a symmetric n x n matrix in place (LAPACK dsyevd): ascending eigenvalues in w. */
    static void symmetricEigen(int n, double[] a, double[] w) {
        intW info = new intW(0);
        double[] work = new double[1];
        int[] iwork = new int[1];
        Blas.lapack().dsyevd("V", "U", n, a, Math.max(1, n), w, work, -1, iwork, -1, info);
        int lwork = (int) work[0];
        int liwork = iwork[0];
        work = new double[Math.max(1, lwork)];
        iwork = new int[Math.max(1, liwork)];
        Blas.lapack().dsyevd("V", "U", n, a, Math.max(1, n), w, work, lwork, iwork, liwork, info);
        if (info.val != 0) {
            throw new ArithmeticException("dsyevd failed with info " + info.val);
        }
    }

    private static void scale(double[] v, double s) {
        for (int j = 0; j < v.length; j++) {
            v[j] *= s;
        }
    }
}
