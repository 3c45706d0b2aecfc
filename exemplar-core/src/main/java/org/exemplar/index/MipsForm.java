package org.exemplar.index;

/**
 * An index whose exact score is one inner product of a stored key with a query vector, seen as what an approximate
 * maximum-inner-product search (MIPS) needs: the keys of each key set (one search graph each), the query vector of a
 * query point and its class, and the exact score of a candidate, with score(t, i) = q_t . k_i for the keys of the set
 * {@link Query#set()}. A graph built over the keys proposes the training points of largest q_t . k_i (supporting) and,
 * asked with -q_t, those of most negative q_t . k_i (opposing); the candidates are then re-scored exactly by
 * {@link #score}, so an approximate answer can miss a point but never changes a score. Obtained from
 * {@link ExplanationIndex#mips()}.
 *
 * <ul>
 *   <li>{@code rps-l2}: one set per output column j, k_{ij} = alpha_{ij} f_i, q_t = s f_t with s = -1 for class 0 of
 *   a one-output model and +1 otherwise (score = alpha_{ic} f_i^T f_t, Yeh et al. 2018, Thm 3.1).</li>
 *   <li>kind {@code inner-product} ({@code kfac}, {@code ekfac}, {@code trak}, {@code tracin-mlp},
 *   {@code representer-l1}): one set, k_i the stored training key ({@code inner_keys.npy}) and q_t the library's
 *   query vector of the point and class ({@link org.exemplar.attribution.InnerProductForm#queryVectors}), so the
 *   score is the exact index's (and the library's). TRAK's ensemble of M models and TracInCP's C checkpoints are
 *   sums over blocks, stored as one concatenated key and one concatenated query vector, so each is still a single
 *   inner product: TRAK (Park et al. 2023, Alg. 1) tau(z)_i = sum_m phi_m(z)^T k_{i,m} = [phi_1(z); ...; phi_M(z)]
 *   . [k_{i,1}; ...; k_{i,M}], k_{i,m} = (q_i / M) Phi_m (Phi_m^T Phi_m + lambda I)^{-1} row i; TracInCP (Pruthi et
 *   al. 2020, eq. 3) sum_c eta_c grad l(theta_c, z_i) . grad l(theta_c, z) = [eta_1 grad l(theta_1, z); ...;
 *   eta_C grad l(theta_C, z)] . [grad l(theta_1, z_i); ...; grad l(theta_C, z_i)].</li>
 * </ul>
 * The other kinds (influence, ntk, the CF pair queries of cf-mf, cf-nuclear, fia and tracin-cp: kind
 * {@code artifact}) are scored through the library and have no such form.
 */
public interface MipsForm {
    /** Number of key sets (one search graph each). */
    int sets();

    /** Length of a key and of a query vector. */
    int width();

    /** Key i of set {@code set}, as the float32 vector a graph stores. */
    float[] key(int i, int set);

    /** The key set and query vector of a query point and the class it explains (already resolved). */
    Query query(double[] features, int cls);

    /** The exact score q . k_i of training point i (the same value the exact scan gives, up to summation order). */
    double score(int i, Query q);

    /** What the graphs index, for index.json. */
    String describe();

    /**
     * A query as the search sees it.
     *
     * @param set    the key set (graph) to search
     * @param vector q_t; the supporting list maximizes q_t . k_i, the opposing one maximizes (-q_t) . k_i
     */
    record Query(int set, double[] vector) {
    }
}
