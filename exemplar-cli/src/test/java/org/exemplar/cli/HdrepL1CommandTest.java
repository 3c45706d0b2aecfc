package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.data.SparseData;
import org.exemplar.data.SparseNpz;
import org.exemplar.data.SvmLight;
import org.exemplar.io.Json;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HdrepL1CommandTest {
    @TempDir
    Path dir;

    Path train;
    Path test;

    static SparseData data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix d = new DenseMatrix(n, 30);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < 30; j++) {
                if (r.nextDouble() < 0.25) {
                    d.set(i, j, r.nextDouble());
                }
            }
            z = 2 * d.get(i, 0) - 2 * d.get(i, 1) + d.get(i, 2) - 0.3;
            y[i] = (z + 0.3 * r.nextGaussian()) > 0 ? 1 : 0;
        }
        return new SparseData(CsrMatrix.fromDense(d), y, null);
    }

    @BeforeEach
    void write() {
        train = dir.resolve("train.svm");
        test = dir.resolve("test.svm");
        SvmLight.write(train, data(200, 1));
        SvmLight.write(test, data(15, 2));
    }

    @Test
    void l1WritesOutputsWhoseValuesSumToThePredictions() throws IOException {
        Path out = dir.resolve("l1");
        CliTestSupport.Run r = CliTestSupport.run("hdrep", "l1", "--train", train.toString(), "--test", test.toString(),
                "--lambda", "0.005", "--bias", "--influence", "--tolerance", "1e-10", "--out", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("converged").asBoolean());
        assertTrue(s.get("kkt_residual").asDouble() <= 1e-9, s.toString());
        assertTrue(s.get("decomposition_error").asDouble() < 1e-8, s.toString());
        double[] theta = Npy.read(out.resolve("theta.npy")).toDoubleArray();
        DenseMatrix values = Npy.read(out.resolve("values.npy")).toMatrix();
        assertEquals(15, values.rows());
        assertEquals(200, values.cols());
        assertEquals(values.rows(), Npy.read(out.resolve("l2rep.npy")).toMatrix().rows());
        assertEquals(values.rows(), Npy.read(out.resolve("influence.npy")).toMatrix().rows());
        CsrMatrix xt = SvmLight.read(test, theta.length).features();
        double b = s.get("bias_term").asDouble();
        for (int t = 0; t < 15; t++) {
            double sum = 0;
            for (int i = 0; i < 200; i++) {
                sum += values.get(t, i);
            }
            // Corollary 2 at a KKT residual <= 1e-9: exact up to ~1e-9 relative
            assertEquals(xt.rowDot(t, theta) + b, sum + b, 1e-8 * (1 + Math.abs(sum)));
        }
    }

    @Test
    void badLabelsAndMalformedLinesAreClearErrors() throws IOException {
        Path bad = dir.resolve("bad.svm");
        Files.writeString(bad, "1 1:0.5\n2 2:1\n");
        CliTestSupport.Run r = CliTestSupport.run("hdrep", "l1", "--train", bad.toString(), "--test", test.toString(),
                "--lambda", "0.01", "--out", dir.resolve("o").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("bad.svm") && r.err().contains("row 1"), r.err());
        Files.writeString(bad, "1 1:0.5\n0 3:1 2:1\n");
        r = CliTestSupport.run("hdrep", "l1", "--train", bad.toString(), "--test", test.toString(), "--lambda", "0.01",
                "--out", dir.resolve("o").toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("line 2"), r.err());
        assertFalse(Files.exists(dir.resolve("o").resolve("summary.json")));
    }

    @Test
    void deletionDiagnosticsAndBagOfWordsRunEndToEnd() throws IOException {
        Path out = dir.resolve("del");
        CliTestSupport.Run r = CliTestSupport.run("evaluate", "deletion", "l1", "--train", train.toString(), "--test",
                test.toString(), "--lambda", "0.005", "--test-points", "3", "--ks", "2,4", "--threads", "2", "--out",
                out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("| high-dim representer |"), r.out());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(4, s.get("results").size());
        List<String> agg = Files.readAllLines(out.resolve("deletion.csv"));
        assertEquals(1 + 4 * 2, agg.size());
        // per_test.csv: 4 methods x 3 test points x 2 k; its per-(method, k) means are deletion.csv's means
        List<String> per = Files.readAllLines(out.resolve("per_test.csv"));
        assertEquals("method,test_index,k,del_plus,del_minus", per.get(0));
        assertEquals(1 + 4 * 3 * 2, per.size());
        for (String line : agg.subList(1, agg.size())) {
            String[] f = line.split(",");
            double sumPlus = 0;
            double sumMinus = 0;
            for (String p : per.subList(1, per.size())) {
                String[] g = p.split(",");
                if (g[0].equals(f[0]) && g[2].equals(f[1])) {
                    sumPlus += Double.parseDouble(g[3]);
                    sumMinus += Double.parseDouble(g[4]);
                }
            }
            assertEquals(Double.parseDouble(f[2]), sumPlus / 3, 1e-12, line);
            assertEquals(Double.parseDouble(f[4]), sumMinus / 3, 1e-12, line);
        }

        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus.resolve("neg"));
        Files.createDirectories(corpus.resolve("pos"));
        Files.writeString(corpus.resolve("neg/a.txt"), "awful plot, awful acting");
        Files.writeString(corpus.resolve("pos/b.txt"), "wonderful acting!");
        Path npz = dir.resolve("bow.npz");
        r = CliTestSupport.run("text", "bow", "--corpus", corpus.toString(), "--out", npz.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        CsrMatrix m = SparseNpz.read(npz);
        assertEquals(2, m.rows());
        assertEquals(2, Npy.read(dir.resolve("bow.labels.npy")).toDoubleArray().length);
    }
}
