package org.exemplar.response;

import java.util.Locale;

import org.exemplar.solver.ConjugateGradientSolver;
import org.exemplar.solver.CurvatureOperator;
import org.exemplar.solver.ExactSolver;
import org.exemplar.solver.InverseHessianSolver;
import org.exemplar.solver.Lissa;
import org.exemplar.solver.LissaOptions;

/**
 * Which inverse-Hessian solver gives the influence estimate (Bae et al. 2022, App. D), with its settings.
 *
 * @param kind            exact, cg or lissa
 * @param cgTolerance     CG: stop at ||r|| &lt;= tol ||b||
 * @param cgMaxIterations CG iteration cap
 * @param lissaDepth      LiSSA recursion depth T (the paper: 5000)
 * @param lissaRepeats    LiSSA repeats R (the paper: 5)
 * @param lissaScale      LiSSA scale sigma; NaN = 1.5 x the largest eigenvalue of G + lambda I from 50 power
 *                        iterations (the paper tunes sigma in {10 .. 500} "so that the algorithm converges")
 * @param lissaBatchSize  LiSSA mini-batch size
 * @param seed            seed of LiSSA's mini-batches and of the power iteration
 * @param lissaTolerance  LiSSA: a solve whose true relative residual ends above it is reported as not converged
 *                        (truncated LiSSA, the paper's protocol, usually does: the solver gap measures its effect)
 */
public record SolverChoice(Kind kind, double cgTolerance, int cgMaxIterations, int lissaDepth, int lissaRepeats,
                           double lissaScale, int lissaBatchSize, long seed, double lissaTolerance) {

    /** With LiSSA's {@link LissaOptions#DEFAULT_TOLERANCE default residual tolerance}. */
    public SolverChoice(Kind kind, double cgTolerance, int cgMaxIterations, int lissaDepth, int lissaRepeats,
                        double lissaScale, int lissaBatchSize, long seed) {
        this(kind, cgTolerance, cgMaxIterations, lissaDepth, lissaRepeats, lissaScale, lissaBatchSize, seed,
                LissaOptions.DEFAULT_TOLERANCE);
    }

    /** The solver families. */
    public enum Kind {
        EXACT, CG, LISSA;

        public String externalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT).trim()) {
                case "exact" -> EXACT;
                case "cg" -> CG;
                case "lissa" -> LISSA;
                default -> throw new IllegalArgumentException("unknown solver '" + s + "' (expected exact, cg or lissa)");
            };
        }
    }

    public SolverChoice {
        if (kind == null) {
            throw new IllegalArgumentException("solver kind must be exact, cg or lissa, got null");
        }
        if (!(cgTolerance > 0) || cgMaxIterations < 1) {
            throw new IllegalArgumentException("CG needs tolerance > 0 and at least one iteration, got " + cgTolerance
                    + " / " + cgMaxIterations);
        }
        if (lissaDepth < 1 || lissaRepeats < 1 || lissaBatchSize < 1) {
            throw new IllegalArgumentException("LiSSA depth, repeats and batch size must be >= 1, got " + lissaDepth
                    + " / " + lissaRepeats + " / " + lissaBatchSize);
        }
        if (!(lissaTolerance > 0)) {
            throw new IllegalArgumentException("LiSSA tolerance must be > 0, got " + lissaTolerance);
        }
        if (!Double.isNaN(lissaScale) && !(lissaScale > 0 && Double.isFinite(lissaScale))) {
            throw new IllegalArgumentException("LiSSA scale must be > 0 (or NaN for automatic), got " + lissaScale);
        }
    }

    /** Defaults: CG 1e-10 / 1000, LiSSA depth 5000, 5 repeats, automatic scale, batch 128. */
    public static SolverChoice of(Kind kind, long seed) {
        return new SolverChoice(kind, 1e-10, 1000, 5000, 5, Double.NaN, 128, seed);
    }

    public SolverChoice withLissa(int depth, int repeats, double scale, int batchSize) {
        return new SolverChoice(kind, cgTolerance, cgMaxIterations, depth, repeats, scale, batchSize, seed,
                lissaTolerance);
    }

    /** The solver for operator A (the LiSSA scale resolved against A when automatic). */
    public InverseHessianSolver create(CurvatureOperator a) {
        return switch (kind) {
            case EXACT -> new ExactSolver();
            case CG -> new ConjugateGradientSolver(cgTolerance, cgMaxIterations);
            case LISSA -> {
                double sigma = lissaScale;
                if (Double.isNaN(sigma)) {
                    sigma = org.exemplar.solver.SolverSpec.automaticLissaScale(a, seed, "raise the damping");
                }
                yield new Lissa(new LissaOptions(lissaDepth, lissaRepeats, sigma, lissaBatchSize, seed,
                        lissaTolerance));
            }
        };
    }
}
