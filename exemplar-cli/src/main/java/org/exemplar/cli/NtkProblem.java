package org.exemplar.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.DataException;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.NtkInfluence;
import org.exemplar.ntk.TargetScaling;

/** Loaded, checked and (optionally) normalized data. */
final class NtkProblem {
    final NtkInputs in;
    final DenseMatrix x;
    final double[] y;
    final DenseMatrix xt;
    final double[] yt;
    final TargetScaling scaling;
    final List<int[]> duplicates;

    NtkProblem(NtkInputs in, DenseMatrix x, double[] y, DenseMatrix xt, double[] yt, TargetScaling scaling,
            List<int[]> duplicates) {
        this.in = in;
        this.x = x;
        this.y = y;
        this.xt = xt;
        this.yt = yt;
        this.scaling = scaling;
        this.duplicates = duplicates;
    }

    NtkInfluence fit(DenseMatrix k, double lambda) {
        if (!duplicates.isEmpty() && lambda == 0) {
            int[] d = duplicates.get(0);
            throw new DataException(in.trainFeatures, "rows " + d[0] + " and " + d[1] + " are identical ("
                    + duplicates.size() + " duplicate row(s) in all), so K is singular and lambda = 0 has no "
                    + "leave-one-out solution; use --lambda > 0 or remove the duplicates");
        }
        try {
            return NtkInfluence.fit(k, y, lambda);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("K + lambda I is not numerically positive definite (" + e.getMessage()
                    + "; near-duplicate training inputs?): use a larger --lambda");
        }
    }

    Map<String, Object> summaryHead(String method) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", method);
        s.put("n_train", x.rows());
        s.put("n_test", xt.rows());
        s.put("input_dim", x.cols());
        s.put("target_scaling", scaling);
        s.put("target_scaling_note", "targets were mapped by y -> (y - center) / halfRange; influence values are in "
                + "scaled units (multiply by halfRange^2 for the original units)");
        s.put("duplicate_training_rows", duplicates);
        s.put("backend", Blas.backend().description());
        return s;
    }
}
