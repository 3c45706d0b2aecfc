/**
 * Response functions and the five-gap decomposition of Bae et al. 2022 ("If influence functions are the answer,
 * then what is the question?", Sec. 4-6, App. B, E, F.2): what the parameters of a model trained by seeded
 * mini-batch SGD do when one training point (epsilon = 1/N) or a group of points is removed, answered six ways
 * (cold-start and warm-start retraining, the proximal response of eq. 7, the proximal Bregman response function
 * (PBRF) of eq. 8, its linearization of eq. 11, two-stage leave-one-out of App. F.2), next to the damped
 * Gauss-Newton influence estimate (eq. 6 / 49) of each inverse-Hessian solver.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link org.exemplar.response.BatchSchedule}: the recorded, seeded batch order, replayed exactly;</li>
 *   <li>{@link org.exemplar.response.ResponseObjective}: the objectives of Table 1 with full-batch value/gradient
 *   and mini-batch gradients (the PBRF's Bregman term through vector-Jacobian products, never forming J);</li>
 *   <li>{@link org.exemplar.response.ScheduledSgd}: plain SGD over a schedule (and L-BFGS for linear models);</li>
 *   <li>{@link org.exemplar.response.ResponseFunctions}: base training and the six responses for one removal;</li>
 *   <li>{@link org.exemplar.response.GaussNewtonInfluence}: the damped Gauss-Newton influence estimate from
 *   any {@link org.exemplar.solver.InverseHessianSolver};</li>
 *   <li>{@link org.exemplar.response.PbrfExperiment}: the protocol of App. E.2, the gaps of Table 5 and the
 *   correlations of Tables 2 / 6 / 8; {@link org.exemplar.response.PbrfSweep}: the ablations of Sec. 6.2.</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * The training objective is J(theta) = (1/N) sum_i L(t_i, f(theta, x_i)) + (l2/2) ||theta||^2 (every parameter,
 * biases included). Removing the set R with epsilon = 1/N per point means the objective
 * J(theta) - epsilon sum_{z in R} L_z(theta). Retraining responses (cold, warm, proximal, two-stage) realize it
 * by giving the removed points weight 0 in the mini-batches they fall in (each batch mean still divides by the
 * full batch size, so the expected step is exactly the gradient of that objective, and zero removal replays the
 * base training bit for bit). The Bregman responses (PBRF, linearized PBRF) carry the removal term
 * -epsilon sum_z grad L_z in every step, as eq. 8 / 11 write it as its own term. The weight decay is treated as
 * part of the loss (paper, Sec. 3): its Bregman divergence in parameter space is (l2/2) ||theta - theta^s||^2,
 * so the PBRF's Gauss-Newton matrix is the one {@link org.exemplar.influence.ModelCurvature} builds,
 * G = (1/N) sum_i J_i^T H_y,i J_i + l2 I.
 * <p>A parameter change is theta_response - theta^s; an output gap is mean_i ||f(theta_a, x_i) - f(theta_b, x_i)||_2
 * over the training inputs, with f the model's pre-activation outputs (logits); a test-loss change is
 * L_test(theta_response) - L_test(theta^s), and the influence prediction of it is grad L_test(theta^s)^T
 * delta_theta_influence (eq. 23).
 */
package org.exemplar.response;
