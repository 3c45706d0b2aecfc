package org.exemplar.solver;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * An inverse-Hessian solver chosen by name with its settings, as a user gives them (the {@code influence} command's
 * {@code --solver exact|cg|lissa|arnoldi} and its options), and how it is built: LiSSA without a given scale takes
 * sigma = 1.5 x the largest eigenvalue of A = C + damping I from 50 power iterations (so that every eigenvalue of
 * A / sigma lies in (0, 2/3], where the Neumann series of LiSSA converges; Agarwal et al. 2017).
 *
 * @param name              exact | cg | lissa | arnoldi
 * @param cgTolerance       CG: stop at ||r|| &lt;= tol ||b||
 * @param cgMaxIterations   CG iteration cap
 * @param lissaDepth        LiSSA recursion depth T
 * @param lissaRepeats      LiSSA repeats R averaged
 * @param lissaScale        LiSSA scale sigma, or null for the automatic one
 * @param lissaBatchSize    LiSSA mini-batch size
 * @param lissaTolerance    LiSSA: largest true relative residual that counts as converged
 * @param arnoldiIterations Arnoldi Krylov dimension
 * @param arnoldiTopK       Arnoldi eigenpairs kept
 * @param seed              seed of LiSSA's batches, the power iteration and the Arnoldi start
 */
public record SolverSpec(String name, double cgTolerance, int cgMaxIterations, int lissaDepth, int lissaRepeats,
                         Double lissaScale, int lissaBatchSize, double lissaTolerance, int arnoldiIterations,
                         int arnoldiTopK, long seed) {
    /** Power iterations behind the automatic LiSSA scale. */
    public static final int SCALE_POWER_ITERATIONS = 50;

    public SolverSpec {
        name = name == null ? "" : name.toLowerCase(Locale.ROOT).trim();
        if (!name.equals("exact") && !name.equals("cg") && !name.equals("lissa") && !name.equals("arnoldi")) {
            throw new IllegalArgumentException("--solver must be exact, cg, lissa or arnoldi, got " + name);
        }
    }

    /**
     * LiSSA's automatic scale, the one place it is computed: sigma = 1.5 x the largest eigenvalue of {@code a} from
     * {@value #SCALE_POWER_ITERATIONS} power iterations started from {@code seed}, so that every eigenvalue of
     * A / sigma lies in (0, 2/3] and the Neumann series of LiSSA converges (Agarwal et al. 2017, Sec. 4).
     *
     * @param remedy what the user can do when no scale converges (appended to the message)
     * @throws ArithmeticException when the estimate of the largest eigenvalue is not positive (A is not positive
     *                             definite: no sigma makes LiSSA converge)
     */
    public static double automaticLissaScale(CurvatureOperator a, long seed, String remedy) {
        double mu = Lissa.largestEigenvalue(a, SCALE_POWER_ITERATIONS, seed);
        if (!(mu > 0)) {
            throw new ArithmeticException("the curvature + damping I has a non-positive largest eigenvalue estimate "
                    + mu + "; no LiSSA scale converges: " + remedy);
        }
        return 1.5 * mu;
    }

    /**
     * What a user can change when a solve of this solver does not converge, for the message of a
     * {@link FailFastSolver}: the solver's own budget options, or the damping.
     *
     * @param indefiniteCurvature true when the curvature can be indefinite (the full Hessian of a network): then
     *                            Gauss-Newton is suggested as well
     */
    public String nonConvergenceAdvice(boolean indefiniteCurvature) {
        String advice = switch (name) {
            case "cg" -> "Raise --cg-max-iterations or --damping";
            case "lissa" -> "Raise --lissa-depth, --lissa-repeats or --lissa-batch-size, or loosen --lissa-tolerance";
            default -> "Raise --damping";
        };
        return indefiniteCurvature ? advice + ", use --hessian gauss-newton" : advice;
    }

    /**
     * The solver wrapped so that the first batch with a solve that does not converge stops the run with
     * {@link #nonConvergenceAdvice}.
     */
    public FailFastSolver failFast(InverseHessianSolver solver, boolean indefiniteCurvature) {
        return new FailFastSolver(solver, nonConvergenceAdvice(indefiniteCurvature));
    }

    /**
     * A built solver and the LiSSA scale it was given automatically (null when the user gave one or the solver is
     * not LiSSA).
     */
    public record Built(InverseHessianSolver solver, Double automaticLissaScale) {
    }

    /**
     * Builds the solver; {@code operator} (A = C + damping I) is asked for only when LiSSA needs its automatic scale.
     *
     * @throws ArithmeticException when the automatic scale meets a non-positive largest eigenvalue (no sigma makes
     *                             LiSSA converge); the message names the remedies
     */
    public Built build(Supplier<? extends CurvatureOperator> operator) {
        return switch (name) {
            case "exact" -> new Built(new ExactSolver(), null);
            case "cg" -> new Built(new ConjugateGradientSolver(cgTolerance, cgMaxIterations), null);
            case "arnoldi" -> new Built(new Arnoldi(new ArnoldiOptions(arnoldiIterations, arnoldiTopK, seed)), null);
            default -> {
                Double auto = null;
                double sigma;
                if (lissaScale != null) {
                    sigma = lissaScale;
                } else {
                    sigma = automaticLissaScale(operator.get(), seed,
                            "increase --damping or use --hessian gauss-newton");
                    auto = sigma;
                }
                yield new Built(new Lissa(new LissaOptions(lissaDepth, lissaRepeats, sigma, lissaBatchSize, seed,
                        lissaTolerance)), auto);
            }
        };
    }
}
