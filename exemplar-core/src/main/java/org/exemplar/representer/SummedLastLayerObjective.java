package org.exemplar.representer;

import org.exemplar.solver.TwiceDifferentiableFunction;

/**
 * Eq. (3) of Yeh et al. 2018, J(Theta) = (1/n) sum_i L(t_i, Theta f_i) + lambda ||Theta||_F^2, evaluated from data
 * terms that someone else sums over the blocks of a training set ({@link LastLayerObjective#dataTerm} and
 * {@link LastLayerObjective#hessianDataTerm} per block): a distributed engine sums them over its partitions (one
 * aggregation per evaluation) and hands this objective to {@link LastLayerFitter#fit(TwiceDifferentiableFunction,
 * int, int, org.exemplar.linalg.DenseMatrix, org.exemplar.solver.IterationListener)}.
 */
public final class SummedLastLayerObjective implements TwiceDifferentiableFunction {
    /** Sums of the data terms over all training points. */
    public interface DataTerms {
        /** Returns sum_i L_i at theta and writes sum_i G_i^T f_i into gradSum (c x p). */
        double lossAndGradientSums(double[] theta, double[] gradSum);

        /** Writes sum_i R_i^T f_i (the Hessian data term applied to v) into out. */
        void hessianSums(double[] theta, double[] v, double[] out);
    }

    private final int dim;
    private final long n;
    private final double lambda;
    private final DataTerms terms;

    /**
     * @param c      outputs
     * @param p      feature width
     * @param n      number of training points the sums run over
     * @param lambda the L2 strength of eq. (3) (lambda ||Theta||^2, not lambda/2)
     */
    public SummedLastLayerObjective(int c, int p, long n, double lambda, DataTerms terms) {
        if (n < 1) {
            throw new IllegalArgumentException("the training set is empty");
        }
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda must be > 0 (the representer theorem divides by it), got "
                    + lambda);
        }
        this.dim = c * p;
        this.n = n;
        this.lambda = lambda;
        this.terms = java.util.Objects.requireNonNull(terms, "data terms");
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public double valueAndGradient(double[] theta, double[] grad) {
        double[] sum = new double[dim];
        double lossSum = terms.lossAndGradientSums(theta, sum);
        return LastLayerObjective.fromDataTerm(lossSum, sum, n, lambda, theta, grad);
    }

    @Override
    public void hessianVector(double[] theta, double[] v, double[] out) {
        double[] sum = new double[dim];
        terms.hessianSums(theta, v, sum);
        LastLayerObjective.fromHessianDataTerm(sum, n, lambda, v, out);
    }
}
