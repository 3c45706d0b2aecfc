package org.exemplar.cli;

import java.io.PrintWriter;
import org.exemplar.data.DataException;
import org.exemplar.io.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code exemplar} command-line tool: a thin shell over the library API. */
@Command(name = "exemplar", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Explain a model's predictions through its training data.",
        subcommands = {RpsCommand.class, DemoCommand.class, MlpCommand.class, InfluenceCommand.class, PbrfCommand.class,
                HdrepCommand.class, TextCommand.class, EvaluateCommand.class, NtkCommand.class, ConvertCommand.class,
                AttributeCommand.class,
                IndexCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /**
     * Exit codes: 0 success, 1 internal error, 2 bad input or usage, 3 a solver did not converge or the
     * computation became non-finite.
     */
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_NOT_CONVERGED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> exitCode(ex, commandLine.getErr()));
        return cl.execute(args);
    }

    /**
     * The exit code and message for an exception escaping a command: 2 for bad input and for I/O errors (a message,
     * never a stack trace: issue 15, item 10), 3 for non-convergence, 1 with a stack trace for anything else.
     */
    static int exitCode(Exception ex, PrintWriter e) {
        if (ex instanceof DataException || ex instanceof IllegalArgumentException) {
            e.println("error: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
            // a file-system problem (full disk, permissions changed, folder removed): a message, not a trace
            e.println("error: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        if (ex instanceof org.exemplar.solver.NotConvergedException) {
            e.println("error: " + ex.getMessage());
            return EXIT_NOT_CONVERGED;
        }
        if (ex instanceof ArithmeticException) {
            e.println("error: numerical failure: " + ex.getMessage());
            return EXIT_NOT_CONVERGED;
        }
        e.println("internal error: " + ex);
        ex.printStackTrace(e);
        return 1;
    }

    /** Reports the library version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"exemplar " + Provenance.currentLibraryVersion(),
                    "Java " + System.getProperty("java.version")};
        }
    }
}
