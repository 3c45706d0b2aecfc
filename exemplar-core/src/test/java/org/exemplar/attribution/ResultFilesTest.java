package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The common result files (scores.npy, topk.csv, summary.json) against the library's own scores. */
class ResultFilesTest {
    @TempDir
    Path dir;

    private static Examples[] ntkProblem() {
        SplittableRandom r = new SplittableRandom(5);
        DenseMatrix x = ContractFixtures.unitRows(ContractFixtures.gaussianMatrix(25, 3, r));
        double[] y = new double[25];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.tanh(x.get(i, 0) - x.get(i, 2)) + 0.1 * ContractFixtures.gaussian(r);
        }
        return new Examples[] {Examples.regression(x.rowRange(0, 20), java.util.Arrays.copyOfRange(y, 0, 20)),
            Examples.regression(x.rowRange(20, 25), java.util.Arrays.copyOfRange(y, 20, 25))};
    }

    @Test
    void writtenFilesEqualTheAttributorsScoresAndABruteForceRanking() throws IOException {
        Examples[] p = ntkProblem();
        NtkAttributor a = Attributors.ntk().lambda(0.05).prepare(p[0]);
        Attribution full = a.attribute(p[1]);
        Path out = dir.resolve("files");
        TrustDiagnostics d = ResultFiles.write(out, a, p[1], 4, 2, null);   // blocks of 2 rows: 2 + 2 + 1
        assertTrue(d.converged());

        DenseMatrix s = Npy.read(out.resolve(ResultFiles.SCORES)).toMatrix();
        assertEquals(5, s.rows());
        assertEquals(20, s.cols());
        assertArrayEquals(full.scores().data(), s.data(), 0.0, "scores.npy is the library's score matrix bit for bit");

        // topk.csv against a brute-force sort of every row, independent of TopKSink
        List<String> lines = Files.readAllLines(out.resolve(ResultFiles.TOPK));
        assertEquals("test_index,rank,direction,train_index,score,raw", lines.get(0));
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            for (String dir : new String[] {"supporting", "opposing"}) {
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    double v = full.scores().get(t, i);
                    if (dir.equals("supporting") ? v > 0 : v < 0) {
                        idx.add(i);
                    }
                }
                final int tt = t;
                idx.sort((i, j) -> dir.equals("supporting")
                        ? Double.compare(full.scores().get(tt, j), full.scores().get(tt, i))
                        : Double.compare(full.scores().get(tt, i), full.scores().get(tt, j)));
                for (int q = 0; q < Math.min(4, idx.size()); q++) {
                    double v = full.scores().get(t, idx.get(q));
                    expected.add(t + "," + (q + 1) + "," + dir + "," + idx.get(q) + "," + v + "," + full.raw().get(t,
                            idx.get(q)));
                }
            }
        }
        assertEquals(expected, lines.subList(1, lines.size()));

        JsonNode j = Json.mapper().readTree(out.resolve(ResultFiles.SUMMARY).toFile());
        assertEquals("ntk", j.get("method").asText());
        assertEquals(1.0, j.get("convention").get("raw_factor").asDouble());
        assertEquals(Convention.SIGN, j.get("convention").get("sign").asText());
        assertEquals(5, j.get("n_test").asInt());
        assertEquals(20, j.get("n_train").asInt());
        assertEquals("scores.npy", j.get("scores").asText());
        assertEquals(a.key(), j.get("artifact_key").asText());
        assertEquals("ntk", j.get("provenance").get("method").asText());
        assertEquals(full.diagnostics().decompositionResidual(),
                j.get("diagnostics").get("decompositionResidual").asDouble(), 1e-300);
    }

    @Test
    void rawBlocksAreMappedByTheFactorAndASkippedMatrixIsExplained() throws IOException {
        Convention c = new Convention("test", "g", "raw by hand", -2.0, "units");
        double[] raw = {1, -3, 0.5, 0, 2, -1};              // 2 test x 3 train
        Path out = dir.resolve("raw");
        try (ResultFiles f = ResultFiles.open(out, c, 2, 3, 1, null)) {
            f.acceptRaw(0, raw, 0, 1);
            f.acceptRaw(1, raw, 3, 1);
            f.finish(TrustDiagnostics.none(), Map.of("method", "test"), Map.of("note", "x"));
        }
        assertArrayEquals(new double[] {-2, 6, -1, 0, -4, 2}, Npy.read(out.resolve("scores.npy")).toDoubleArray(), 0.0);
        assertEquals(List.of("test_index,rank,direction,train_index,score,raw", "0,1,supporting,1,6.0,-3.0",
                "0,1,opposing,0,-2.0,1.0", "1,1,supporting,2,2.0,-1.0", "1,1,opposing,1,-4.0,2.0"),
                Files.readAllLines(out.resolve("topk.csv")));

        Path skipped = dir.resolve("skipped");
        String reason = ResultFiles.sizeLimitReason(2, 3, 100, "--scores-max-gb");
        assertTrue(reason.contains("2 x 3") && reason.contains("--scores-max-gb"), reason);
        assertNull(ResultFiles.sizeLimitReason(2, 3, 8 * 6 + 128, "x"), "48 bytes + header fit");
        try (ResultFiles f = ResultFiles.open(skipped, c, 2, 3, 2, reason)) {
            f.acceptRaw(new DenseMatrix(2, 3, raw));
            f.finish(TrustDiagnostics.none(), null, Map.of());
        }
        assertFalse(Files.exists(skipped.resolve("scores.npy")));
        JsonNode j = Json.mapper().readTree(skipped.resolve("summary.json").toFile());
        assertTrue(j.get("scores").isNull());
        assertEquals(reason, j.get("scores_skipped").asText());
        assertEquals(6, Files.readAllLines(skipped.resolve("topk.csv")).size(),
                "top-k still written: 1 + 2 rows for test 0, 1 + 1 for test 1, + header");
    }

    @Test
    void aSharedScoreFileIsHardLinkedNotWrittenTwice() throws IOException {
        Convention c = new Convention("test", "g", "raw by hand", -2.0, "units");
        DenseMatrix block = new DenseMatrix(2, 3, new double[] {-2, 6, -1, 0, -4, 2});
        Path own = dir.resolve("run").resolve("scores.npy");
        Path folder = dir.resolve("run").resolve("attribution");
        try (NpyScoreSink npy = new NpyScoreSink(own, 2, 3);
             ResultFiles f = ResultFiles.openSharing(folder, c, 2, 3, 1, null, own)) {
            npy.accept(0, block);
            f.accept(0, block);
            npy.commit();
            f.finish(TrustDiagnostics.none(), null, Map.of());
        }
        Path shared = folder.resolve(ResultFiles.SCORES);
        // one file on disk under two names (a temp folder on a POSIX file system allows hard links)
        assertTrue(Files.isSameFile(own, shared));
        assertEquals(2, ((Number) Files.getAttribute(shared, "unix:nlink")).intValue());
        assertArrayEquals(block.data(), Npy.read(shared).toDoubleArray(), 0.0);
        JsonNode j = Json.mapper().readTree(folder.resolve("summary.json").toFile());
        assertEquals("scores.npy", j.get("scores").asText());
        assertEquals("hard link", j.get("scores_shared_as").asText());
        assertEquals(Path.of("..", "scores.npy").toString(), j.get("scores_shared_with").asText());
        assertEquals("0,1,supporting,1,6.0,-3.0", Files.readAllLines(folder.resolve("topk.csv")).get(1));

        assertThrows(IllegalStateException.class, () -> ResultFiles.linkOrCopy(dir.resolve("none.npy"),
                dir.resolve("x.npy")), "an unfinished shared file is refused");

        // a skipped matrix is neither linked nor copied
        Path skipped = dir.resolve("skip");
        try (ResultFiles f = ResultFiles.openSharing(skipped, c, 2, 3, 1, "--no-scores was given", own)) {
            f.accept(0, block);
            f.finish(TrustDiagnostics.none(), null, Map.of());
        }
        assertFalse(Files.exists(skipped.resolve("scores.npy")));
        assertTrue(Json.mapper().readTree(skipped.resolve("summary.json").toFile()).get("scores").isNull());
    }

    @Test
    void whereAHardLinkIsRefusedTheScoresAreCopiedWithTheReason() throws IOException {
        // a hard link across file systems fails (EXDEV): /dev/shm (tmpfs) against the test's temporary folder
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(dir)), "needs a second file system");
        Path source = dir.resolve("s.npy");
        Npy.write(source, new double[] {1, 2, 3});
        Path other = Files.createTempDirectory(shm, "exemplar-resultfiles-test");
        try {
            Path target = other.resolve("scores.npy");
            String how = ResultFiles.linkOrCopy(source, target);
            assertTrue(how.startsWith("copy (hard link refused: "), how);
            assertFalse(Files.isSameFile(source, target));
            assertArrayEquals(new double[] {1, 2, 3}, Npy.read(target).toDoubleArray(), 0.0);
        } finally {
            Files.deleteIfExists(other.resolve("scores.npy"));
            Files.deleteIfExists(other);
        }
    }

    @Test
    void anUnfinishedWriterLeavesNoScoresAndRefusesShortInput() {
        Convention c = new Convention("test", "g", "raw", 1.0, "units");
        Path out = dir.resolve("unfinished");
        try (ResultFiles f = ResultFiles.open(out, c, 3, 2, 1, null)) {
            f.accept(0, new DenseMatrix(1, 2, new double[] {1, 2}));
            assertThrows(IllegalStateException.class, () -> f.finish(TrustDiagnostics.none(), null, Map.of()));
            assertThrows(IllegalStateException.class, () -> f.accept(2, new DenseMatrix(1, 2)));
            assertThrows(IllegalArgumentException.class, () -> f.accept(1, new DenseMatrix(1, 3)));
        }
        assertFalse(Files.exists(out.resolve("scores.npy")));
        assertFalse(Files.exists(out.resolve("summary.json")));
    }
}
