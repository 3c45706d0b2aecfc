package org.exemplar.attribution;

import java.util.List;
import java.util.Objects;
import org.exemplar.curvature.FisherKind;
import org.exemplar.curvature.KroneckerFactors;
import org.exemplar.influence.TestFunction;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.ModelRecipe;
import org.exemplar.model.TrainingOptions;

/**
 * The one place where a method's name becomes a prepared attributor, for the shells that let a user pick the method
 * by name (the CLI's {@code attribute} and {@code evaluate lds}, scripts): every name maps onto the builders of
 * {@link Attributors} with the settings of one {@link Spec}, so two commands given the same name and settings
 * prepare the same attributor.
 */
public final class MethodCatalog {
    /** The names, in the order shown to users. */
    public static final List<String> NAMES = List.of("rps", "influence", "kfac", "ekfac", "tracin", "trak");

    private MethodCatalog() {
    }

    /**
     * Everything that decides a method's numbers; each method reads the fields it uses.
     *
     * @param modelKind     influence, kfac/ekfac: the linear kind trained by {@code prepare}; null for {@code mlp} or
     *                      {@code recipe}
     * @param mlp           kfac/ekfac: a trained network used as given, or null
     * @param recipe        trak: the models' training recipe; kfac/ekfac without kind and network: the network is
     *                      trained by this recipe first (seeded by {@code seed})
     * @param loss          rps, kfac/ekfac of a network, tracin: the training loss
     * @param measure       influence, kfac/ekfac, tracin: the explained test function
     * @param lambda        rps: lambda of eq. (3), lambda ||Theta||^2
     * @param l2            influence, kfac/ekfac of a kind: (l2/2) ||theta||^2 of the training
     * @param damping       influence, kfac/ekfac, trak: damping of the curvature / kernel
     * @param solver        influence: the inverse-Hessian solver
     * @param fisher        kfac/ekfac: the Fisher kind
     * @param factors       kfac/ekfac: saved factors to reuse, or null
     * @param hidden        tracin: hidden widths (empty: linear softmax)
     * @param activation    tracin: hidden activation
     * @param training      tracin: the training with checkpoints (null: the builder's SGD default)
     * @param every         tracin: epochs between checkpoints
     * @param lastLayerOnly tracin: last-layer gradients only
     * @param models        trak: ensemble size
     * @param projectionDim trak: projection dimension k
     * @param seed          pseudo-labels, initialization, projections
     */
    public record Spec(LinearModels.Kind modelKind, Mlp mlp, ModelRecipe recipe, Loss loss, TestFunction measure,
                       double lambda, double l2, double damping, Solver solver, FisherKind fisher,
                       KroneckerFactors factors, int[] hidden, Activation activation, TrainingOptions training,
                       int every, boolean lastLayerOnly, int models, int projectionDim, long seed) {
    }

    /**
     * Prepares method {@code method} (one of {@link #NAMES}) on the training examples.
     *
     * @throws IllegalArgumentException for an unknown name, naming the known ones
     */
    public static PreparedAttributor<Examples> prepare(String method, Spec s, Examples train) {
        Objects.requireNonNull(s, "spec");
        return switch (method) {
            case "rps" -> Attributors.representer().loss(s.loss()).lambda(s.lambda()).prepare(train);
            case "influence" -> Attributors.influence(s.modelKind()).l2(s.l2()).damping(s.damping())
                    .solver(s.solver()).measure(s.measure()).seed(s.seed()).prepare(train);
            case "trak" -> Attributors.trak().train(s.recipe(), s.models()).dimension(s.projectionDim())
                    .damping(s.damping()).seed(s.seed()).prepare(train);
            case "kfac", "ekfac" -> {
                boolean ek = method.equals("ekfac");
                KfacAttributor.Builder b;
                if (s.modelKind() != null) {
                    b = (ek ? Attributors.ekfac(s.modelKind()) : Attributors.kfac(s.modelKind())).l2(s.l2());
                } else {
                    Mlp net = s.mlp() != null ? s.mlp() : trainedByRecipe(s, train);
                    Loss loss = s.mlp() != null ? s.loss() : s.recipe().loss();
                    b = ek ? Attributors.ekfac(net, loss) : Attributors.kfac(net, loss);
                }
                b.damping(s.damping()).fisher(s.fisher()).seed(s.seed()).measure(s.measure());
                if (s.factors() != null) {
                    b.factors(s.factors());
                }
                yield b.prepare(train);
            }
            case "tracin" -> {
                NetworkTracInAttributor.Builder b = Attributors.tracInNetwork(s.hidden(), s.activation(), s.loss())
                        .checkpointEvery(s.every()).initSeed(s.seed()).lastLayerOnly(s.lastLayerOnly())
                        .measure(s.measure());
                if (s.training() != null) {
                    b.training(s.training());
                }
                yield b.prepare(train);
            }
            default -> throw new IllegalArgumentException("unknown method '" + method + "'; known: "
                    + String.join(", ", NAMES));
        };
    }

    private static Mlp trainedByRecipe(Spec s, Examples train) {
        if (s.recipe() == null || s.recipe().isLinear()) {
            throw new IllegalArgumentException("kfac/ekfac need a model kind, a trained network or a network recipe");
        }
        int classes = 2;
        for (int v : train.labels()) {
            classes = Math.max(classes, v + 1);
        }
        return s.recipe().train(train.features(), train.labels(), classes, s.seed());
    }
}
