package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatingsFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsUDataWithOneBasedIdsAndIndexLists() throws Exception {
        Path p = write("u.data", "1\t2\t5\t881250949\n3\t1\t3\t891717742\n\n1\t1\t4\t878887116\n");
        Ratings r = RatingsFiles.read(p);
        assertEquals(3, r.size());
        assertEquals(3, r.numUsers());
        assertEquals(2, r.numItems());
        assertEquals(0, r.user(0));
        assertEquals(1, r.item(0));
        assertEquals(5.0, r.value(0));
        assertArrayEquals(new int[] {0, 2}, r.ofUser(0));
        assertArrayEquals(new int[] {1, 2}, r.ofItem(0));
        assertArrayEquals(new int[0], r.ofUser(1));
        assertEquals(2, r.find(0, 0));
        assertEquals(-1, r.find(1, 0));
    }

    @Test
    void reportsMalformedLinesWithTheirNumbers() throws Exception {
        assertMessage(write("a.data", "1\t1\t5\t0\n1\t2\n"), "line 2: expected 'user item rating [timestamp]', got 2 fields");
        assertMessage(write("b.data", "1\t1\t5\t0\nx\t2\t3\t0\n"), "line 2: user id 'x' is not an integer");
        assertMessage(write("c.data", "0\t1\t5\t0\n"), "line 1: user id 0 is not a 1-based id");
        assertMessage(write("d.data", "1\t1\tfive\t0\n"), "line 1: rating 'five' is not a number");
        assertMessage(write("e.data", "1\t1\tNaN\t0\n"), "line 1: rating 'NaN' is not finite");
        assertMessage(write("f.data", "1\t1\t4\t0\n2\t1\t4\t0\n1\t1\t3\t0\n"), "line 3: user 1 rated item 1 a second time");
        assertMessage(write("g.data", "1\t1\t4\t12.5\n"), "line 1: timestamp '12.5' is not an integer");
        assertMessage(write("h.data", "\n\n"), "holds no ratings");
        assertMessage(write("i.data", "1\t1\t4\t0\t9\n"), "line 1: expected");
    }

    private static void assertMessage(Path p, String fragment) {
        DataException e = assertThrows(DataException.class, () -> RatingsFiles.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void readsAndWritesNpyTriplets() {
        Ratings r = new Ratings(4, 3, new int[] {0, 3, 2}, new int[] {2, 0, 1}, new double[] {1.5, -1, 0.25});
        Path p = dir.resolve("r.npy");
        RatingsFiles.writeNpy(p, r);
        Ratings back = RatingsFiles.read(p);
        assertArrayEquals(r.users(), back.users());
        assertArrayEquals(r.items(), back.items());
        assertArrayEquals(r.values(), back.values());
        Path bad = dir.resolve("bad.npy");
        Npy.write(bad, DenseMatrix.fromRows(new double[][] {{0, 1.5, 3}}));
        DataException e = assertThrows(DataException.class, () -> RatingsFiles.read(bad));
        assertTrue(e.getMessage().contains("row 0: item index 1.5"), e.getMessage());
        Path shape = dir.resolve("shape.npy");
        Npy.write(shape, new DenseMatrix(2, 2));
        assertThrows(DataException.class, () -> RatingsFiles.read(shape));
    }

    @Test
    void seededSplitIsReproducibleAndPartitions() {
        Ratings r = CfTestData.lowRank(20, 15, 2, 0.5, 1);
        Ratings.Split a = r.split(0.2, 7);
        Ratings.Split b = r.split(0.2, 7);
        assertArrayEquals(a.test().users(), b.test().users());
        assertArrayEquals(a.test().items(), b.test().items());
        assertEquals(r.size(), a.train().size() + a.test().size());
        assertEquals(Math.round(0.2 * r.size()), a.test().size());
        for (int t = 0; t < a.test().size(); t++) {
            assertEquals(-1, a.train().find(a.test().user(t), a.test().item(t)));
        }
    }
}
