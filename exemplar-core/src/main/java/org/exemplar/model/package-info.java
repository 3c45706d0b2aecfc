/**
 * Differentiable models: a float64 multilayer perceptron ({@link org.exemplar.model.Mlp}) with batched
 * back-propagation, exact per-example gradients, input gradients, Hessian- and Gauss-Newton-vector products,
 * and a deterministic mini-batch trainer ({@link org.exemplar.model.MlpTrainer}, SGD with momentum or Adam).
 *
 * <p>Shapes follow PyTorch: rows are examples, a layer's weight is (out, in), and the flat parameter vector
 * lists W_0 row-major, b_0, W_1, b_1, ... The last hidden layer's activations are the model's
 * {@linkplain org.exemplar.model.Mlp#features features}, the representation that representer-point
 * explanations decompose the logits over.
 */
package org.exemplar.model;
