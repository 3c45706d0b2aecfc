package org.exemplar.attribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;

/**
 * The result files every attribution writes, whatever the method (issue 11), into one folder:
 * <ul>
 *   <li>{@value #SCORES}: the n_test x n_train score matrix, float64, rows = test points, columns = training points,
 *       in the package's sign convention ({@link Convention#SIGN}); streamed block by block, never held whole. It is
 *       left out when the caller says so (a size limit, a command option), and the reason is then written in the
 *       summary ({@code scores_skipped});</li>
 *   <li>{@value #TOPK}: columns {@code test_index,rank,direction,train_index,score,raw}: per test point the k most
 *       supporting (largest positive score) and k most opposing (most negative) training points from one
 *       {@link TopKSink}, rank from 1, {@code raw = score / rawFactor} the method's own quantity;</li>
 *   <li>{@value #SUMMARY}: method, convention (explained output, raw quantity, factor, units, sign, orientation),
 *       shapes, k, which files were written, the trust diagnostics and the provenance given by the caller.</li>
 * </ul>
 * Use it as a {@link ScoreSink} (blocks in the convention's sign, or raw blocks through {@link #acceptRaw}) and call
 * {@link #finish} once every test row has arrived; {@link #close()} without finish leaves no scores file behind.
 * Files are written through temporary files and renamed, so a file either is complete or does not exist.
 */
public final class ResultFiles implements ScoreSink, AutoCloseable {
    /** The folder name the command-line tool uses inside its results folder. */
    public static final String FOLDER = "attribution";
    public static final String SCORES = "scores.npy";
    public static final String TOPK = "topk.csv";
    public static final String SUMMARY = "summary.json";
    /** The header of {@value #TOPK}. */
    public static final String[] TOPK_HEADER = {"test_index", "rank", "direction", "train_index", "score", "raw"};

    private final Path folder;
    private final Convention convention;
    private final int testSize;
    private final int trainSize;
    private final TopKSink topK;
    private final NpyScoreSink scores;
    private final String skipReason;
    private final Path sharedScores;
    private int next;
    private DenseMatrix scratch;

    private ResultFiles(Path folder, Convention convention, int testSize, int trainSize, int k, String skipReason,
                        Path sharedScores) {
        this.folder = Objects.requireNonNull(folder, "folder");
        this.convention = Objects.requireNonNull(convention, "convention");
        if (testSize < 0 || trainSize < 0) {
            throw new IllegalArgumentException("sizes must be >= 0, got " + testSize + " x " + trainSize);
        }
        this.testSize = testSize;
        this.trainSize = trainSize;
        this.topK = new TopKSink(k);
        this.skipReason = skipReason;
        this.sharedScores = sharedScores;
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder + ": " + e.getMessage(), e);
        }
        this.scores = skipReason == null && sharedScores == null
                ? new NpyScoreSink(folder.resolve(SCORES), testSize, trainSize) : null;
    }

    /**
     * Opens the files in {@code folder} (created if needed).
     *
     * @param k               supporting and opposing points per test point in {@value #TOPK} (&gt;= 0)
     * @param skipScoresReason null to write {@value #SCORES}; otherwise why it is not written (kept in the summary)
     */
    public static ResultFiles open(Path folder, Convention convention, int testSize, int trainSize, int k,
                                   String skipScoresReason) {
        return new ResultFiles(folder, convention, testSize, trainSize, k, skipScoresReason, null);
    }

    /**
     * Like {@link #open}, for a caller that writes the same score matrix (every accepted block, in this convention's
     * sign) to its own file {@code scoresFile} as well: instead of writing the n_test x n_train values a second
     * time, {@link #finish} puts a hard link to {@code scoresFile} in place of {@value #SCORES} (one copy on disk),
     * or, where the file system refuses hard links, a copy, with the reason in the summary
     * ({@code scores_shared_as}). {@code scoresFile} must be complete when {@link #finish} is called.
     */
    public static ResultFiles openSharing(Path folder, Convention convention, int testSize, int trainSize, int k,
                                          String skipScoresReason, Path scoresFile) {
        return new ResultFiles(folder, convention, testSize, trainSize, k, skipScoresReason,
                Objects.requireNonNull(scoresFile, "scoresFile"));
    }

    /**
     * The reason to skip a score matrix of n_test x n_train float64 values above {@code maxBytes}, or null when it
     * fits (the caller passes it to {@link #open}).
     */
    public static String sizeLimitReason(int testSize, int trainSize, long maxBytes, String option) {
        long bytes = 8L * testSize * trainSize + 128;
        if (bytes <= maxBytes) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "the %d x %d score matrix takes %.3f GB, above %s (%.3f GB)",
                testSize, trainSize, bytes / 1e9, option, maxBytes / 1e9);
    }

    /**
     * Writes the three files for a prepared attributor and a test set in one call (blocks of {@code blockRows}
     * test points; the scores never held whole) and returns the merged diagnostics.
     */
    public static <Q extends TestSet<Q>> TrustDiagnostics write(Path folder, PreparedAttributor<Q> attributor, Q test,
                                                                int k, int blockRows, String skipScoresReason) {
        try (ResultFiles files = open(folder, attributor.convention(), test.size(), attributor.trainSize(), k,
                skipScoresReason)) {
            TrustDiagnostics d = attributor.score(test, blockRows, files);
            files.finish(d, attributor.provenance(), Map.of("artifact_key", attributor.key()));
            return d;
        }
    }

    /** Writes the three files for a result already in memory. */
    public static void write(Path folder, Attribution attribution, int k, Object provenance) {
        try (ResultFiles files = open(folder, attribution.convention(), attribution.testSize(),
                attribution.trainSize(), k, null)) {
            files.accept(0, attribution.scores());
            files.finish(attribution.diagnostics(), attribution.provenance(), Map.of());
        }
    }

    /** The ranking of the blocks accepted so far (the one {@value #TOPK} is written from). */
    public TopK ranking() {
        return topK.result();
    }

    public Convention convention() {
        return convention;
    }

    /** A block already in the convention's sign (rows firstTest.., every training column). */
    @Override
    public void accept(int firstTest, DenseMatrix block) {
        if (firstTest != next) {
            throw new IllegalStateException("blocks out of order: expected test row " + next + ", got " + firstTest);
        }
        if (block.cols() != trainSize) {
            throw new IllegalArgumentException("block has " + block.cols() + " columns, expected " + trainSize);
        }
        if (next + block.rows() > testSize) {
            throw new IllegalArgumentException("more than " + testSize + " test rows");
        }
        topK.accept(firstTest, block);
        if (scores != null) {
            scores.accept(firstTest, block);
        }
        next += block.rows();
    }

    /**
     * A block of the method's raw quantity ({@code rows x trainSize} values from {@code offset} of {@code raw},
     * row-major): multiplied by the convention's factor, then {@link #accept}ed. The array is not changed.
     */
    public void acceptRaw(int firstTest, double[] raw, int offset, int rows) {
        if (scratch == null || scratch.rows() != rows) {
            scratch = new DenseMatrix(rows, trainSize);
        }
        double f = convention.rawFactor();
        double[] d = scratch.data();
        for (int q = 0; q < d.length; q++) {
            d[q] = f * raw[offset + q];
        }
        accept(firstTest, scratch);
    }

    /** A whole raw matrix (rows = test points). */
    public void acceptRaw(DenseMatrix raw) {
        acceptRaw(next, raw.data(), 0, raw.rows());
    }

    /**
     * Writes {@value #TOPK} and {@value #SUMMARY} and puts {@value #SCORES} in place.
     *
     * @param diagnostics the result's trust diagnostics
     * @param provenance  what produced it (a {@link org.exemplar.io.Provenance} or the caller's map), as JSON
     * @param extra       further summary entries (settings the caller wants next to the scores), may be empty
     */
    public void finish(TrustDiagnostics diagnostics, Object provenance, Map<String, ?> extra) {
        if (next != testSize) {
            throw new IllegalStateException("finish after " + next + " of " + testSize + " test rows");
        }
        TopK top = topK.result();
        List<Object[]> rows = new ArrayList<>();
        for (int t = 0; t < top.testSize(); t++) {
            addRows(rows, t, "supporting", top.supporting(t));
            addRows(rows, t, "opposing", top.opposing(t));
        }
        Csv.write(folder.resolve(TOPK), TOPK_HEADER, rows);
        if (scores != null) {
            scores.commit();
        }
        String sharedAs = skipReason == null && sharedScores != null ? linkOrCopy(sharedScores, folder.resolve(SCORES))
                : null;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", convention.method());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sign", Convention.SIGN);
        c.put("orientation", Convention.ORIENTATION);
        c.put("explained", convention.explained());
        c.put("raw", convention.raw());
        c.put("raw_factor", convention.rawFactor());
        c.put("units", convention.units());
        s.put("convention", c);
        s.put("n_test", testSize);
        s.put("n_train", trainSize);
        s.put("top_k", topK.result().k());
        s.put("scores", skipReason == null ? SCORES : null);
        s.put("scores_skipped", skipReason);
        if (sharedAs != null) {
            s.put("scores_shared_with", folder.toAbsolutePath().relativize(sharedScores.toAbsolutePath()).toString());
            s.put("scores_shared_as", sharedAs);
        }
        s.put("topk", TOPK);
        s.put("diagnostics", diagnostics == null ? TrustDiagnostics.none() : diagnostics);
        s.putAll(extra);
        s.put("provenance", provenance);
        AtomicFiles.writeString(folder.resolve(SUMMARY), Json.write(s));
    }

    /**
     * Puts {@code link} in place as a hard link to {@code source} and returns "hard link"; where the file system
     * refuses (no hard links, another device), copies it and says why.
     */
    static String linkOrCopy(Path source, Path link) {
        if (!Files.isRegularFile(source)) {
            throw new IllegalStateException("the shared score file " + source + " is not there (finish it first)");
        }
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, source);
            return "hard link";
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            try {
                AtomicFiles.write(link, os -> Files.copy(source, os));
            } catch (RuntimeException c) {
                c.addSuppressed(e);
                throw c;
            }
            return "copy (hard link refused: " + e + ")";
        }
    }

    private void addRows(List<Object[]> rows, int t, String direction, List<RankedPoint> points) {
        int rank = 1;
        for (RankedPoint p : points) {
            rows.add(new Object[] {t, rank++, direction, p.trainIndex(), p.score(), convention.toRaw(p.score())});
        }
    }

    @Override
    public void close() {
        if (scores != null) {
            scores.close();
        }
    }
}
