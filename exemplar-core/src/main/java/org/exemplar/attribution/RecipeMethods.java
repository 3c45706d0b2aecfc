package org.exemplar.attribution;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.exemplar.curvature.FisherKind;
import org.exemplar.influence.TestFunction;
import org.exemplar.model.Activation;
import org.exemplar.model.ModelRecipe;
import org.exemplar.trak.RandomProjection;

/**
 * Attributors named as an evaluation names them (the {@code evaluate lds} command's {@code --method} list), all
 * over one model recipe, so that every method is compared on the same model: {@code trak} / {@code trak-N} (an
 * N-model TRAK ensemble), {@code kfac}, {@code ekfac}, {@code tracin} (any recipe), and for a linear recipe
 * {@code rps} (the representer with lambda = l2 / 2, so that lambda ||Theta||^2 equals the recipe's
 * (l2/2) ||theta||^2, on the features with a ones column appended, the recipe's bias) and {@code if-exact},
 * {@code if-cg}, {@code if-lissa}, {@code if-arnoldi} (influence functions with that solver).
 */
public final class RecipeMethods {
    /** The fixed names (besides trak-N). */
    public static final List<String> NAMES = List.of("trak", "kfac", "ekfac", "tracin", "rps", "if-exact", "if-cg",
            "if-lissa", "if-arnoldi");
    private static final String EXPECTED = "(expected trak, trak-N, kfac, ekfac, tracin, rps, if-exact, if-cg, "
            + "if-lissa, if-arnoldi)";

    private RecipeMethods() {
    }

    /**
     * Every setting a method needs.
     *
     * @param k          TRAK projection dimension
     * @param damping    TRAK kernel / influence / K-FAC damping
     * @param l2         the linear recipe's L2 strength (influence, and rps's lambda = l2 / 2)
     */
    public record Settings(ModelRecipe recipe, int k, RandomProjection.Kind projection, double damping, double l2,
                           long seed) {
    }

    /**
     * Refuses, before any training, a list with an unknown or repeated name or a linear-only method on a network
     * recipe.
     */
    public static void check(List<String> names, boolean linearRecipe) {
        Set<String> seen = new HashSet<>();
        for (String m : names) {
            String n = m.trim().toLowerCase(Locale.ROOT);
            if (!seen.add(n)) {
                throw new IllegalArgumentException("--method lists '" + m + "' twice");
            }
            boolean known = n.matches("trak-[1-9][0-9]*") || NAMES.contains(n);
            if (!known) {
                throw new IllegalArgumentException("unknown method '" + m + "' " + EXPECTED);
            }
            if (!n.startsWith("trak") && !List.of("kfac", "ekfac", "tracin").contains(n) && !linearRecipe) {
                throw new IllegalArgumentException("method '" + m + "' needs --model softmax or logistic");
            }
        }
    }

    /** The examples as method {@code name} reads them: rps gets the ones column of the recipe's bias. */
    public static Examples inputs(String name, Examples e) {
        return name.trim().equalsIgnoreCase("rps") ? new Examples(e.features().withOnesColumn(), e.labels(),
                e.targets()) : e;
    }

    /**
     * Prepares method {@code name} on {@code train} (the raw examples: {@link #inputs} is applied here).
     *
     * @throws IllegalArgumentException for an unknown name or a linear-only method on a network recipe
     */
    public static PreparedAttributor<Examples> prepare(String name, Settings s, Examples train) {
        String m = name.trim().toLowerCase(Locale.ROOT);
        if (m.equals("trak") || m.startsWith("trak-")) {
            int models = m.equals("trak") ? 1 : Integer.parseInt(m.substring(5));
            return Attributors.trak().train(s.recipe(), models).dimension(s.k()).projection(s.projection())
                    .damping(s.damping()).seed(s.seed()).prepare(train);
        }
        if (m.equals("kfac") || m.equals("ekfac") || m.equals("tracin")) {
            boolean linear = s.recipe().isLinear();
            // tracin: a linear recipe checkpoints a linear softmax under the builder's SGD default; an MLP recipe
            // checkpoints its own training
            return MethodCatalog.prepare(m, new MethodCatalog.Spec(linear ? s.recipe().kind() : null, null,
                    s.recipe(), s.recipe().loss(), TestFunction.LOSS, 0, s.l2(), s.damping(), null, FisherKind.SAMPLED,
                    null, linear ? new int[0] : s.recipe().hidden(), linear ? Activation.RELU : s.recipe().activation(),
                    linear ? null : s.recipe().training(), 1, false, 1, 0, s.seed()), train);
        }
        if (!s.recipe().isLinear()) {
            throw new IllegalArgumentException("method '" + name + "' needs a linear model here (--model softmax or "
                    + "logistic); for an MLP use trak, kfac, ekfac or tracin");
        }
        return switch (m) {
            case "rps" -> Attributors.representer().lambda(s.l2() / 2).prepare(inputs(m, train));
            case "if-exact", "if-cg", "if-lissa", "if-arnoldi" -> Attributors.influence(s.recipe().kind()).l2(s.l2())
                    .training(s.recipe().tight()).damping(s.damping()).seed(s.seed())
                    .solver(Solver.valueOf(m.substring(3).toUpperCase(Locale.ROOT))).prepare(train);
            default -> throw new IllegalArgumentException("unknown method '" + name + "' " + EXPECTED);
        };
    }
}
