package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.exemplar.eval.Agreement;
import org.exemplar.eval.LeaveOneOut;
import org.exemplar.eval.LooResult;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.InfluenceResult;
import org.exemplar.influence.InfluenceScores;
import org.exemplar.influence.LabelTargets;
import org.exemplar.influence.ModelAtOptimum;
import org.exemplar.influence.ModelCurvature;
import org.exemplar.influence.SelfInfluence;
import org.exemplar.influence.SolveStats;
import org.exemplar.influence.TestFunction;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Curvature;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.Mlp;
import org.exemplar.model.TightTrainingOptions;
import org.exemplar.solver.Arnoldi;
import org.exemplar.solver.FailFastSolver;
import org.exemplar.solver.InverseHessianSolver;
import org.exemplar.solver.SolverSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar influence}: influence functions with leave-one-out ground truth (Bae et al. 2022). */
@Command(name = "influence", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Influence functions (Koh & Liang 2017; Bae et al. 2022): the predicted change of each test loss "
                + "(or margin / logit) when each training point is removed,",
            "  I(t, i) = (1/n) grad f_t^T (H + damping I)^{-1} grad L_i   at the trained optimum of",
            "  J(theta) = (1/n) sum_i L(y_i, Phi(x_i)) + (l2/2) ||theta||^2   (every parameter, bias included).",
            "Positive = removing i raises f_t (i helps the test point); negative = i is harmful.",
            "Linear models (logistic: one sigmoid output, labels {0,1} or {-1,+1} with -1 mapped to 0; softmax: "
                + "labels in [0, c); linear: real targets, squared loss 1/2 ||Phi - y||^2) are trained here to "
                + "||grad J|| <= --tolerance * max(1, ||grad J(0)||); an MLP file (mlp:PATH, from `exemplar mlp`) "
                + "is used at its saved parameters.",
            "Writes DIR/influence.npy (n_test x n_train, float64), DIR/self_influence.npy (n_train), "
                + "DIR/theta.npy (linear models: c x (d+1), bias last), DIR/loo.npy (len(--loo-indices) x n_test, "
                + "actual changes) with --loo-indices, DIR/topk.csv and DIR/summary.json."})
final class InfluenceCommand extends OutputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    InfluenceInputs inputs = new InfluenceInputs();

    @Option(names = "--l2", defaultValue = "0.01", description = "L2 strength of J on every parameter (default ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--damping", defaultValue = "0.001", description = "Damping lambda added to the curvature (default ${DEFAULT-VALUE}).")
    double damping;

    @Option(names = "--hessian", defaultValue = "full", description = "full | gauss-newton (default ${DEFAULT-VALUE}).")
    String hessian;

    @Option(names = "--solver", defaultValue = "exact", description = "exact | cg | lissa | arnoldi (default ${DEFAULT-VALUE}).")
    String solverName;

    @CommandLine.Mixin
    SolverOptions solverOptions = new SolverOptions(5000);

    @Option(names = "--arnoldi-iterations", defaultValue = "100", description = "Arnoldi Krylov dimension (default ${DEFAULT-VALUE}).")
    int arnoldiIterations;

    @Option(names = "--arnoldi-top-k", defaultValue = "50", description = "Arnoldi eigenpairs kept (default ${DEFAULT-VALUE}).")
    int arnoldiTopK;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of LiSSA batches, the Arnoldi start and cold-start initialization (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--measure", defaultValue = "loss",
            description = "What is measured at a test point: loss | margin | logit:J (default ${DEFAULT-VALUE}).")
    String measure;

    @CommandLine.Mixin
    LooSelection looSelection = new LooSelection();

    @Option(names = "--tolerance", defaultValue = "1e-10", description = "Training and LOO stopping rule on the relative gradient norm (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--max-iterations", defaultValue = "5000", description = "L-BFGS iteration cap per fit (default ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--top-k", defaultValue = "10", description = "Helpful and harmful training points per test point in topk.csv (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--skip-self-influence", description = "Do not compute self_influence.npy (one inverse-HVP per training point).")
    boolean skipSelf;

    @Option(names = "--test-batch-size", defaultValue = "256", description = "Test points solved together (default ${DEFAULT-VALUE}; results do not depend on it).")
    int testBatchSize;

    @Option(names = "--train-block-rows", defaultValue = "1024", description = "Training gradients held at once (default ${DEFAULT-VALUE}).")
    int trainBlockRows;

    @Option(names = "--last-layer-weights", paramLabel = "W.npy",
            description = "logistic/softmax/linear: use these parameters instead of training, shape (c, d+1) = the "
                    + "weight with the bias as last column (like theta.npy and PyTorch's [fc.weight, fc.bias]); give "
                    + "features WITHOUT a ones column. The gradient norm there is reported.")
    Path lastLayerWeights;

    @Option(names = "--fine-tune", description = "With --last-layer-weights: start the training from them instead of "
            + "using them as given.")
    boolean fineTune;

    @Option(names = "--allow-unconverged", description = "Write results even when training or a solver stops above its tolerance (reported); otherwise exit 3.")
    boolean allowUnconverged;

    @CommandLine.Mixin
    AttributionFilesOptions attributionFiles = new AttributionFilesOptions();


    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        if (!quiet) {
            log.println(Blas.backendNotice());
        }
        long tStart = System.nanoTime();
        Curvature curvature = Curvature.parse(hessian);
        TestFunction testFunction = TestFunction.parse(measure);
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        TightTrainingOptions training = new TightTrainingOptions(tolerance, maxIterations, 100);
        SolverOptions so = solverOptions;
        SolverSpec solverSpec = new SolverSpec(solverName, so.cgTolerance, so.cgMaxIterations, so.lissaDepth,
                so.lissaRepeats, so.lissaScale, so.lissaBatchSize, so.lissaTolerance, arnoldiIterations, arnoldiTopK, seed);
        InfluenceOptions options = new InfluenceOptions(curvature, damping, testBatchSize, trainBlockRows);

        InfluenceInputs.Read in = inputs.read(l2);
        DenseMatrix x = in.x();
        DenseMatrix xt = in.xt();
        Mlp mlp = in.mlp();
        LabelTargets test = in.test();
        TrainingData data = in.data();

        boolean showProgress = Progress.defaultEnabled(progress, quiet);
        ModelAtOptimum at = InfluenceModelStep.setUp(this, in, training, curvature, showProgress, log);
        DifferentiableModel trained = at.trained();

        // ---- solver (the spec was checked before training)
        SolverSpec.Built built = solverSpec.build(() -> new ModelCurvature(trained, data, curvature, damping));
        InverseHessianSolver solver = built.solver();
        Double autoScale = built.automaticLissaScale();
        FailFastSolver failFast = null;
        if (!allowUnconverged) {
            failFast = solverSpec.failFast(solver, curvature == Curvature.HESSIAN && mlp != null);
            solver = failFast;
        }
        int[] looIdx = looSelection.indices(x.rows());

        long t1 = System.nanoTime();
        InfluenceFunctions inf = InfluenceFunctions.prepare(trained, data, options, solver);
        InfluenceScores scores;
        try (Progress bar = Progress.start(showProgress, "influence", xt.rows(), "test points")) {
            scores = inf.scores(xt, test.targets(), testFunction, (d, t) -> bar.stepTo(d));
        }
        double secondsScores = (System.nanoTime() - t1) / 1e9;
        requireSolved("s_test", scores.solves());
        SelfInfluence self = null;
        long t2 = System.nanoTime();
        if (!skipSelf) {
            if (failFast != null) {
                failFast.phase("self-influence");
            }
            try (Progress bar = Progress.start(showProgress, "self-influence", x.rows(), "train points")) {
                self = inf.selfInfluence((d, t) -> bar.stepTo(d));
            }
            requireSolved("self-influence", self.solves());
        }
        double secondsSelf = (System.nanoTime() - t2) / 1e9;
        if (!quiet) {
            log.printf("influence: %s solver, max relative residual %.3e, %.2f s (prepare %.2f s); self-influence %.2f s%n",
                    solver.name(), scores.solves().maxRelativeResidual(), secondsScores, inf.prepareSeconds(), secondsSelf);
        }

        LooResult loo = null;
        Agreement agreement = null;
        if (looIdx != null) {
            try (Progress bar = Progress.start(showProgress, "leave-one-out", looIdx.length, "retrainings")) {
                loo = LeaveOneOut.run(trained, at.initial(), data, at.gradientScale(), looIdx, xt, test.targets(), testFunction,
                        looSelection.options(training));
                bar.stepTo(looIdx.length);
            }
            agreement = LeaveOneOut.compare(scores.scores(), loo);
            if (!quiet) {
                log.printf("leave-one-out: %d retrainings, Pearson %.6f, Spearman %.6f, %.2f s%n", looIdx.length,
                        agreement.pearson(), agreement.spearman(), loo.seconds());
            }
            if (!loo.allConverged() && !allowUnconverged) {
                throw new NotConvergedException("a leave-one-out retraining stopped above the tolerance (largest "
                        + "gradient norm " + loo.maxGradientNorm() + "); raise --max-iterations or pass --allow-unconverged");
            }
        }

        InfluenceOutputs.write(this, new InfluenceOutputs.Run(in, curvature, solver, autoScale, testFunction, looIdx,
                new InfluenceResult(at, inf, scores, self, secondsScores, secondsSelf), loo, agreement, tStart), log);
        return 0;
    }

    private void requireSolved(String what, SolveStats s) {
        if (!s.allConverged() && !allowUnconverged) {
            throw new NotConvergedException(what + ": " + s.notConvergedCount() + " inverse-Hessian solve(s) did not "
                    + "converge (largest relative residual " + s.maxRelativeResidual() + "; " + String.join("; ", s.notes())
                    + "); change the solver settings or pass --allow-unconverged");
        }
    }
}
