/**
 * One attribution API for every method: prepare once, score any test set, with one sign convention.
 *
 * <h2>Lifecycle</h2>
 * A builder from {@link org.exemplar.attribution.Attributors} validates its options; {@code prepare(train)} runs
 * the expensive part (the fit, alpha, the factorization, the curvature solver, the embeddings) and returns an
 * immutable {@link org.exemplar.attribution.PreparedAttributor}: a named artifact with a key (SHA-256 of method,
 * settings and training data), provenance and preparation diagnostics, which
 * {@link org.exemplar.attribution.PreparedAttributor#save saves} to a directory of {@code .npy} files plus
 * {@code artifact.json} and {@link org.exemplar.attribution.Attributors#load reloads} without refitting.
 * Scoring takes the artifact, so the order cannot be got wrong:
 * <pre>{@code
 * var prepared = Attributors.influence(LinearModels.Kind.LOGISTIC).solver(Solver.CG).damping(1e-3).prepare(train);
 * Attribution all = prepared.attribute(test);            // n_test x n_train, small problems
 * PreparedAttributor.Ranking top = prepared.topK(test, 5); // streamed, bounded heaps
 * prepared.score(test, 64, sink);                        // streamed row blocks into any ScoreSink
 * }</pre>
 *
 * <h2>Orientation, sign and scale (the one place they are defined)</h2>
 * Every score matrix and block has <b>rows = test points, columns = training points</b>. A <b>positive</b>
 * score means training point i <b>supports</b> the explained output g_t of test point t: its removal is predicted
 * to <b>lower</b> g_t; a negative score means it opposes g_t. Each method computes its own <em>raw</em> quantity
 * and maps it by a constant factor, {@code score = rawFactor * raw}; the raw quantity stays available
 * ({@link org.exemplar.attribution.Attribution#raw()}, {@link org.exemplar.attribution.Convention#toRaw}).
 * Every result carries its {@link org.exemplar.attribution.Convention} (explained output, raw quantity, factor,
 * units).
 * <table>
 *   <caption>Methods and their mapping into the convention</caption>
 *   <tr><th>method</th><th>explained g_t</th><th>raw quantity</th><th>score</th><th>units</th></tr>
 *   <tr><td>rps-l2</td><td>logit of the predicted class (one sigmoid output: +Phi for class 1, -Phi for 0)</td>
 *       <td>alpha_ic f_i^T f_t (Yeh et al. 2018, Thm 3.1)</td><td>+raw</td><td>logit; a row sums to g_t</td></tr>
 *   <tr><td>influence, measure = loss (default)</td><td>-L(t_t, Phi(x_t))</td>
 *       <td>I = (1/n) grad f_t^T (C + damping I)^{-1} grad L_i = predicted f_t(theta_-i) - f_t(theta)
 *       (Bae et al. 2022, eq. 5)</td><td>+raw</td><td>loss per removed point (carries 1/n)</td></tr>
 *   <tr><td>influence, measure = margin or logit:j</td><td>the margin or logit j</td><td>the same I</td>
 *       <td>-raw</td><td>output units per removed point (carries 1/n)</td></tr>
 *   <tr><td>kfac, ekfac (measure = loss / margin or logit)</td><td>-L(t_t, Phi(x_t)) / f itself</td>
 *       <td>I = (1/n) grad f_t^T (F + damping I)^{-1} grad L_i with the K-FAC / EK-FAC Fisher F (Grosse et al. 2023,
 *       eq. 16-20)</td><td>+raw / -raw</td><td>as influence (carries 1/n)</td></tr>
 *   <tr><td>tracin-mlp (measure = loss / margin or logit)</td><td>-L(t_t, Phi(x_t)) / f itself</td>
 *       <td>sum_c eta_c grad f_t(theta_c) . grad L_i(theta_c) (Pruthi et al. 2020, eq. 3)</td><td>+raw / -raw</td>
 *       <td>learning rate x gradient products; 1/|B| dropped</td></tr>
 *   <tr><td>representer-l1</td><td>x'^T theta (without the bias)</td>
 *       <td>alpha_i sum_{j in S} |theta_j| x_ij x'_j (Tsai et al. 2023, Cor. 2)</td><td>+raw</td>
 *       <td>logit; a row sums to g_t</td></tr>
 *   <tr><td>representer-l2</td><td>x'^T theta (without the bias)</td><td>-l'(y_i, x_i^T theta + b) x_i^T x'</td>
 *       <td>raw / (n lambda)</td><td>logit; a row sums to g_t</td></tr>
 *   <tr><td>ntk</td><td>-1/2 (f(x_t) - y_t)^2</td><td>exact leave-one-out change of the test loss
 *       (Zhang &amp; Zhang 2022, eq. 8-9)</td><td>+raw</td><td>squared loss, exact (not linearized)</td></tr>
 *   <tr><td>cf-nuclear, cf-mf, fia, tracin-cp</td><td>&lt;U_i', V_j'&gt;, the predicted score</td>
 *       <td>Definition 1 (eq. 15; c = 1/(lambda |D|) or 1), I_FIA (Cheng et al. 2019), TracInCP (eq. 20)</td>
 *       <td>+raw</td><td>rating-score units</td></tr>
 * </table>
 * For the decomposition methods (representers) "removal lowers g_t" is the reading of a share of the output, not
 * a removal estimate; the contract tests measure how often the top supporting point's actual removal and
 * retraining lowers g_t (see docs/architecture.md).
 *
 * <h2>Trust</h2>
 * {@link org.exemplar.attribution.TrustDiagnostics} travel with every result: the preparation's stationarity
 * residual and convergence, the worst decomposition residual of the scored test points (where the method has a
 * representer identity), and the linear solves' worst relative residual and iteration count (influence).
 */
package org.exemplar.attribution;
