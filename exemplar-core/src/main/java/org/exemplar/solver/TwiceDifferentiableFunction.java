package org.exemplar.solver;

/** An objective that also offers exact Hessian-vector products. */
public interface TwiceDifferentiableFunction extends DifferentiableFunction {
    /** Writes H(x) v into {@code out}. */
    void hessianVector(double[] x, double[] v, double[] out);
}
