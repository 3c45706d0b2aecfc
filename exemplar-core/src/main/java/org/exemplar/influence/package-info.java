/**
 * Influence functions (Koh &amp; Liang 2017; Bae et al. 2022, "If influence functions are the answer, then what is
 * the question?", Sec. 3-4, App. B and D): the predicted effect of removing one training point on a test
 * quantity, through an inverse-Hessian-vector product at a trained optimum.
 *
 * <h2>Sign and orientation convention (the one place it is defined)</h2>
 * For the objective J(theta) = (1/n) sum_i L(t_i, Phi(x_i; theta)) + (l2/2) ||theta||^2 at its optimum theta^s,
 * removing training point i moves the parameters by about (1/n) A^{-1} grad L_i with A = H + damping I (or the
 * Gauss-Newton G + damping I), and a test quantity f_t (the test loss, a logit or a margin) by about
 *
 * <pre>  I(t, i) = (1/n) grad f_t(theta^s)^T (H + damping I)^{-1} grad L_i(theta^s)     (Bae et al. eq. 5)</pre>
 *
 * A score matrix has <b>rows = test points, columns = training points</b>, entry (t, i) = I(t, i) = the predicted
 * value of f_t(theta_{-i}) - f_t(theta^s). For f = the test loss, a <b>positive</b> score means removing i would
 * <b>raise</b> the test loss: i is <b>helpful</b> (proponent); a negative score marks a <b>harmful</b> point
 * (opponent). Self-influence is the diagonal case, I(i, i) = (1/n) grad L_i^T A^{-1} grad L_i &gt;= 0 for positive
 * definite A (the predicted rise of a point's own loss when it is left out; SPEC section 4's self-influence
 * without the 1/n, which does not change rankings).
 *
 * <p>Computation: the s_test trick (eq. 53): s_t = A^{-1} grad f_t is solved once per test point, batched over
 * test points, then I = (1/n) S G^T is one BLAS product per block of training points, with G the per-example
 * gradients streamed in blocks so n never has to fit in memory as an n x P matrix.
 */
package org.exemplar.influence;
