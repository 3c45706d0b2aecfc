package org.exemplar.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of every command that writes a results folder: {@code --out DIR} (required; written all-or-nothing
 * through {@link OutputDirectory}) and {@code -q}. Picocli picks up options declared on a superclass, so
 * subclasses use the fields directly. Long-running commands extend {@link OutputCommand}, which adds
 * {@code --progress}.
 */
abstract class ResultsCommand {
    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    Path out;

    @Spec
    CommandSpec outSpec;

    /** Checked when parsed, before any work (issue 15, item 10): a bad folder is exit 2 at once. */
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Results folder, created if missing and replaced as a whole on success.")
    void setOut(Path dir) {
        try {
            OutputDirectory.check(dir);
            out = dir;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(outSpec.commandLine(), e.getMessage());
        }
    }
}
