package org.exemplar.model;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * A model Phi(x; theta) in R^c with a flat parameter vector theta in R^P and exact first and second derivatives
 * of the regularized objective
 *
 * <pre>  J(theta) = (1/n) sum_i L(t_i, Phi(x_i; theta)) + (l2/2) ||theta||^2   (every parameter, biases included)</pre>
 *
 * <p>This is the role influence functions need (Bae et al. 2022, eq. 5): gradients per training point, and
 * products with the Hessian H = d^2 J / d theta^2 or the generalized Gauss-Newton matrix
 * G = (1/n) sum_i J_i^T H_y,i J_i + l2 I (eq. 11-12). {@link Mlp} implements it; an MLP with no hidden layer
 * (widths [d, c]) is a linear model with bias (see {@link LinearModels}).
 */
public interface DifferentiableModel {
    /** P, the length of the flat parameter vector. */
    int parameterCount();

    /** A copy of theta. */
    double[] parameters();

    /** Overwrites theta (length P). */
    void setParameters(double[] theta);

    /** An independent deep copy. */
    DifferentiableModel copy();

    /** d, the input width. */
    int inputWidth();

    /** c, the number of outputs Phi. */
    int outputWidth();

    /** Phi(x) for every row of x, shape (n, c). */
    DenseMatrix logits(DenseMatrix x);

    /** The mean data loss (1/n) sum_i L(t_i, Phi(x_i)), without the regularizer. */
    double meanLoss(DenseMatrix x, DenseMatrix targets, Loss loss);

    /** J(theta) (see the class comment). */
    double objective(DenseMatrix x, DenseMatrix targets, Loss loss, double l2);

    /** grad J(theta). */
    double[] gradient(DenseMatrix x, DenseMatrix targets, Loss loss, double l2);

    /** Row i: grad_theta L(t_i, Phi(x_i)), no regularizer and no 1/n; shape (n, P). */
    DenseMatrix perExampleGradients(DenseMatrix x, DenseMatrix targets, Loss loss);

    /** sum_i J_i^T u_i with J_i = dPhi(x_i)/dtheta and u_i row i of the (n, c) cotangent. */
    double[] parameterVjp(DenseMatrix x, DenseMatrix outputCotangent);

    /** Row i: J_i v, shape (n, c). */
    DenseMatrix parameterJvp(DenseMatrix x, double[] v);

    /** H v with H the exact Hessian of J (includes l2 v). */
    double[] hessianVectorProduct(DenseMatrix x, DenseMatrix targets, Loss loss, double l2, double[] v);

    /** G v with G the generalized Gauss-Newton matrix of J (includes l2 v). */
    double[] gaussNewtonVectorProduct(DenseMatrix x, DenseMatrix targets, Loss loss, double l2, double[] v);

    /** H v or G v, as {@code curvature} says. */
    default double[] curvatureVectorProduct(Curvature curvature, DenseMatrix x, DenseMatrix targets, Loss loss,
                                            double l2, double[] v) {
        return switch (curvature) {
            case HESSIAN -> hessianVectorProduct(x, targets, loss, l2, v);
            case GAUSS_NEWTON -> gaussNewtonVectorProduct(x, targets, loss, l2, v);
        };
    }
}
