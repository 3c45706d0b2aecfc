package org.exemplar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.data.Npy;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's quick start on generated .npy files, so it cannot rot. */
class QuickStartTest {

    private static void write(Path dir, String name, int n, SplittableRandom r) {
        DenseMatrix x = new DenseMatrix(n, 3);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < 3; j++) {
                x.set(i, j, r.nextGaussian());
                s += (j + 1) * x.get(i, j);
            }
            y[i] = s + 0.5 * r.nextGaussian() > 0 ? 1 : 0;
        }
        Npy.write(dir.resolve(name + "_x.npy"), x);
        Npy.write(dir.resolve(name + "_y.npy"), y);
    }

    @Test
    void printsTheTopFiveSupportingTrainingPointsOfEveryTestPoint(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(1);
        write(dir, "train", 60, r);
        write(dir, "test", 4, r);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[] {dir.toString()});
        } finally {
            System.setOut(old);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(5, lines.length, String.join("\n", lines));
        for (int t = 0; t < 4; t++) {
            assertTrue(lines[t].startsWith("test " + t + ":"), lines[t]);
            assertEquals(5, lines[t].split(" #").length - 1, "five supporting points: " + lines[t]);
        }
        assertTrue(lines[4].contains("converged=true"), lines[4]);
    }
}
