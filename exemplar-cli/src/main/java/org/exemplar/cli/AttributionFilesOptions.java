package org.exemplar.cli;

import org.exemplar.attribution.Convention;
import org.exemplar.attribution.ResultFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The options of the common result files every attribution command writes into {@code DIR/attribution/}
 * ({@link ResultFiles}: scores.npy in the one sign convention, topk.csv, summary.json), in addition to its own files.
 */
@Command(footer = {"", "Also writes DIR/attribution/scores.npy, topk.csv and summary.json in the common convention: rows = "
        + "test points, columns = training points, score = raw_factor x this command's own quantity, positive = the "
        + "training point supports the explained output (its removal is predicted to lower it); topk.csv columns "
        + "test_index,rank,direction (supporting|opposing),train_index,score,raw. README: \"Conventions of the commands\"."})
final class AttributionFilesOptions {
    @Option(names = "--scores-max-gb", defaultValue = "1", paramLabel = "GB",
            description = "Write attribution/scores.npy (n_test x n_train float64, positive = supports) only up to this "
                    + "size; above it the file is skipped and the reason written in attribution/summary.json "
                    + "(attribution/topk.csv is always written) (default ${DEFAULT-VALUE}).")
    double scoresMaxGb = 1;

    @Option(names = "--no-scores", description = "Skip attribution/scores.npy (the reason is recorded in "
            + "attribution/summary.json); attribution/topk.csv and attribution/summary.json are still written.")
    boolean noScores;

    /** Opens the common files in {@code dir/attribution}; the size limit is checked here, before any scoring. */
    ResultFiles open(OutputDirectory dir, Convention convention, int testSize, int trainSize, int k) {
        return ResultFiles.open(dir.file(ResultFiles.FOLDER), convention, testSize, trainSize, k,
                skipReason(testSize, trainSize));
    }

    /**
     * Like {@link #open}, for a command that writes the same matrix to its own {@code scoresFile}: attribution/scores.npy
     * becomes a hard link to it (a copy where links are refused) instead of a second write
     * ({@link ResultFiles#openSharing}).
     */
    ResultFiles openSharing(OutputDirectory dir, Convention convention, int testSize, int trainSize, int k,
                            java.nio.file.Path scoresFile) {
        return ResultFiles.openSharing(dir.file(ResultFiles.FOLDER), convention, testSize, trainSize, k,
                skipReason(testSize, trainSize), scoresFile);
    }

    /** Why attribution/scores.npy is not written, or null. */
    String skipReason(int testSize, int trainSize) {
        if (!(scoresMaxGb >= 0) || Double.isInfinite(scoresMaxGb)) {
            throw new IllegalArgumentException("--scores-max-gb must be a finite number >= 0, got " + scoresMaxGb);
        }
        if (noScores) {
            return "--no-scores was given";
        }
        return ResultFiles.sizeLimitReason(testSize, trainSize, (long) (scoresMaxGb * 1e9), "--scores-max-gb");
    }
}
