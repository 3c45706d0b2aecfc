package org.exemplar.data;

import static org.exemplar.data.Fixtures.assertDataError;
import static org.exemplar.data.Fixtures.assertMatrixEquals;
import static org.exemplar.data.Fixtures.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path tmp;

    private Path csv(String text) throws IOException {
        return Files.writeString(tmp.resolve("data.csv"), text, StandardCharsets.UTF_8);
    }

    private static DenseMatrix m(int rows, int cols, double... v) {
        return new DenseMatrix(rows, cols, v);
    }

    @Test
    void autodetectsHeader() throws IOException {
        Path p = csv("x1,x2,label\n1,2.5,0\n-3e2, 4 ,1\n\n\n");
        CsvTable t = Csv.read(p);
        assertEquals(List.of("x1", "x2", "label"), t.header());
        assertTrue(t.hasHeader());
        assertMatrixEquals(m(2, 3, 1, 2.5, 0, -300, 4, 1), t.data());
        assertMatrixEquals(t.data(), Csv.readMatrix(p));
        assertMatrixEquals(t.data(), Csv.readMatrix(p, true));
    }

    @Test
    void noHeader() throws IOException {
        Path p = csv("\uFEFF1,2\r\n3,4\r\n# a comment\r\n5,6");
        CsvTable t = Csv.read(p);
        assertFalse(t.hasHeader());
        assertMatrixEquals(m(3, 2, 1, 2, 3, 4, 5, 6), t.data());
        assertMatrixEquals(m(2, 2, 3, 4, 5, 6), Csv.readMatrix(p, true)); // first line taken as header
    }

    @Test
    void specialValuesAndQuotes() throws IOException {
        Path p = csv("nan,inf,-inf,\"1.5\",+2,Infinity,NaN\n");
        DenseMatrix r = Csv.readMatrix(p, false);
        assertTrue(Double.isNaN(r.get(0, 0)));
        assertEquals(Double.POSITIVE_INFINITY, r.get(0, 1));
        assertEquals(Double.NEGATIVE_INFINITY, r.get(0, 2));
        assertEquals(1.5, r.get(0, 3));
        assertEquals(2.0, r.get(0, 4));
        assertEquals(Double.POSITIVE_INFINITY, r.get(0, 5));
        assertTrue(Double.isNaN(r.get(0, 6)));
    }

    @Test
    void emptyFile() throws IOException {
        DenseMatrix r = Csv.readMatrix(csv(""));
        assertEquals(0, r.rows());
        assertEquals(0, Csv.readMatrix(csv("a,b\n")).rows());
        assertEquals(2, Csv.readMatrix(csv("a,b\n")).cols());
    }

    @Test
    void raggedRowNamesTheLine() throws IOException {
        Path p = csv("a,b\n1,2\n3,4,5\n");
        assertDataError(p, () -> Csv.readMatrix(p), "line 3", "ragged row with 3 fields, expected 2");
        Path q = csv("1,2\n3\n");
        assertDataError(q, () -> Csv.readMatrix(q), "line 2", "1 fields, expected 2", "as on line 1");
    }

    @Test
    void unparsableNumberNamesLineAndColumn() throws IOException {
        Path p = csv("a,b\n1,2\n3,abc\n");
        assertDataError(p, () -> Csv.readMatrix(p), "line 3, column 2", "cannot parse 'abc'");
        Path q = csv("1,,3\n");
        assertDataError(q, () -> Csv.readMatrix(q, false), "line 1, column 2", "empty field");
        Path r = csv("1,2\n1d,2\n");
        assertDataError(r, () -> Csv.readMatrix(r), "line 2, column 1", "'1d'");
        Path s = csv("1,2\n\n3,4\n");
        assertDataError(s, () -> Csv.readMatrix(s), "line 2", "blank line inside the data");
        Path u = csv("1,\"2\n");
        assertDataError(u, () -> Csv.readMatrix(u), "line 1, column 2", "unterminated quoted field");
        Path missing = tmp.resolve("missing.csv");
        assertDataError(missing, () -> Csv.readMatrix(missing), "file not found");
        Path bin = Files.write(tmp.resolve("bin.csv"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertDataError(bin, () -> Csv.readMatrix(bin), "not valid UTF-8");
    }

    @Test
    void writesWithQuoting() throws IOException {
        Path p = tmp.resolve("topk.csv");
        Csv.write(p, new String[] {"test_index", "rank", "train_index", "score", "note"}, List.of(
                new Object[] {0, 1, 17, 0.25, "plain"},
                new Object[] {0, 2, 3, -1.0E-5, "has, comma"},
                new Object[] {1, 1, 4L, Double.NaN, "say \"hi\""},
                new Object[] {1, 2, 5, 2.5f, null},
                new Object[] {2, 1, 6, 1e300, "two\nlines"}));
        assertEquals("test_index,rank,train_index,score,note\n"
                + "0,1,17,0.25,plain\n"
                + "0,2,3,-1.0E-5,\"has, comma\"\n"
                + "1,1,4,NaN,\"say \"\"hi\"\"\"\n"
                + "1,2,5,2.5,\n"
                + "2,1,6,1.0E300,\"two\nlines\"\n", Files.readString(p));
        assertEquals(List.of("a", "b,c", "d\"e"),
                Csv.split("a,\"b,c\",\"d\"\"e\"", 1, p));
        assertThrows(IllegalArgumentException.class,
                () -> Csv.write(tmp.resolve("bad.csv"), new String[] {"a"}, List.<Object[]>of(new Object[] {1, 2})));
        assertArrayEquals(new String[] {"topk.csv"}, list(tmp));
    }

    @Test
    void matrixRoundTripsExactly() {
        DenseMatrix m = NpyRoundTripTest.random(20, 4, 11);
        m.set(3, 2, Double.NaN);
        m.set(4, 1, Double.NEGATIVE_INFINITY);
        m.set(5, 0, -0.0);
        Path p = tmp.resolve("m.csv");
        Csv.writeMatrix(p, new String[] {"a", "b", "c", "d"}, m);
        CsvTable t = Csv.read(p);
        assertEquals(List.of("a", "b", "c", "d"), t.header());
        assertMatrixEquals(m, t.data());
        Path q = tmp.resolve("n.csv");
        Csv.writeMatrix(q, null, m);
        assertMatrixEquals(m, Csv.readMatrix(q));
    }
}
