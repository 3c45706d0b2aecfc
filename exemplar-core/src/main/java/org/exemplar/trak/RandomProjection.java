package org.exemplar.trak;

import java.util.Objects;
import java.util.SplittableRandom;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * A seeded random projection R^d -> R^k, x -> x P with P a d x k matrix (TRAK, Park et al. 2023, Sec. 3.2: the
 * Johnson-Lindenstrauss projection of per-example gradients). Row j of P is generated from the seed and j alone
 * ({@link #row}), so P is produced in row blocks while projecting and is <b>never stored</b> for the Gaussian and
 * Rademacher kinds: the result does not depend on how the d coordinates are cut into blocks (up to the summation
 * order of the block products).
 *
 * <ul>
 *   <li>{@link Kind#GAUSSIAN}: entries N(0, 1) / sqrt(k);</li>
 *   <li>{@link Kind#RADEMACHER}: entries +-1 / sqrt(k) with probability 1/2 each;</li>
 *   <li>{@link Kind#ORTHOGONAL}: the Gaussian rows orthonormalized (needs k &gt;= d; P P^T = I; stored, small d
 *       only). With it, TRAK equals the un-projected kernel formula exactly.</li>
 * </ul>
 * Both random kinds satisfy E[P P^T] = I, so inner products are preserved in expectation.
 */
public final class RandomProjection {
    /** The distribution of the entries. */
    public enum Kind {
        GAUSSIAN, RADEMACHER, ORTHOGONAL;

        /** Parses "gaussian", "rademacher" or "orthogonal" (case ignored). */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown projection '" + s
                        + "' (expected gaussian, rademacher or orthogonal)");
            }
        }
    }

    /** Rows of P generated at a time while projecting (a memory knob: 1024 x k doubles). */
    public static final int DEFAULT_ROW_BLOCK = 1024;
    /** Most entries of an orthogonal projection's stored matrix. */
    public static final long MAX_ORTHOGONAL_ENTRIES = 1L << 24;

    private final Kind kind;
    private final int inputDimension;
    private final int dimension;
    private final long seed;
    private final DenseMatrix orthogonal;

    /**
     * @param kind           entry distribution
     * @param inputDimension d (the number of model parameters)
     * @param dimension      k, the projected dimension
     * @param seed           the projection's seed
     */
    public RandomProjection(Kind kind, int inputDimension, int dimension, long seed) {
        this.kind = Objects.requireNonNull(kind, "projection kind");
        if (inputDimension < 1) {
            throw new IllegalArgumentException("input dimension must be >= 1, got " + inputDimension);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("projection dimension must be >= 1, got " + dimension);
        }
        this.inputDimension = inputDimension;
        this.dimension = dimension;
        this.seed = seed;
        if (kind == Kind.ORTHOGONAL) {
            if (dimension < inputDimension) {
                throw new IllegalArgumentException("an orthogonal projection needs k >= d; got k = " + dimension
                        + " for d = " + inputDimension + " (use gaussian or rademacher)");
            }
            if ((long) dimension * inputDimension > MAX_ORTHOGONAL_ENTRIES) {
                throw new IllegalArgumentException("an orthogonal projection stores d x k = " + inputDimension + " x "
                        + dimension + " entries, more than " + MAX_ORTHOGONAL_ENTRIES + " (use gaussian or rademacher)");
            }
            this.orthogonal = orthonormalRows();
        } else {
            this.orthogonal = null;
        }
    }

    public Kind kind() {
        return kind;
    }

    /** d. */
    public int inputDimension() {
        return inputDimension;
    }

    /** k. */
    public int dimension() {
        return dimension;
    }

    public long seed() {
        return seed;
    }

    /** Row j of P (k entries), a function of (kind, seed, j, k) only. */
    public double[] row(int j) {
        if (j < 0 || j >= inputDimension) {
            throw new IndexOutOfBoundsException("row " + j + " outside [0, " + inputDimension + ")");
        }
        if (orthogonal != null) {
            return orthogonal.row(j);
        }
        double[] out = new double[dimension];
        fillRow(j, out, 0);
        return out;
    }

    private void fillRow(int j, double[] out, int off) {
        SplittableRandom r = new SplittableRandom(mix(seed, j));
        double s = 1.0 / Math.sqrt(dimension);
        if (kind == Kind.RADEMACHER) {
            long bits = 0;
            for (int c = 0; c < dimension; c++) {
                if ((c & 63) == 0) {
                    bits = r.nextLong();
                }
                out[off + c] = ((bits >>> (c & 63)) & 1L) == 0 ? s : -s;
            }
        } else {
            for (int c = 0; c < dimension; c++) {
                out[off + c] = gaussian(r) * s;
            }
        }
    }

    /** Box-Muller with StrictMath, so a seed gives the same matrix on every JVM. */
    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }

    /** A 64-bit mix of (seed, row) (SplitMix64 finalizer), so rows get independent streams. */
    private static long mix(long seed, long j) {
        long z = seed * 0x9E3779B97F4A7C15L + (j + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Rows j0 .. j1-1 of P as a (j1 - j0) x k matrix. */
    public DenseMatrix rows(int j0, int j1) {
        if (j0 < 0 || j1 > inputDimension || j0 > j1) {
            throw new IndexOutOfBoundsException("rows [" + j0 + ", " + j1 + ") outside [0, " + inputDimension + ")");
        }
        if (orthogonal != null) {
            return orthogonal.rowRange(j0, j1);
        }
        DenseMatrix b = new DenseMatrix(j1 - j0, dimension);
        for (int j = j0; j < j1; j++) {
            fillRow(j, b.data(), (j - j0) * dimension);
        }
        return b;
    }

    /** G P for G of shape n x d, generating P in blocks of {@link #DEFAULT_ROW_BLOCK} rows. */
    public DenseMatrix project(DenseMatrix g) {
        return project(g, DEFAULT_ROW_BLOCK);
    }

    /** G P for G of shape n x d, generating P in blocks of {@code rowBlock} rows (never all of it at once). */
    public DenseMatrix project(DenseMatrix g, int rowBlock) {
        if (g.cols() != inputDimension) {
            throw new IllegalArgumentException("projection expects " + inputDimension + " columns, got "
                    + g.shapeString());
        }
        if (rowBlock < 1) {
            throw new IllegalArgumentException("row block must be >= 1, got " + rowBlock);
        }
        int n = g.rows();
        DenseMatrix out = new DenseMatrix(n, dimension);
        if (orthogonal != null) {
            Blas.gemm(Transpose.NO, Transpose.NO, 1.0, g, orthogonal, 0.0, out);
            return out;
        }
        for (int j0 = 0; j0 < inputDimension; j0 += rowBlock) {
            int j1 = Math.min(inputDimension, j0 + rowBlock);
            DenseMatrix p = rows(j0, j1);
            // out += G[:, j0:j1] P[j0:j1, :], reading G in place with its row stride
            Blas.gemm(Transpose.NO, Transpose.NO, n, dimension, j1 - j0, 1.0, g.data(), j0, inputDimension,
                    p.data(), 0, dimension, 1.0, out.data(), 0, dimension);
        }
        return out;
    }

    /** Gram-Schmidt (twice, for orthogonality to rounding) on the d Gaussian rows of length k. */
    private DenseMatrix orthonormalRows() {
        DenseMatrix q = new DenseMatrix(inputDimension, dimension);
        double[] d = q.data();
        int k = dimension;
        for (int j = 0; j < inputDimension; j++) {
            SplittableRandom r = new SplittableRandom(mix(seed, j));
            for (int c = 0; c < k; c++) {
                d[j * k + c] = gaussian(r);
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < j; i++) {
                    double dot = 0;
                    for (int c = 0; c < k; c++) {
                        dot += d[i * k + c] * d[j * k + c];
                    }
                    for (int c = 0; c < k; c++) {
                        d[j * k + c] -= dot * d[i * k + c];
                    }
                }
            }
            double norm = 0;
            for (int c = 0; c < k; c++) {
                norm += d[j * k + c] * d[j * k + c];
            }
            norm = Math.sqrt(norm);
            for (int c = 0; c < k; c++) {
                d[j * k + c] /= norm;
            }
        }
        return q;
    }
}
