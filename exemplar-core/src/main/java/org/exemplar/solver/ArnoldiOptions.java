package org.exemplar.solver;

/**
 * Settings of {@link Arnoldi}.
 *
 * @param iterations Krylov dimension m (operator applications)
 * @param topK       eigenpairs kept (largest eigenvalues), k &lt;= m
 * @param seed       seed of the random start vector
 */
public record ArnoldiOptions(int iterations, int topK, long seed) {
    public ArnoldiOptions {
        if (iterations < 1) {
            throw new IllegalArgumentException("Arnoldi iterations must be >= 1, got " + iterations);
        }
        if (topK < 1 || topK > iterations) {
            throw new IllegalArgumentException("Arnoldi top-k must be in [1, iterations = " + iterations + "], got "
                    + topK);
        }
    }
}
