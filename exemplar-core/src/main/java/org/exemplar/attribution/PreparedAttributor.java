package org.exemplar.attribution;

import java.nio.file.Path;
import java.util.Map;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;

/**
 * A prepared attributor: the immutable, saveable artifact that preparation produced (the fit, the factorization,
 * alpha, the curvature solver, the embeddings), bound to its training set and able to score any number of test
 * sets. Obtained from a builder's {@code prepare(train)} ({@link Attributors}) or from {@link Attributors#load}.
 *
 * <p>Scoring streams the test x train matrix in row blocks into a {@link ScoreSink}, so no caller needs the dense
 * matrix; {@link #attribute} and {@link #topK} are the two common sinks. Every score follows the one sign
 * convention of the package ({@link Convention#SIGN}); the method's raw quantity is
 * {@code score / convention().rawFactor()}.
 *
 * <p>Scoring does not change the artifact: one instance may score from several threads at once (the contract
 * suite scores from four threads and requires the sequential result bit for bit).
 *
 * <p>Adding a method: subclass, implement {@link #rawScores} for one block of test points (the method's own
 * quantity and the block's diagnostics), {@link #convention}, {@link #writeState} and a static {@code load}
 * registered in {@link Attributors#load}; the contract test suite then applies unchanged.
 *
 * @param <Q> the test-set type (dense rows, sparse rows, user-item pairs)
 */
public abstract class PreparedAttributor<Q extends TestSet<Q>> {
    /** Most test points per streamed block. */
    public static final int DEFAULT_BLOCK_ROWS = 64;
    /** Scores held per block at most when the block size is chosen automatically (8M doubles = 64 MB). */
    public static final long BLOCK_BUDGET = 8L << 20;

    private final String name;
    private final String key;
    private final Provenance provenance;
    private final TrustDiagnostics diagnostics;

    /**
     * @param method      the method name (also the provenance's method)
     * @param name        a user name, or null for method-keyprefix
     * @param settings    every setting that changes a number (goes into the key and the provenance)
     * @param trainSha256 SHA-256 of the training data
     * @param seed        the seed used, or null
     * @param diagnostics of the preparation (fit stationarity, convergence)
     */
    protected PreparedAttributor(String method, String name, Map<String, Object> settings, String trainSha256,
                                 Long seed, TrustDiagnostics diagnostics) {
        this.key = Artifact.key(method, settings, trainSha256);
        this.name = name == null ? method + "-" + key.substring(0, 12) : name;
        this.provenance = new Provenance(method, new java.util.LinkedHashMap<>(settings),
                Map.of("train", "sha256:" + trainSha256), seed, Provenance.currentLibraryVersion(),
                System.getProperty("java.version"), org.exemplar.linalg.Blas.backend().description(),
                java.time.Instant.now());
        this.diagnostics = diagnostics;
    }

    /** Restores the identity of a saved artifact. */
    protected PreparedAttributor(Artifact.Reader r) {
        this.key = r.key();
        this.name = r.name();
        this.provenance = r.provenance();
        this.diagnostics = r.diagnostics();
    }

    /** The method name, e.g. "rps-l2". */
    public final String method() {
        return provenance.method();
    }

    /** The artifact's name (given to the builder, or method + key prefix). */
    public final String name() {
        return name;
    }

    /**
     * SHA-256 of (method, every setting that changes a number, training data hash): equal keys mean an artifact
     * can be reused; compare before any shortcut.
     */
    public final String key() {
        return key;
    }

    public final Provenance provenance() {
        return provenance;
    }

    /** Diagnostics of the preparation (fit stationarity and convergence). */
    public final TrustDiagnostics diagnostics() {
        return diagnostics;
    }

    /** What the scores explain, the raw quantity and the mapping. */
    public abstract Convention convention();

    /** Number of training points (columns of every score block). */
    public abstract int trainSize();

    /** The raw quantity for one block of test points, rows = test points, columns = all training points. */
    protected abstract RawBlock rawScores(Q block);

    /** Writes the arrays and settings needed to rebuild this scorer without refitting. */
    protected abstract void writeState(Artifact.Writer w);

    /** Whether {@link #selfInfluence()} is defined for this method. */
    public boolean hasSelfInfluence() {
        return false;
    }

    /** Self-influence of every training point (when {@link #hasSelfInfluence()}). */
    public SelfInfluence selfInfluence() {
        throw new UnsupportedOperationException(method() + " defines no self-influence");
    }

    /**
     * Streams the scores (sign of {@link Convention}) in blocks of at most {@code blockRows} test points.
     *
     * @return the preparation diagnostics merged with every block's
     */
    public final TrustDiagnostics score(Q test, int blockRows, ScoreSink sink) {
        if (blockRows < 1) {
            throw new IllegalArgumentException("blockRows must be >= 1, got " + blockRows);
        }
        double factor = convention().rawFactor();
        TrustDiagnostics d = diagnostics;
        int nt = test.size();
        for (int t0 = 0; t0 < nt; t0 += blockRows) {
            int t1 = Math.min(nt, t0 + blockRows);
            RawBlock b = rawScores(test.rows(t0, t1));
            DenseMatrix m = b.raw();
            if (m.rows() != t1 - t0 || m.cols() != trainSize()) {
                throw new IllegalStateException(method() + " returned a " + m.shapeString() + " block for "
                        + (t1 - t0) + " test points and " + trainSize() + " training points");
            }
            if (factor != 1.0) {
                double[] x = m.data();
                for (int k = 0; k < x.length; k++) {
                    x[k] *= factor;
                }
            }
            d = d.merge(b.diagnostics());
            sink.accept(t0, m);
        }
        return d;
    }

    /**
     * The block size the convenience methods use: {@link #DEFAULT_BLOCK_ROWS} test points, fewer when a block
     * would hold more than {@link #BLOCK_BUDGET} scores (a 1M-point training set gets blocks of 8 test points).
     */
    public final int defaultBlockRows() {
        return (int) Math.max(1, Math.min(DEFAULT_BLOCK_ROWS, BLOCK_BUDGET / Math.max(1, trainSize())));
    }

    /** The whole score matrix (n_test x n_train) with convention, diagnostics and provenance. */
    public final Attribution attribute(Q test) {
        DenseMatrix out = new DenseMatrix(test.size(), trainSize());
        TrustDiagnostics d = score(test, defaultBlockRows(), (first, block) ->
                System.arraycopy(block.data(), 0, out.data(), first * out.cols(), block.data().length));
        return new Attribution(out, convention(), d, provenance);
    }

    /** Top-k supporting and opposing training points of every test point, streamed (never the full matrix). */
    public final Ranking topK(Q test, int k) {
        TopKSink sink = new TopKSink(k);
        TrustDiagnostics d = score(test, defaultBlockRows(), sink);
        return new Ranking(sink.result(), convention(), d, provenance);
    }

    /** Saves the artifact into a new directory (all or nothing); reload with {@link Attributors#load}. */
    public final void save(Path dir) {
        Artifact.Writer w = new Artifact.Writer();
        writeState(w);
        Artifact.write(dir, this, w);
    }

    /**
     * Top-k rankings with their meaning and trust.
     *
     * @param topK        the rankings
     * @param convention  what the scores explain
     * @param diagnostics preparation and scoring diagnostics
     * @param provenance  of the artifact
     */
    public record Ranking(TopK topK, Convention convention, TrustDiagnostics diagnostics, Provenance provenance) {
        public java.util.List<RankedPoint> supporting(int t) {
            return topK.supporting(t);
        }

        public java.util.List<RankedPoint> opposing(int t) {
            return topK.opposing(t);
        }
    }
}
