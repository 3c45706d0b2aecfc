package org.exemplar.cli;

import org.exemplar.eval.IndexSelection;
import org.exemplar.eval.LooOptions;
import org.exemplar.model.TightTrainingOptions;
import picocli.CommandLine.Option;

/** The leave-one-out options of {@code exemplar influence}: which points, how each retraining starts and averages. */
final class LooSelection {
    @Option(names = "--loo-indices", paramLabel = "A:B|i,j,...",
            description = "Training points to remove for leave-one-out ground truth: a range A:B (B exclusive) or a comma list.")
    String looIndices;

    @Option(names = "--loo-start", defaultValue = "warm", description = "warm (from the trained parameters) | cold (from the "
            + "initialization: zeros for linear models, --seed for an MLP) (default ${DEFAULT-VALUE}).")
    String looStart;

    @Option(names = "--loo-normalization", defaultValue = "keep-n", description = "keep-n: retrain on (1/n) sum_{j != i} "
            + "L_j (= J - L_i/n, what influence linearizes) | reaverage: (1/(n-1)) sum_{j != i} L_j (default ${DEFAULT-VALUE}).")
    String looNormalization;

    /** The --loo-indices selection among n training points, or null without the option. */
    int[] indices(int n) {
        return looIndices == null ? null : IndexSelection.parse(looIndices, n, "--loo-indices");
    }

    /** The retraining options; checks --loo-start and --loo-normalization. */
    LooOptions options(TightTrainingOptions training) {
        LooOptions.Start start = switch (looStart) {
            case "warm" -> LooOptions.Start.WARM;
            case "cold" -> LooOptions.Start.COLD;
            default -> throw new IllegalArgumentException("--loo-start must be warm or cold, got " + looStart);
        };
        LooOptions.Normalization norm = switch (looNormalization) {
            case "keep-n" -> LooOptions.Normalization.KEEP_FULL_N;
            case "reaverage" -> LooOptions.Normalization.REAVERAGE;
            default -> throw new IllegalArgumentException("--loo-normalization must be keep-n or reaverage, got "
                    + looNormalization);
        };
        return new LooOptions(start, norm, training);
    }
}
