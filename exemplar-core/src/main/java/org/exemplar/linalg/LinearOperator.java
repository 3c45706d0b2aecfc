package org.exemplar.linalg;

/** A linear map y = A x on R^dim given by its action (a Hessian, a Gauss-Newton matrix, H + damping I). */
public interface LinearOperator {
    int dim();

    /** Writes A x into y (x and y never alias). */
    void apply(double[] x, double[] y);

    static LinearOperator of(DenseMatrix a) {
        if (a.rows() != a.cols()) {
            throw new IllegalArgumentException("operator needs a square matrix, got " + a.shapeString());
        }
        return new LinearOperator() {
            @Override
            public int dim() {
                return a.rows();
            }

            @Override
            public void apply(double[] x, double[] y) {
                Blas.gemv(Transpose.NO, 1.0, a, x, 0.0, y);
            }
        };
    }
}
