package org.exemplar.influence;

import java.util.Map;
import java.util.Objects;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.solver.BatchSolveResult;
import org.exemplar.solver.InverseHessianSolver;

/**
 * Influence functions of a trained model (Bae et al. 2022, eq. 5; Koh &amp; Liang 2017): scores
 * I(t, i) = (1/n) grad f_t^T (C + damping I)^{-1} grad L_i with the sign and orientation of the package
 * documentation, by the s_test trick (eq. 53).
 *
 * <p>{@link #prepare} binds a model, its training objective, the curvature and an {@link InverseHessianSolver}
 * (factorizing or building a basis once); {@link #scores} and {@link #selfInfluence} then stream test batches and
 * training blocks. The model should sit at a (tight) optimum of the training objective: influence functions are
 * derived for a stationary point; {@code gradientNormAtModel()} tells how close it is.
 */
public final class InfluenceFunctions {
    private final DifferentiableModel model;
    private final TrainingData train;
    private final InfluenceOptions options;
    private final InverseHessianSolver solver;
    private final ModelCurvature curvature;
    private final InverseHessianSolver.Prepared prepared;
    private final double prepareSeconds;

    private InfluenceFunctions(DifferentiableModel model, TrainingData train, InfluenceOptions options,
                               InverseHessianSolver solver, ModelCurvature curvature,
                               InverseHessianSolver.Prepared prepared, double prepareSeconds) {
        this.model = model;
        this.train = train;
        this.options = options;
        this.solver = solver;
        this.curvature = curvature;
        this.prepared = prepared;
        this.prepareSeconds = prepareSeconds;
    }

    /**
     * Binds the model (copied) and prepares the solver on A = C + damping I.
     *
     * @throws ArithmeticException when the solver cannot invert A (see the solver)
     */
    public static InfluenceFunctions prepare(DifferentiableModel model, TrainingData train, InfluenceOptions options,
                                             InverseHessianSolver solver) {
        Objects.requireNonNull(solver, "solver");
        DifferentiableModel m = model.copy();
        ModelCurvature a = new ModelCurvature(m, train, options.curvature(), options.damping());
        long t0 = System.nanoTime();
        InverseHessianSolver.Prepared p = solver.prepare(a);
        return new InfluenceFunctions(m, train, options, solver, a, p, (System.nanoTime() - t0) / 1e9);
    }

    public ModelCurvature curvature() {
        return curvature;
    }

    public InfluenceOptions options() {
        return options;
    }

    public InverseHessianSolver solver() {
        return solver;
    }

    /** Seconds spent preparing the solver (factorization, Krylov basis). */
    public double prepareSeconds() {
        return prepareSeconds;
    }

    /** What the solver learned while preparing (eigenvalues, log-determinant). */
    public Map<String, Object> solverDiagnostics() {
        return prepared.diagnostics();
    }

    /** ||grad J(theta)|| at the bound parameters (0 at an exact optimum). */
    public double gradientNormAtModel() {
        return org.exemplar.linalg.Vectors.norm2(model.gradient(train.features(), train.targets(), train.loss(),
                train.l2()));
    }

    /** s_t = (C + damping I)^{-1} grad f_t for the given test rows (rows of the result = test rows). */
    public BatchSolveResult sTest(DenseMatrix testX, DenseMatrix testTargets, TestFunction f) {
        checkTest(testX, testTargets);
        return prepared.solve(f.gradients(model, testX, testTargets, train.loss()));
    }

    /**
     * The full score matrix (n_test x n_train), test points solved in batches of {@code testBatchSize}, training
     * gradients streamed in blocks of {@code trainBlockRows}, scores written by BLAS: block = (1/n) S_t G_i^T.
     */
    public InfluenceScores scores(DenseMatrix testX, DenseMatrix testTargets, TestFunction f,
                                  ProgressListener progress) {
        checkTest(testX, testTargets);
        ProgressListener pl = progress == null ? ProgressListener.NONE : progress;
        int nt = testX.rows();
        int n = train.size();
        int p = model.parameterCount();
        DenseMatrix out = new DenseMatrix(nt, n);
        SolveStats.Builder stats = new SolveStats.Builder(nt);
        for (int t0 = 0; t0 < nt; t0 += options.testBatchSize()) {
            int t1 = Math.min(nt, t0 + options.testBatchSize());
            BatchSolveResult s = prepared.solve(f.gradients(model, testX.rowRange(t0, t1),
                    testTargets.rowRange(t0, t1), train.loss()));
            stats.add(t0, s);
            for (int i0 = 0; i0 < n; i0 += options.trainBlockRows()) {
                int i1 = Math.min(n, i0 + options.trainBlockRows());
                DenseMatrix g = trainGradients(i0, i1);
                Blas.gemm(Transpose.NO, Transpose.YES, t1 - t0, i1 - i0, p, 1.0 / n, s.solutions().data(), 0, p,
                        g.data(), 0, p, 0.0, out.data(), t0 * n + i0, n);
            }
            pl.progress(t1, nt);
        }
        return new InfluenceScores(out, f.name(), stats.build());
    }

    /** Self-influence of every training point: one inverse-Hessian-vector product per training point. */
    public SelfInfluence selfInfluence(ProgressListener progress) {
        ProgressListener pl = progress == null ? ProgressListener.NONE : progress;
        int n = train.size();
        int p = model.parameterCount();
        double[] out = new double[n];
        SolveStats.Builder stats = new SolveStats.Builder(n);
        int block = Math.min(options.trainBlockRows(), options.testBatchSize());
        for (int i0 = 0; i0 < n; i0 += block) {
            int i1 = Math.min(n, i0 + block);
            DenseMatrix g = trainGradients(i0, i1);
            BatchSolveResult s = prepared.solve(g);
            stats.add(i0, s);
            for (int r = 0; r < i1 - i0; r++) {
                out[i0 + r] = org.exemplar.linalg.Vectors.dot(g.data(), r * p, s.solutions().data(), r * p, p) / n;
            }
            pl.progress(i1, n);
        }
        return new SelfInfluence(out, stats.build());
    }

    /**
     * Predicted parameter change when training point i is removed: (1/n) (C + damping I)^{-1} grad L_i
     * (Bae et al. eq. 4 with epsilon = -1/N).
     */
    public double[] parameterChange(int i) {
        DenseMatrix g = trainGradients(i, i + 1);
        double[] x = prepared.solve(g.row(0)).x();
        for (int k = 0; k < x.length; k++) {
            x[k] /= train.size();
        }
        return x;
    }

    private DenseMatrix trainGradients(int from, int to) {
        return model.perExampleGradients(train.features().rowRange(from, to), train.targets().rowRange(from, to),
                train.loss());
    }

    private void checkTest(DenseMatrix testX, DenseMatrix testTargets) {
        if (testX.cols() != model.inputWidth()) {
            throw new IllegalArgumentException("test features have " + testX.cols() + " columns but the model expects "
                    + model.inputWidth());
        }
        if (testTargets.rows() != testX.rows() || testTargets.cols() != model.outputWidth()) {
            throw new IllegalArgumentException("test targets have shape " + testTargets.shapeString() + ", expected ("
                    + testX.rows() + ", " + model.outputWidth() + ")");
        }
    }
}
