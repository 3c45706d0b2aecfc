package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 13 at the command line: a tiny svmlight file whose one index implies two billion columns is
 * refused with exit 2 and a message naming the file and the line, before any training (it used to end in an
 * OutOfMemoryError with a stack trace).
 */
class OversizedInputCliTest {
    @TempDir
    Path dir;

    @Test
    void svmlightIndexOfTwoBillionIsExitTwoNamingFileAndLine() throws IOException {
        Path train = Files.writeString(dir.resolve("huge.svm"), "1 1:0.5 2:1\n-1 2000000000:1\n1 3:2\n");
        Path test = Files.writeString(dir.resolve("test.svm"), "1 1:0.5\n");
        Path out = dir.resolve("o");
        CliTestSupport.Run r = CliTestSupport.run("hdrep", "l1", "--train", train.toString(), "--test",
                test.toString(), "--lambda", "0.01", "--out", out.toString(), "-q");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("huge.svm") && r.err().contains("line 2")
                && r.err().contains("feature index 2000000000"), r.err());
        assertFalse(r.err().contains("OutOfMemoryError") || r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(out.resolve("summary.json")));
    }
}
