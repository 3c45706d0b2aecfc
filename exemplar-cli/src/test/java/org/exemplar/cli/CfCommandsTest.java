package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.NormalizedEmbeddings;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Transpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CfCommandsTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** Mirrors Main.run's exit-code mapping on a standalone command. */
    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            if (ex instanceof DataException || ex instanceof IllegalArgumentException) {
                c.getErr().println("error: " + ex.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
            throw ex;
        });
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A MovieLens-like u.data (1-based ids, ratings 1..5 from a rank-2 model) and u.item. */
    Path movieLensLike(int nu, int ni) throws Exception {
        Path ml = Files.createDirectories(dir.resolve("ml"));
        SplittableRandom rng = new SplittableRandom(3);
        double[][] a = new double[nu][2];
        double[][] b = new double[ni][2];
        for (double[] r : a) {
            r[0] = rng.nextGaussian();
            r[1] = rng.nextGaussian();
        }
        for (double[] r : b) {
            r[0] = rng.nextGaussian();
            r[1] = rng.nextGaussian();
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < nu; i++) {
            for (int j = 0; j < ni; j++) {
                if (rng.nextDouble() < 0.5) {
                    long y = Math.max(1, Math.min(5, Math.round(3 + a[i][0] * b[j][0] + a[i][1] * b[j][1])));
                    s.append(i + 1).append('\t').append(j + 1).append('\t').append(y).append('\t').append(880000000 + i)
                            .append('\n');
                }
            }
        }
        Files.writeString(ml.resolve("u.data"), s.toString());
        StringBuilder items = new StringBuilder();
        for (int j = 0; j < ni; j++) {
            items.append(j + 1).append("|Movie \u00e9 ").append(j + 1).append(" (1995)|01-Jan-1995||http://x|");
            for (int g = 0; g < 19; g++) {
                items.append(g == 1 + j % 18 ? "1" : "0").append(g < 18 ? "|" : "\n");
            }
        }
        Files.write(ml.resolve("u.item"), items.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return ml;
    }

    @Test
    void cfWithImportedEmbeddingsWritesEverything() throws Exception {
        DenseMatrix u = DenseMatrix.fromRows(new double[][] {{1, 0.5}, {2, -1}, {0.3, 0.2}});
        DenseMatrix v = DenseMatrix.fromRows(new double[][] {{1, 1}, {3, 0}, {-1, 2}, {0.5, 0.5}});
        Npy.write(dir.resolve("U.npy"), u);
        Npy.write(dir.resolve("V.npy"), v);
        Npy.write(dir.resolve("R.npy"), DenseMatrix.fromRows(new double[][] {
            {0, 0, 2}, {0, 1, 1}, {1, 0, 0}, {2, 2, 1}, {2, 3, 4}, {1, 3, 2}}));
        Npy.write(dir.resolve("P.npy"), DenseMatrix.fromRows(new double[][] {{1, 1}, {2, 0}}));
        Path out = dir.resolve("out");
        Run r = run(new CfCommand(), "--ratings", dir.resolve("R.npy").toString(), "--user-embeddings",
                dir.resolve("U.npy").toString(), "--item-embeddings", dir.resolve("V.npy").toString(), "--test-pairs",
                dir.resolve("P.npy").toString(), "--out", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        DenseMatrix nu = Npy.read(out.resolve("normalized_user.npy")).toMatrix();
        DenseMatrix nv = Npy.read(out.resolve("normalized_item.npy")).toMatrix();
        DenseMatrix prod = Blas.multiply(Transpose.NO, u, Transpose.YES, v);
        DenseMatrix back = Blas.multiply(Transpose.NO, nu, Transpose.YES, nv);
        for (int p = 0; p < prod.data().length; p++) {
            assertEquals(prod.data()[p], back.data()[p], 1e-12 * 10);
        }
        List<String> lines = Files.readAllLines(out.resolve("explanations.csv"));
        assertEquals("test_index,user,item,train_user,train_item,kind,score", lines.get(0));
        // pair (1,1): item 1 rated by user 0 (user-based), user 1 rated items 0 and 3 (item-based): 3 rows;
        // pair (2,0): item 0 rated by users 0, 1; user 2 rated items 2, 3: 4 rows
        assertEquals(1 + 3 + 4, lines.size());
        NormalizedEmbeddings e = NormalizedEmbeddings.of(new Factorization(u, v));
        // the user-based row of pair (1,1): rating (0,1)=1, alpha = -(pred - 1)
        double want = -(prod.get(0, 1) - 1) * e.userSimilarity(0, 1);
        boolean found = false;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f[0].equals("0") && f[5].equals("user")) {
                assertEquals("0", f[3]);
                assertEquals("1", f[4]);
                assertEquals(want, Double.parseDouble(f[6]), 1e-12);
                found = true;
            }
        }
        assertTrue(found);
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.contains("\"provenance\"") && summary.contains("sha256"), summary);
    }

    @Test
    void cfTrainsItselfFromUData() throws Exception {
        Path ml = movieLensLike(12, 10);
        Npy.write(dir.resolve("P.npy"), DenseMatrix.fromRows(new double[][] {{0, 0}, {3, 4}}));
        for (String train : new String[] {"als", "sgd", "soft-impute"}) {
            Path out = dir.resolve("out-" + train);
            Run r = run(new CfCommand(), "--ratings", ml.resolve("u.data").toString(), "--train", train,
                    "--rank", "3", "--epochs", "5", "--learning-rate", "0.2", "--batch-size", "16", "--lambda", "0.05",
                    "--test-pairs", dir.resolve("P.npy").toString(), "--out", out.toString(), "-q",
                    "--allow-unconverged"); // Soft-Impute's default 20 iterations stop short on this data (exit 3)
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(Files.exists(out.resolve("user_embeddings.npy")));
            assertTrue(Files.readString(out.resolve("summary.json")).contains("\"fit\""));
        }
    }

    @Test
    void badInputsExitWithTwoAndNameTheProblem() throws Exception {
        Path bad = dir.resolve("bad.data");
        Files.writeString(bad, "1\t1\t5\t0\n2\tx\t3\t0\n");
        Npy.write(dir.resolve("P.npy"), DenseMatrix.fromRows(new double[][] {{0, 0}}));
        Run r = run(new CfCommand(), "--ratings", bad.toString(), "--train", "als", "--test-pairs",
                dir.resolve("P.npy").toString(), "--out", dir.resolve("o").toString(), "-q");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("line 2: item id 'x' is not an integer"), r.toString());
        assertTrue(!Files.exists(dir.resolve("o").resolve("summary.json")));

        Path ml = movieLensLike(6, 5);
        Npy.write(dir.resolve("far.npy"), DenseMatrix.fromRows(new double[][] {{0, 99}}));
        r = run(new CfCommand(), "--ratings", ml.resolve("u.data").toString(), "--train", "als", "--test-pairs",
                dir.resolve("far.npy").toString(), "--out", dir.resolve("o").toString(), "-q");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("row 0: pair (0, 99) outside"), r.toString());

        Npy.write(dir.resolve("U.npy"), new DenseMatrix(6, 2));
        Npy.write(dir.resolve("V.npy"), new DenseMatrix(5, 3));
        r = run(new CfCommand(), "--ratings", ml.resolve("u.data").toString(), "--user-embeddings",
                dir.resolve("U.npy").toString(), "--item-embeddings", dir.resolve("V.npy").toString(), "--test-pairs",
                dir.resolve("P.npy").toString(), "--out", dir.resolve("o").toString(), "-q");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("has 3 columns"), r.toString());

        r = run(new CfCommand(), "--ratings", ml.resolve("u.data").toString(), "--test-pairs",
                dir.resolve("P.npy").toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--train"), r.toString());
    }

    @Test
    void explainRatingPrintsATable() throws Exception {
        Path ml = movieLensLike(15, 12);
        Run r = run(new CfExplainRatingCommand(), "--movielens", ml.toString(), "--user", "2", "--item", "3",
                "--rank", "3", "--epochs", "20", "--learning-rate", "0.2", "--batch-size", "16", "--top", "4");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("predicts user 2's rating of \"Movie \u00e9 3 (1995)\" (Animation)"), r.toString());
        assertTrue(r.out().contains("Importance"), r.toString());
        assertEquals(1 + 1 + 1 + 4 + 1, r.out().split("\n").length, r.toString());
        Run bad = run(new CfExplainRatingCommand(), "--movielens", ml.toString(), "--user", "99", "--item", "3");
        assertEquals(2, bad.exitCode(), bad.toString());
    }

    @Test
    void deletionCfWritesATable() throws Exception {
        Path ml = movieLensLike(20, 15);
        Path out = dir.resolve("del");
        Run r = run(new CfDeletionCommand(), "--ratings", ml.resolve("u.data").toString(), "--test-fraction", "0.2",
                "--test-points", "3", "--ks", "1,2", "--rank", "2", "--epochs", "5", "--learning-rate", "0.2",
                "--batch-size", "16", "--threads", "2", "--out", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("deletion.csv"));
        assertEquals(5, lines.size());
        assertTrue(lines.get(1).startsWith("high-dim,"));
        assertTrue(lines.get(4).startsWith("random,"));
        Run bad = run(new CfDeletionCommand(), "--ratings", ml.resolve("u.data").toString(), "--train", "als",
                "--out", out.toString(), "-q");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("TracInCP needs SGD"), bad.toString());
    }
}
