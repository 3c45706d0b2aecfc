package org.exemplar.cli;

import picocli.CommandLine.Option;

/** A {@link ResultsCommand} that runs long enough to show progress bars ({@code --progress}). */
abstract class OutputCommand extends ResultsCommand {
    @Option(names = "--progress", description = "Show progress bars even when stderr is not a terminal.")
    boolean progress;
}
