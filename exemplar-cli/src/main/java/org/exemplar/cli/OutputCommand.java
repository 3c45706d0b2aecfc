package org.exemplar.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command that writes a results folder and may run long shares: {@code --out DIR} (required;
 * written all-or-nothing through {@link OutputDirectory}), {@code -q} and {@code --progress}. Picocli picks up
 * options declared on a superclass, so subclasses use the fields directly.
 */
abstract class OutputCommand {
    @Option(names = "--progress", description = "Show progress bars even when stderr is not a terminal.")
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;
}
