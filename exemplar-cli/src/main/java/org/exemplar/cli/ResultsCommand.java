package org.exemplar.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that writes a results folder: {@code --out DIR} (required; written all-or-nothing
 * through {@link OutputDirectory}) and {@code -q}. Picocli picks up options declared on a superclass, so
 * subclasses use the fields directly. Long-running commands extend {@link OutputCommand}, which adds
 * {@code --progress}.
 */
abstract class ResultsCommand {
    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;
}
