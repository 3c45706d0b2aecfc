package org.exemplar.solver;

import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;

/**
 * Exact inverse-Hessian-vector products (Bae et al. 2022, App. D, "exact"): form the explicit matrix A = H +
 * damping I ({@link CurvatureOperator#toDense()}), factorize it once, A = L L^T (LAPACK dpotrf), and solve each
 * right-hand side by two triangular solves (dpotrs). Cost: O(P^3 / 3) once plus O(P^2) per right-hand side, so it
 * suits small models (P up to about 10^4).
 *
 * <p>A must be symmetric positive definite: a singular or indefinite Hessian without enough damping throws
 * {@link ArithmeticException} naming the failing leading minor and the remedy (more damping, or the Gauss-Newton
 * matrix, which is positive semi-definite).
 */
public final class ExactSolver implements InverseHessianSolver {
    private final int maxDimension;

    /** @param maxDimension refuse operators larger than this (the matrix needs 8 P^2 bytes) */
    public ExactSolver(int maxDimension) {
        if (maxDimension < 1) {
            throw new IllegalArgumentException("maxDimension must be >= 1, got " + maxDimension);
        }
        this.maxDimension = maxDimension;
    }

    public ExactSolver() {
        this(12_000);
    }

    @Override
    public String name() {
        return "exact";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("factorization", "cholesky (LAPACK dpotrf/dpotrs)");
        s.put("max_dimension", maxDimension);
        return s;
    }

    @Override
    public Prepared prepare(CurvatureOperator a) {
        if (a.dim() > maxDimension) {
            throw new IllegalArgumentException("the exact solver would form a " + a.dim() + " x " + a.dim()
                    + " matrix (limit " + maxDimension + "); use cg, lissa or arnoldi");
        }
        DenseMatrix dense = a.toDense();
        Cholesky chol;
        try {
            chol = Cholesky.factorize(dense);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("H + damping I is not positive definite (" + e.getMessage()
                    + "); increase the damping or use the Gauss-Newton matrix");
        }
        double minDiag = Double.POSITIVE_INFINITY;
        for (int k = 0; k < dense.rows(); k++) {
            minDiag = Math.min(minDiag, dense.get(k, k));
        }
        final double minDiagonal = minDiag;
        return new Prepared() {
            @Override
            public BatchSolveResult solve(DenseMatrix rhs) {
                InverseHessianSolver.checkRhs(a, rhs);
                int k = rhs.rows();
                DenseMatrix x = chol.solve(rhs.transpose()).transpose();
                double[] abs = new double[k];
                double[] rel = new double[k];
                // R = X A - B in one BLAS-3 product (A is symmetric): a gemv per right-hand side would stream the
                // P x P matrix once per row
                DenseMatrix res = Blas.multiply(x, dense);
                for (int r = 0; r < k; r++) {
                    double r2 = 0;
                    double b2 = 0;
                    for (int j = 0; j < dense.rows(); j++) {
                        double bj = rhs.get(r, j);
                        double d = res.get(r, j) - bj;
                        r2 += d * d;
                        b2 += bj * bj;
                    }
                    abs[r] = Math.sqrt(r2);
                    rel[r] = b2 == 0 ? (r2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(r2 / b2);
                }
                boolean[] ok = new boolean[k];
                java.util.Arrays.fill(ok, true);
                return new BatchSolveResult(x, new int[k], abs, rel, ok, "cholesky");
            }

            @Override
            public Map<String, Object> diagnostics() {
                return Map.of("log_determinant", chol.logDeterminant(), "min_diagonal", minDiagonal);
            }
        };
    }
}
