package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exemplar.response.SolverChoice;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The solver options shared by influence and pbrf keep each command's documented names and defaults. */
class SolverOptionsTest {
    private static final String[] SOLVER_FLAGS = {"--cg-tolerance", "--cg-max-iterations", "--lissa-depth",
        "--lissa-repeats", "--lissa-scale", "--lissa-batch-size", "--lissa-tolerance"};

    @Test
    void influenceAndPbrfKeepTheirDefaultsAndFlagNames() {
        InfluenceCommand inf = new InfluenceCommand();
        new CommandLine(inf).parseArgs("--model", "logistic", "--train-features", "x.npy", "--train-labels", "y.npy",
                "--test-features", "xt.npy", "--test-labels", "yt.npy", "--out", "o");
        SolverOptions o = inf.solverOptions;
        assertEquals(5000, o.lissaDepth, "influence: --lissa-depth default 5000");
        assertEquals(1, o.lissaRepeats);
        assertEquals(128, o.lissaBatchSize);
        assertEquals(1e-2, o.lissaTolerance);
        assertEquals(1e-10, o.cgTolerance);
        assertEquals(1000, o.cgMaxIterations);
        assertNull(o.lissaScale);

        PbrfCommand pbrf = new PbrfCommand();
        CommandLine cl = new CommandLine(pbrf);
        cl.parseArgs("--model", "logistic", "--lissa-repeats", "3", "--cg-tolerance", "1e-8");
        String usage = cl.getUsageMessage();
        String infUsage = new CommandLine(new InfluenceCommand()).getUsageMessage();
        for (String flag : SOLVER_FLAGS) {
            assertTrue(usage.contains(flag) && infUsage.contains(flag), flag);
        }
        assertTrue(usage.contains("LiSSA recursion depth T (default 1000"), usage);
        assertTrue(infUsage.contains("LiSSA recursion depth T (default 5000"), infUsage);
        SolverChoice c = pbrfOptions(pbrf).choice(SolverChoice.Kind.LISSA, 4);
        assertEquals(1000, c.lissaDepth(), "pbrf: --lissa-depth default 1000");
        assertEquals(3, c.lissaRepeats());
        assertEquals(1e-8, c.cgTolerance());
        assertTrue(Double.isNaN(c.lissaScale()), "automatic scale");
        assertEquals(4, c.seed());
    }

    private static SolverOptions pbrfOptions(PbrfCommand p) {
        return p.in.solverOptions;
    }
}
