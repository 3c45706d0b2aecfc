/**
 * Differentiable models: a float64 multilayer perceptron ({@link org.exemplar.model.Mlp}) with batched
 * back-propagation, exact per-example gradients, input gradients, Hessian- and Gauss-Newton-vector products,
 * and a deterministic mini-batch trainer ({@link org.exemplar.model.MlpTrainer}, SGD with momentum or Adam).
 *
 * <p>Shapes follow PyTorch: rows are examples, a layer's weight is (out, in), and the flat parameter vector
 * lists W_0 row-major, b_0, W_1, b_1, ... The last hidden layer's activations are the model's
 * {@linkplain org.exemplar.model.Mlp#features features}, the representation that representer-point
 * explanations decompose the logits over.
 *
 * <p>{@code Mlp} is the public facade; its computations live in package-private classes named after their
 * concepts: {@code DenseLayer} (z = a W^T + b and its back-propagation products), {@code ParameterLayout} (the
 * flat order), {@code WeightInitialization} (He / Xavier), {@code ForwardPass}, {@code OutputLoss} (loss,
 * gradient and Hessian rows in output space), {@code Backpropagation}, {@code PerExampleGradients},
 * {@code RForwardPass} (Pearlmutter's R-pass, Jacobian-vector products) and {@code CurvatureVectorProducts}
 * (Hessian- and Gauss-Newton-vector products).
 */
package org.exemplar.model;
