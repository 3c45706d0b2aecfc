package org.exemplar.spark;

import java.io.Serializable;
import org.exemplar.cf.CfDeletion;
import org.exemplar.cf.CfDeletionSetup;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.SoftImpute;
import org.exemplar.eval.DeletionTarget;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.model.SparseFit;
import org.exemplar.model.SparseLogisticDeletionTarget;
import org.exemplar.model.SparseLogisticRegression;

/**
 * A model that case-deletion diagnostics retrain, as plain serializable data (training set, test points, settings,
 * the full-data fit) that Spark broadcasts once to every executor; each executor rebuilds core's
 * {@link DeletionTarget} from it once ({@link #target()}) and its tasks call that target's retraining. Nothing
 * here retrains by itself: the targets are {@link SparseLogisticDeletionTarget} and {@link CfDeletion}.
 */
public abstract class DeletionSpec implements Serializable {
    private static final long serialVersionUID = 1L;
    private transient volatile DeletionTarget target;

    /** Core's target for this model (built on first use, then shared by the executor's tasks; thread-safe). */
    public final DeletionTarget target() {
        DeletionTarget t = target;
        if (t == null) {
            synchronized (this) {
                t = target;
                if (t == null) {
                    t = build();
                    target = t;
                }
            }
        }
        return t;
    }

    /** A short name of the model for the provenance. */
    public abstract String model();

    protected abstract DeletionTarget build();

    /** The CSR arrays of a sparse matrix. */
    record Csr(int rows, int cols, int[] indptr, int[] indices, double[] values) implements Serializable {
        static Csr of(CsrMatrix m) {
            return new Csr(m.rows(), m.cols(), m.indptr().clone(), m.indices().clone(), m.values().clone());
        }

        CsrMatrix matrix() {
            return new CsrMatrix(rows, cols, indptr, indices, values);
        }
    }

    /**
     * L1 (or L2) logistic regression on sparse rows ({@link SparseLogisticDeletionTarget}): retrained with the same
     * lambda, bias setting, tolerance and iteration cap, warm-started from the full-data fit.
     */
    public static DeletionSpec sparseLogistic(CsrMatrix x, double[] y, CsrMatrix test, SparseLogisticRegression trainer,
                                              SparseFit fit) {
        return new SparseLogistic(Csr.of(x), y.clone(), Csr.of(test), trainer.penalty(), trainer.lambda(),
                trainer.fitBias(), trainer.tolerance(), trainer.maxIterations(), fit.theta().clone(), fit.bias(), fit.hasBias());
    }

    private static final class SparseLogistic extends DeletionSpec {
        private static final long serialVersionUID = 1L;
        private final Csr x;
        private final double[] y;
        private final Csr test;
        private final SparseLogisticRegression.Penalty penalty;
        private final double lambda;
        private final boolean bias;
        private final double tolerance;
        private final int maxIterations;
        private final double[] theta;
        private final double b;
        private final boolean hasBias;

        SparseLogistic(Csr x, double[] y, Csr test, SparseLogisticRegression.Penalty penalty, double lambda,
                       boolean bias, double tolerance, int maxIterations, double[] theta, double b, boolean hasBias) {
            this.x = x;
            this.y = y;
            this.test = test;
            this.penalty = penalty;
            this.lambda = lambda;
            this.bias = bias;
            this.tolerance = tolerance;
            this.maxIterations = maxIterations;
            this.theta = theta;
            this.b = b;
            this.hasBias = hasBias;
        }

        @Override
        public String model() {
            return penalty + " logistic regression (lambda " + lambda + ", bias " + bias + ")";
        }

        @Override
        protected DeletionTarget build() {
            SparseFit fit = new SparseFit(theta, b, hasBias, Double.NaN, Double.NaN, 0, 0, true, "full-data fit", 0);
            return new SparseLogisticDeletionTarget(x.matrix(), y, test.matrix(),
                    new SparseLogisticRegression(penalty, lambda, bias, tolerance, maxIterations), fit);
        }
    }

    /**
     * The model of a CF case-deletion setup (split, test pairs and settings from core's {@link CfDeletionSetup}):
     * {@link #matrixFactorization} for ALS/SGD, {@link #softImpute} for Soft-Impute; its target is
     * {@link CfFit#deletion} of the setup ({@link CfDeletionSetup#target}).
     */
    public static DeletionSpec cf(CfDeletionSetup s) {
        int[] u = s.pairs().users();
        int[] i = s.pairs().items();
        return s.algorithm() == CfFit.Algorithm.SOFT_IMPUTE ? softImpute(s.train(), s.softImpute(), u, i)
                : matrixFactorization(s.train(), s.mf(), s.algorithm().mf(), u, i);
    }

    /** Matrix factorization (eq. 16) retrained by core's {@link MfTrainer}: {@link CfDeletion#forMf}. */
    public static DeletionSpec matrixFactorization(Ratings train, MfOptions o, MfTrainer.Algorithm a, int[] users,
                                                   int[] items) {
        return new Cf(RatingsData.of(train), new MfData(o), a, null, users.clone(), items.clone());
    }

    /** The nuclear-norm model (eq. 12) retrained by Soft-Impute: {@link CfDeletion#forSoftImpute}. */
    public static DeletionSpec softImpute(Ratings train, SoftImpute.Options o, int[] users, int[] items) {
        return new Cf(RatingsData.of(train), null, null, new double[] {o.lambda(), o.maxRank(), o.maxIterations(),
            o.tolerance()}, users.clone(), items.clone());
    }

    record RatingsData(int numUsers, int numItems, int[] users, int[] items, double[] values) implements Serializable {
        static RatingsData of(Ratings r) {
            return new RatingsData(r.numUsers(), r.numItems(), r.users().clone(), r.items().clone(),
                    r.values().clone());
        }

        Ratings ratings() {
            return new Ratings(numUsers, numItems, users, items, values);
        }
    }

    record MfData(CfLoss loss, int rank, double reg, int epochs, double learningRate, int batchSize, double initScale,
                  double negativeWeight, long seed) implements Serializable {
        MfData(MfOptions o) {
            this(o.loss(), o.rank(), o.reg(), o.epochs(), o.learningRate(), o.batchSize(), o.initScale(),
                    o.negativeWeight(), o.seed());
        }

        MfOptions options() {
            return new MfOptions(loss, rank, reg, epochs, learningRate, batchSize, initScale, negativeWeight, seed);
        }
    }

    private static final class Cf extends DeletionSpec {
        private static final long serialVersionUID = 1L;
        private final RatingsData train;
        private final MfData mf;
        private final MfTrainer.Algorithm algorithm;
        private final double[] softImpute;
        private final int[] users;
        private final int[] items;

        Cf(RatingsData train, MfData mf, MfTrainer.Algorithm algorithm, double[] softImpute, int[] users,
           int[] items) {
            this.train = train;
            this.mf = mf;
            this.algorithm = algorithm;
            this.softImpute = softImpute;
            this.users = users;
            this.items = items;
        }

        @Override
        public String model() {
            return mf != null ? "matrix factorization (" + algorithm + ", rank " + mf.rank() + ")"
                    : "nuclear norm (Soft-Impute)";
        }

        @Override
        protected DeletionTarget build() {
            Ratings r = train.ratings();
            if (mf != null) {
                return CfDeletion.forMf(r, mf.options(), algorithm, users, items);
            }
            return CfDeletion.forSoftImpute(r, new SoftImpute.Options(softImpute[0], (int) softImpute[1],
                    (int) softImpute[2], softImpute[3]), users, items);
        }
    }
}
