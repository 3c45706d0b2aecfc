package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Npz;
import org.exemplar.io.Json;

/**
 * Golden outputs: a command's numbers as the code wrote them before the CLI refactoring (issue 11), kept under
 * {@code src/test/resources/golden/CASE/}, and the comparison of a fresh run against them.
 *
 * <p>Compared: every number of the listed {@code .npy} / {@code .npz} files (shape and values), every cell of the
 * listed {@code .csv} files (numbers within the tolerance, other cells exactly), and the numeric and boolean
 * leaves of {@code summary.json}-style files except timings, paths, versions and provenance (they change between
 * runs by design). Tolerance: {@code |a - g| <= 1e-12 max(|g|, s)} with {@code s = min(1, largest |g| of the
 * array)}: absolute 1e-12 for O(1) arrays, relative to the array's scale where all values are tiny (influence
 * scores carry 1/n); for JSON scalars s = min(1, |g|), i.e. relative. The captured numbers come from one machine
 * (native OpenBLAS); every computation here is deterministic for a fixed BLAS, so equality to 1e-12 is what
 * "the same numbers as before" means. A different BLAS (another CPU kernel) may differ in the last bits and
 * iterative fits amplify that: recapture on such a machine from the pre-change commit, never loosen silently.
 *
 * <p>Capture (only from unchanged code): {@code mvn -B -ntp -pl exemplar-cli -am test -Dtest=GoldenOutputTest
 * -Dgolden.update=true -Dsurefire.failIfNoSpecifiedTests=false}, run in the worktree root.
 */
final class Golden {
    static final double TOL = 1e-12;
    /** Keys (JSON object fields) never compared: they hold times, paths, versions or free text by design. */
    private static final List<String> SKIP_KEY_PARTS = List.of("seconds", "time", "provenance", "backend", "version",
            "path", "sha256", "elapsed", "threads", "ms_per");

    private Golden() {
    }

    static Path root() {
        // surefire runs in the module folder
        return Path.of("src", "test", "resources", "golden");
    }

    static boolean updating() {
        return Boolean.getBoolean("golden.update");
    }

    /** Checks (or, with -Dgolden.update=true, captures) the listed files of {@code out} against case {@code name}. */
    static void check(String name, Path out, String... files) {
        Path g = root().resolve(name);
        try {
            if (updating()) {
                Files.createDirectories(g);
                for (String f : files) {
                    Path src = out.resolve(f);
                    assertTrue(Files.exists(src), "missing output " + src);
                    Path dst = g.resolve(f.replace('/', '_'));
                    if (f.endsWith(".json")) {
                        Files.writeString(dst, Json.write(Json.mapper().readTree(src.toFile())) + "\n");
                    } else {
                        Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                return;
            }
            for (String f : files) {
                Path golden = g.resolve(f.replace('/', '_'));
                assertTrue(Files.exists(golden), "no golden file " + golden + " (capture from the unchanged code)");
                Path actual = out.resolve(f);
                assertTrue(Files.exists(actual), name + ": the command no longer writes " + f);
                String where = name + "/" + f;
                if (f.endsWith(".npy")) {
                    compareArrays(where, Npy.read(golden), Npy.read(actual));
                } else if (f.endsWith(".npz")) {
                    Map<String, NpyArray> a = new TreeMap<>(Npz.read(golden));
                    Map<String, NpyArray> b = new TreeMap<>(Npz.read(actual));
                    assertEquals(a.keySet(), b.keySet(), where + ": members");
                    for (String k : a.keySet()) {
                        compareArrays(where + ":" + k, a.get(k), b.get(k));
                    }
                } else if (f.endsWith(".csv")) {
                    compareCsv(where, Files.readAllLines(golden), Files.readAllLines(actual));
                } else if (f.endsWith(".json")) {
                    compareJson(where, Json.mapper().readTree(golden.toFile()), Json.mapper().readTree(actual.toFile()));
                } else {
                    fail("no comparison for " + f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void compareArrays(String where, NpyArray golden, NpyArray actual) {
        assertTrue(Arrays.equals(golden.shape(), actual.shape()), where + ": shape " + Arrays.toString(actual.shape())
                + ", golden " + Arrays.toString(golden.shape()));
        double[] g = golden.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double scale = 0;
        for (double v : g) {
            if (Double.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        scale = Math.min(1, scale);
        for (int i = 0; i < g.length; i++) {
            close(where + "[" + i + "]", g[i], a[i], scale);
        }
    }

    static void close(String where, double g, double a, double scale) {
        if (Double.isNaN(g) || Double.isInfinite(g)) {
            assertEquals(g, a, 0.0, where);
            return;
        }
        double tol = TOL * Math.max(Math.abs(g), scale);
        if (!(Math.abs(a - g) <= tol)) {
            fail(where + ": " + a + " but before the change " + g + " (|diff| " + Math.abs(a - g) + " > " + tol + ")");
        }
    }

    /** Whether a JSON key or CSV column holds a time, path, version or provenance (never compared). */
    static boolean skipped(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return SKIP_KEY_PARTS.stream().anyMatch(k::contains);
    }

    static void compareCsv(String where, List<String> golden, List<String> actual) {
        assertEquals(golden.size(), actual.size(), where + ": line count");
        assertEquals(golden.get(0), actual.get(0), where + ": header");
        String[] header = golden.get(0).split(",", -1);
        double scale = 0;
        for (String line : golden.subList(1, golden.size())) {
            for (String cell : line.split(",", -1)) {
                Double v = number(cell);
                if (v != null && Double.isFinite(v)) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
        }
        scale = Math.min(1, scale);
        for (int l = 1; l < golden.size(); l++) {
            String[] g = golden.get(l).split(",", -1);
            String[] a = actual.get(l).split(",", -1);
            assertEquals(g.length, a.length, where + " line " + (l + 1) + ": cell count");
            for (int c = 0; c < g.length; c++) {
                if (c < header.length && skipped(header[c])) {
                    continue;
                }
                Double gv = number(g[c]);
                Double av = number(a[c]);
                if (gv != null && av != null) {
                    // a column's small entries (a tiny residual next to O(1) values) are compared relative to themselves
                    close(where + " line " + (l + 1) + " col " + (c + 1), gv, av, Math.min(scale, Math.abs(gv)));
                } else {
                    assertEquals(g[c], a[c], where + " line " + (l + 1) + " col " + (c + 1));
                }
            }
        }
    }

    private static Double number(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static void compareJson(String where, JsonNode golden, JsonNode actual) {
        if (golden.isObject()) {
            assertTrue(actual != null && actual.isObject(), where + ": not an object any more");
            Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) golden).fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
                if (skipped(key)) {
                    continue;
                }
                JsonNode a = actual.get(e.getKey());
                assertTrue(a != null, where + ": key " + e.getKey() + " missing");
                compareJson(where + "." + e.getKey(), e.getValue(), a);
            }
        } else if (golden.isArray()) {
            assertTrue(actual.isArray() && actual.size() == golden.size(), where + ": array length");
            for (int i = 0; i < golden.size(); i++) {
                compareJson(where + "[" + i + "]", golden.get(i), actual.get(i));
            }
        } else if (golden.isNumber()) {
            assertTrue(actual.isNumber(), where + ": not a number: " + actual);
            double g = golden.asDouble();
            close(where, g, actual.asDouble(), Math.min(1, Math.abs(g)));
        } else if (golden.isBoolean()) {
            assertEquals(golden.asBoolean(), actual.asBoolean(), where);
        } else if (golden.isTextual() && actual.isNumber()) {
            fail(where + ": was text " + golden + ", now a number");
        }
        // text leaves (messages, paths, descriptions) and nulls are not compared: wording may improve
    }
}
