package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, fault test: the CLI run as a separate JVM and killed with SIGKILL at random points while it writes its
 * results folder leaves {@code --out} either as it was (byte for byte) or complete with the new run's files, never a
 * mix; the next run cleans up what the killed one left. The only other state allowed is the documented one of
 * {@link OutputDirectory}: killed between its last two renames, {@code --out} is absent and the complete new results
 * sit in a ready folder, which the next run moves into place (checked here too).
 *
 * <p>To make random kill times land inside the writing phase, the child runs with {@code -Dexemplar.test.pauseMs=80}
 * (a pause before each staged file and between renames; see {@link OutputDirectory}); each kill waits for the
 * staging folder to appear; even kills then strike at a random time within their own slice of the writing phase
 * (measured on an unkilled run), odd kills wait for the commit to begin and strike within its renames, so the kills
 * cover the whole phase, the swap included. Bounded: 8 kills, a 6-minute
 * timeout in all.
 */
class OutputFolderKillTest {
    @TempDir
    Path dir;

    static final int KILLS = 8;
    static final long PAUSE_MS = 80;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void killedRunsLeaveTheFolderAsItWasOrCompleteAndTheNextRunCleansUp() throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        DenseMatrix x = InfluenceCommandTest.gaussian(300, 6, rnd);
        DenseMatrix xt = InfluenceCommandTest.gaussian(40, 6, rnd);
        int[] y = new int[300];
        for (int i = 0; i < y.length; i++) {
            y[i] = x.get(i, 0) + 0.5 * rnd.nextGaussian() > 0 ? 1 : 0;
        }
        int[] yt = new int[40];
        for (int t = 0; t < yt.length; t++) {
            yt[t] = xt.get(t, 0) > 0 ? 1 : 0;
        }
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("xt.npy"), xt);
        Npy.write(dir.resolve("y.npy"), y);
        Npy.write(dir.resolve("yt.npy"), yt);
        Path out = dir.resolve("out");

        // run A (the folder as it was): with leave-one-out, so it has loo.npy that run B does not write
        List<String> a = args(out, "0.01", "--loo-indices", "0:3");
        runOk(a);
        Map<String, byte[]> before = snapshot(out);
        assertTrue(before.containsKey("loo.npy") && before.containsKey("self_influence.npy"), before.keySet().toString());

        // run B's complete result (different l2, no self-influence, no loo), for reference
        Path refB = dir.resolve("refB");
        assertEquals(0, child(args(refB, "0.05", "--skip-self-influence"), 0).waitFor());
        Map<String, byte[]> completeB = snapshot(refB);

        // the writing phase's length: from the staging folder's appearance to the end of an unkilled run
        Process timing = child(args(dir.resolve("timing"), "0.05", "--skip-self-influence"), PAUSE_MS);
        while (!staging(dir, "timing") && timing.isAlive()) {
            Thread.sleep(2);
        }
        long t1 = System.nanoTime();
        assertEquals(0, timing.waitFor());
        long writeMs = Math.max(50, (System.nanoTime() - t1) / 1_000_000);

        int[] seen = new int[3]; // as it was, complete, absent-with-ready
        int midWrite = 0;
        for (int k = 0; k < KILLS; k++) {
            Process p = child(args(out, "0.05", "--skip-self-influence"), PAUSE_MS);
            // wait until the run starts writing (its staging folder appears), then kill at a random point of the
            // writing phase: 4 staged files and 3 renames, each after a pause, span about 7 x PAUSE_MS
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!staging(dir, "out") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            long wait;
            if (k % 2 == 0) {
                // stratified: even kills strike at a random time in their slice of the writing phase
                wait = (long) (1.1 * writeMs * (k / 2 + rnd.nextDouble()) / (KILLS / 2));
            } else {
                // odd kills wait for the commit to begin (the ready folder appears) and strike within its three
                // renames, so the swap itself is hit whatever the machine's speed
                while (!exists(dir, OutputDirectory.READY + "out-") && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                wait = (long) (rnd.nextDouble() * 3 * PAUSE_MS);
            }
            if (p.waitFor(wait, TimeUnit.MILLISECONDS)) {
                // finished before the kill: it is complete; restore A for the next round
                assertState(out, before, completeB, seen);
                runOk(a);
                before = snapshot(out);
                continue;
            }
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            midWrite += leftovers(dir) ? 1 : 0;
            assertState(out, before, completeB, seen);

            // the next run (A again) cleans up whatever the killed one left and writes a complete folder
            runOk(a);
            before = snapshot(out);
            assertTrue(before.containsKey("loo.npy"), before.keySet().toString());
            try (Stream<Path> s = Files.list(dir)) {
                List<String> left = s.map(q -> q.getFileName().toString()).filter(n -> n.startsWith(".exemplar-"))
                        .toList();
                assertEquals(List.of(), left, "left behind after the next run");
            }
        }
        System.out.printf("kill test: writing phase %d ms; %d runs killed while writing (%d left staging behind): %d left the folder as "
                + "it was, %d complete, %d absent with complete ready results (rolled forward)%n", writeMs, KILLS, midWrite,
                seen[0], seen[1], seen[2]);
        assertEquals(KILLS, seen[0] + seen[1] + seen[2]);
        assertTrue(midWrite > 0, "no kill landed inside the writing phase");
    }

    private static boolean staging(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(q -> q.getFileName().toString().startsWith(OutputDirectory.STAGING + name + "-"));
        }
    }

    private static boolean exists(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(q -> q.getFileName().toString().startsWith(prefix));
        }
    }

    private static boolean leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(q -> q.getFileName().toString().startsWith(".exemplar-"));
        }
    }

    private void runOk(List<String> args) throws Exception {
        int code = child(args, 0).waitFor();
        assertEquals(0, code, () -> {
            try {
                return Files.readString(dir.resolve("child.log"));
            } catch (IOException e) {
                return e.toString();
            }
        });
    }

    /** Either exactly {@code before}, or complete B; or absent with a complete ready sibling that check() rolls in. */
    private void assertState(Path out, Map<String, byte[]> before, Map<String, byte[]> completeB, int[] seen)
            throws IOException {
        if (!Files.exists(out)) {
            List<Path> ready;
            try (Stream<Path> s = Files.list(dir)) {
                ready = s.filter(q -> q.getFileName().toString().startsWith(OutputDirectory.READY + "out-")).toList();
            }
            assertEquals(1, ready.size(), "out is absent: exactly one ready folder must hold the new results");
            assertComplete(snapshot(ready.get(0)), completeB);
            OutputDirectory.check(out); // what the next run does first
            assertComplete(snapshot(out), completeB);
            seen[2]++;
            return;
        }
        Map<String, byte[]> now = snapshot(out);
        if (now.keySet().equals(before.keySet()) && sameBytes(now, before)) {
            seen[0]++;
            return;
        }
        assertComplete(now, completeB);
        seen[1]++;
    }

    private static void assertComplete(Map<String, byte[]> now, Map<String, byte[]> completeB) throws IOException {
        assertEquals(completeB.keySet(), now.keySet(), "neither the old folder nor the complete new one");
        for (String name : now.keySet()) {
            if (name.endsWith(".npy") || name.endsWith(".csv")) {
                assertTrue(Arrays.equals(completeB.get(name), now.get(name)), name + " differs from run B's");
            }
        }
        JsonNode s = Json.mapper().readTree(now.get("summary.json"));
        assertEquals(0.05, s.get("settings").get("l2").asDouble(), 0.0);
    }

    private static boolean sameBytes(Map<String, byte[]> x, Map<String, byte[]> y) {
        for (String k : x.keySet()) {
            if (!Arrays.equals(x.get(k), y.get(k))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, byte[]> snapshot(Path folder) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(folder)) {   // with attribution/ (issue 11's common files)
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(folder.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return m;
    }

    private List<String> args(Path out, String l2, String... more) {
        List<String> a = new ArrayList<>(List.of("influence", "--model", "logistic", "--train-features",
                dir.resolve("x.npy").toString(), "--train-labels", dir.resolve("y.npy").toString(), "--test-features",
                dir.resolve("xt.npy").toString(), "--test-labels", dir.resolve("yt.npy").toString(), "--l2", l2,
                "--out", out.toString(), "-q"));
        a.addAll(List.of(more));
        return a;
    }

    /** The CLI in a fresh JVM on this test's class path (surefire's class path or manifest jar). */
    private Process child(List<String> cliArgs, long pauseMs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dexemplar.test.pauseMs=" + pauseMs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(cliArgs);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(new File(dir.toFile(), "child.log")).start();
    }
}
