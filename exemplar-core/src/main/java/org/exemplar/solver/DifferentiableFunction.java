package org.exemplar.solver;

/** A smooth objective on R^dim. */
public interface DifferentiableFunction {
    int dim();

    /** Writes the gradient at x into {@code grad} and returns the value. */
    double valueAndGradient(double[] x, double[] grad);
}
