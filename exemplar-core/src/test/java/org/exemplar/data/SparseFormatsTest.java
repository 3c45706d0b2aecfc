package org.exemplar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseFormatsTest {
    @TempDir
    Path dir;

    static final double[][] FIXTURE = {{0, 1.5, 0, 0}, {0, 0, 0, 0}, {2.0, 0, 0, -3.25}, {0, 0, 4.0, 0}};

    static Path resource(String name) throws URISyntaxException {
        return Path.of(SparseFormatsTest.class.getResource("/org/exemplar/data/sparse/" + name).toURI());
    }

    @Test
    void readsScipySaveNpzUncompressedAndCompressed() throws Exception {
        for (String name : new String[] {"csr_fixture.npz", "csr_fixture_compressed.npz"}) {
            CsrMatrix m = SparseNpz.read(resource(name));
            assertArrayEquals(DenseMatrix.fromRows(FIXTURE).data(), m.toDense().data(), 0.0, name);
        }
    }

    @Test
    void writesWhatItReadsAndScipyLayoutIsKept() throws Exception {
        CsrMatrix m = CsrMatrix.fromDense(DenseMatrix.fromRows(FIXTURE));
        Path out = dir.resolve("m.npz");
        SparseNpz.write(out, m);
        assertEquals(m, SparseNpz.read(out));
        assertTrue(Npz.members(out).containsAll(java.util.List.of("data.npy", "indices.npy", "indptr.npy",
                "shape.npy", "format.npy")));
    }

    @Test
    void svmlightRoundTripWithQidCommentsAndBlankLines() throws IOException {
        Path f = dir.resolve("a.svm");
        Files.writeString(f, "# header comment\n+1 qid:3 1:0.5 4:2 # trailing\n\n-1 qid:3 2:1e-3\n0 qid:4\n");
        SparseData d = SvmLight.read(f);
        assertArrayEquals(new double[] {1, -1, 0}, d.labels());
        assertArrayEquals(new long[] {3, 3, 4}, d.queryIds());
        assertEquals(4, d.features().cols());
        assertArrayEquals(new double[] {0.5, 0, 0, 2}, d.features().denseRow(0));
        assertArrayEquals(new double[] {0, 1e-3, 0, 0}, d.features().denseRow(1));
        assertEquals(0, d.features().indptr()[3] - d.features().indptr()[2], "empty row");
        Path back = dir.resolve("b.svm");
        SvmLight.write(back, d);
        SparseData again = SvmLight.read(back);
        assertEquals(d.features(), again.features());
        assertArrayEquals(d.labels(), again.labels());
        // a wider width can be imposed (test set read with the training set's columns)
        assertEquals(10, SvmLight.read(f, 10).features().cols());
        assertNull(SvmLight.read(writeLines("1 1:1\n")).queryIds());
    }

    Path writeLines(String s) throws IOException {
        Path p = Files.createTempFile(dir, "x", ".svm");
        Files.writeString(p, s);
        return p;
    }

    @Test
    void malformedLinesNameTheLine() throws IOException {
        String[][] cases = {
            {"1 1:1\n1 0:2\n", "line 2", "1-based"},
            {"1 3:1 2:1\n", "line 1", "increase"},
            {"1 1:1\nabc 1:1\n", "line 2", "label"},
            {"1 1:x\n", "line 1", "not a number"},
            {"1 1\n", "line 1", "index:value"},
            {"1 1:NaN\n", "line 1", "NaN"},
            {"1 1:nan\n", "line 1", "not a number"},
        };
        for (String[] c : cases) {
            Path p = writeLines(c[0]);
            DataException e = assertThrows(DataException.class, () -> SvmLight.read(p), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), e.getMessage());
            assertTrue(e.getMessage().contains(p.getFileName().toString()));
        }
        Path tooWide = writeLines("1 11:1\n");
        assertThrows(DataException.class, () -> SvmLight.read(tooWide, 10));
    }

    @Test
    void csrKernelsAgreeWithDenseArithmetic() {
        DenseMatrix d = DenseMatrix.fromRows(FIXTURE);
        CsrMatrix m = CsrMatrix.fromDense(d);
        double[] x = {1, 2, 3, 4};
        double[] y = {1, -1, 0.5, 2};
        double[] ax = m.multiply(x);
        double[] aty = m.transposeMultiply(y);
        for (int i = 0; i < 4; i++) {
            double s = 0;
            double t = 0;
            for (int j = 0; j < 4; j++) {
                s += d.get(i, j) * x[j];
                t += d.get(j, i) * y[j];
            }
            assertEquals(s, ax[i], 0.0);
            assertEquals(t, aty[i], 0.0);
        }
        assertEquals(2.0 * 2.0 + 3.25 * 3.25, m.rowDot(2, m, 2), 0.0);
        assertEquals(0.0, m.rowDot(0, m, 2), 0.0);
        CsrMatrix sub = m.withoutRows(new int[] {1});
        assertEquals(3, sub.rows());
        assertArrayEquals(m.denseRow(2), sub.denseRow(1), 0.0);
        CsrMatrix norm = m.rowNormalized();
        assertEquals(1.0, norm.rowDot(2, norm, 2), 1e-15);
        assertThrows(IllegalArgumentException.class,
                () -> new CsrMatrix(1, 3, new int[] {0, 2}, new int[] {2, 1}, new double[] {1, 1}));
    }
}
