/**
 * Influence functions through the neural tangent kernel (Zhang &amp; Zhang, "Rethinking Influence Functions of
 * Neural Networks in the Over-parameterized Regime", AAAI 2022; SPEC.md section 3).
 *
 * <p>The pieces, from the bottom up:
 * <ul>
 *   <li>{@link org.exemplar.ntk.NtkKernel}: the closed-form NTK of a two-layer ReLU network (eq. 4);</li>
 *   <li>{@link org.exemplar.ntk.UnitSphere} and {@link org.exemplar.ntk.TargetScaling}: the reversible input and
 *       target normalizations the theory assumes (||x|| = 1, |y| &lt;= 1);</li>
 *   <li>{@link org.exemplar.ntk.NtkInfluence}: kernel ridge regression (eq. 6) and the exact leave-one-out
 *       influence of every training point on every test point (eq. 7-9), its IHVP approximation (eq. 13), the
 *       decomposition of Prop. 2 and the Theorem 3 bound;</li>
 *   <li>{@link org.exemplar.ntk.Complexity}: the complexity C(X_I) of eq. (19) for groups of training points;</li>
 *   <li>{@link org.exemplar.ntk.NtkDynamics}: predictions and influence along gradient flow, and the label-noise
 *       study of Fig. 7;</li>
 *   <li>{@link org.exemplar.ntk.TwoLayerReluNetwork}, {@link org.exemplar.ntk.ReluNetworkTrainer} and
 *       {@link org.exemplar.ntk.RetrainingValidation}: the real finite-width network of eq. (1)-(2) and the
 *       Table 1 comparison of predicted influence with leave-one-out retraining.</li>
 * </ul>
 *
 * <p>Score convention, shared by every matrix here: rows are test points, columns are training points, and
 * entry (t, i) = I(x_i, x_t) = 1/2 (f^{\i}(x_t) - y_t)^2 - 1/2 (f(x_t) - y_t)^2, the change of the test loss when
 * training point i is removed. Positive = the point helps that prediction (removing it hurts); negative =
 * harmful. Influence is in the squared-loss units of the (scaled) targets the model was fit on.
 */
package org.exemplar.ntk;
