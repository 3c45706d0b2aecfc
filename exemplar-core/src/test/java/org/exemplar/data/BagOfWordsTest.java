package org.exemplar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BagOfWordsTest {
    @TempDir
    Path dir;

    void corpus() throws IOException {
        Files.createDirectories(dir.resolve("pos"));
        Files.createDirectories(dir.resolve("neg"));
        Files.writeString(dir.resolve("pos/1_9.txt"), "Great film!<br />Great cast, didn't disappoint.");
        Files.writeString(dir.resolve("pos/0_8.txt"), "A well-made film");
        Files.writeString(dir.resolve("neg/5_1.txt"), "Bad. BAD film?");
    }

    @Test
    void tokenizesCountsAndOrdersDocumentsAndClasses() throws IOException {
        corpus();
        assertEquals(List.of("great", "film", "!", "great", "cast", "didn't", "disappoint"),
                BagOfWords.tokens("Great film!<br />Great cast, didn't disappoint."));
        List<String> vocab = List.of("film", "great", "bad", "?", "well-made", "didn't");
        BagOfWords.Corpus c = BagOfWords.read(dir, vocab, new BagOfWords.Options(false, false, 1), null);
        assertEquals(List.of("neg", "pos"), c.classes());
        assertEquals(List.of("neg/5_1.txt", "pos/0_8.txt", "pos/1_9.txt"), c.documents());
        assertArrayEquals(new double[] {0, 1, 1}, c.labels());
        assertArrayEquals(new double[] {1, 0, 2, 1, 0, 0}, c.features().denseRow(0)); // film, bad x2, ?
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, c.features().denseRow(1));
        assertArrayEquals(new double[] {1, 2, 0, 0, 0, 1}, c.features().denseRow(2));

        BagOfWords.Corpus logNorm = BagOfWords.read(dir, vocab, new BagOfWords.Options(true, true, 1), null);
        double[] r = logNorm.features().denseRow(2);
        double a = Math.log1p(1);
        double b = Math.log1p(2);
        double norm = Math.sqrt(2 * a * a + b * b);
        assertArrayEquals(new double[] {a / norm, b / norm, 0, 0, 0, a / norm}, r, 1e-15);
    }

    @Test
    void builtVocabularyIsSortedByCountAndRespectsMinCount() throws IOException {
        corpus();
        BagOfWords.Corpus c = BagOfWords.read(dir, null, new BagOfWords.Options(false, false, 2), null);
        assertEquals(List.of("film", "bad", "great"), c.vocabulary());
    }

    @Test
    void aFolderWithoutClassFoldersIsAnError() throws IOException {
        Files.createDirectories(dir.resolve("only"));
        DataException e = assertThrows(DataException.class,
                () -> BagOfWords.read(dir, null, new BagOfWords.Options(false, false, 1), null));
        assertTrue(e.getMessage().contains("class folder"), e.getMessage());
    }
}
