/**
 * Kronecker-factored curvature of dense networks: K-FAC (Martens &amp; Grosse 2015) and its eigenvalue-corrected
 * variant EK-FAC (George et al. 2018; Grosse et al. 2023, "Studying large language model generalization with
 * influence functions", eq. 18-20), fitted on the built-in {@link org.exemplar.model.Mlp} (a linear or softmax
 * model is an Mlp without hidden layers), and the influence scores computed from them.
 *
 * <p>Per dense layer k with homogeneous input a~ = [a; 1] (the bias as a ones column) and pre-activation gradient
 * g = dL/dz, the layer's Fisher block E[(g g^T) (x) (a~ a~^T)] is approximated by S_k (x) A_k with
 * A_k = E[a~ a~^T] and S_k = E[g g^T], accumulated in one pass over the data; EK-FAC replaces the eigenvalues
 * lambda_S lambda_A of S (x) A by the second moments of the per-example gradients in the Kronecker eigenbasis
 * (a second pass). {@link org.exemplar.curvature.KroneckerFactors} holds the factors (saveable, keyed, with
 * provenance, kronfluence's habit), {@link org.exemplar.curvature.KfacInfluence} the scores.
 */
package org.exemplar.curvature;
