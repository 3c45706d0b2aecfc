package org.exemplar.cf;

import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;

/**
 * Normalized embeddings U~ = U sqrt(Sigma), V~ = V sqrt(Sigma) of the predicted matrix U^ V^^T = U Sigma V^T
 * (Definition 1), computed by Algorithm 1 of Tsai et al. (2023, App. F) without forming the |U| x |I| matrix:
 * <pre>
 *   U1 S1 V1^T = svd(U^)            (|U| x k)
 *   U2 S2 V2^T = svd(V^^T)          (k x |I|; V2 is |I| x k)
 *   U3 S3 V3^T = svd(S1 V1^T U2 S2) (k x k)
 *   U~ = U1 U3 sqrt(S3),   V~ = V2 V3 sqrt(S3)
 * </pre>
 * CORRECTION (SPEC.md): the paper prints V~ = V1 V3 sqrt(S3); U^ V^^T = U1 S1 V1^T U2 S2 V2^T
 * = (U1 U3) S3 (V2 V3)^T requires V2. Cost O(max(|U|, |I|) k^2). {@code singularValues} = diag(S3), descending.
 * When k &gt; |U| or k &gt; |I| the rank is min(k, |U|, |I|) and the embeddings have that many columns.
 */
public record NormalizedEmbeddings(DenseMatrix users, DenseMatrix items, double[] singularValues) {

    /** Algorithm 1 on trained (or imported two-tower) embeddings. */
    public static NormalizedEmbeddings of(Factorization f) {
        ThinSvd a = ThinSvd.of(f.users());                  // U1 (|U| x r1), S1, V1 (k x r1)
        ThinSvd b = ThinSvd.of(f.items().transpose());      // V^^T = U2 S2 V2^T: U2 (k x r2), V2 (|I| x r2)
        // M = S1 V1^T U2 S2  (r1 x r2)
        DenseMatrix m = Blas.multiply(Transpose.YES, a.v(), Transpose.NO, b.u());
        for (int p = 0; p < m.rows(); p++) {
            for (int q = 0; q < m.cols(); q++) {
                m.set(p, q, a.s()[p] * m.get(p, q) * b.s()[q]);
            }
        }
        ThinSvd c = ThinSvd.of(m);                          // U3 (r1 x r), S3, V3 (r2 x r)
        DenseMatrix ut = Blas.multiply(a.u(), c.u());
        DenseMatrix vt = Blas.multiply(b.v(), c.v());
        scaleColumnsBySqrt(ut, c.s());
        scaleColumnsBySqrt(vt, c.s());
        return new NormalizedEmbeddings(ut, vt, c.s());
    }

    /** From an exact SVD Theta = U diag(s) V^T (e.g. Soft-Impute's), U~ = U sqrt(S), V~ = V sqrt(S). */
    public static NormalizedEmbeddings fromSvd(DenseMatrix u, double[] s, DenseMatrix v) {
        DenseMatrix ut = u.copy();
        DenseMatrix vt = v.copy();
        scaleColumnsBySqrt(ut, s);
        scaleColumnsBySqrt(vt, s);
        return new NormalizedEmbeddings(ut, vt, s.clone());
    }

    private static void scaleColumnsBySqrt(DenseMatrix x, double[] s) {
        for (int i = 0; i < x.rows(); i++) {
            for (int p = 0; p < x.cols(); p++) {
                x.set(i, p, x.get(i, p) * Math.sqrt(s[p]));
            }
        }
    }

    public int rank() {
        return singularValues.length;
    }

    /** &lt;U~_i, V~_j&gt; (= (U^ V^^T)_ij up to rounding). */
    public double predict(int i, int j) {
        int k = users.cols();
        return org.exemplar.linalg.Vectors.dot(users.data(), i * k, items.data(), j * k, k);
    }

    public double userSimilarity(int i, int i2) {
        int k = users.cols();
        return org.exemplar.linalg.Vectors.dot(users.data(), i * k, users.data(), i2 * k, k);
    }

    public double itemSimilarity(int j, int j2) {
        int k = items.cols();
        return org.exemplar.linalg.Vectors.dot(items.data(), j * k, items.data(), j2 * k, k);
    }
}
