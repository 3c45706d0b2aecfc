/**
 * Losses on a model's output Phi: value, gradient, output-space Hessian-vector products, targets from labels
 * or from a given model's logits (the "suitable" losses of Yeh et al. 2018).
 */
package org.exemplar.loss;
