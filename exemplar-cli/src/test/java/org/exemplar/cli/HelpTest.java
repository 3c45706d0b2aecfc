package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class HelpTest {

    static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            collect(e.getValue(), path, out);
        }
    }

    @Test
    void everyCommandDocumentsItselfWithoutFormattingWarnings() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        assertTrue(commands.size() >= 10, "found " + commands);
        // picocli's tracer reports description formatting problems on System.err, not on the command's writer
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            for (List<String> c : commands) {
                List<String> args = new ArrayList<>(c);
                args.add("--help");
                CliTestSupport.Run r = CliTestSupport.run(args.toArray(String[]::new));
                assertEquals(0, r.exitCode(), c + ": " + r);
                assertFalse(r.out().isBlank(), c + " printed no help");
                assertFalse(r.err().contains("WARN"), c + ": " + r.err());
                assertFalse(captured.toString().contains("WARN"), c + ": " + captured);
            }
        } finally {
            System.setErr(saved);
        }
    }
}
