package org.exemplar.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.data.DataException;
import org.exemplar.index.Direction;
import org.exemplar.index.Explanation;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.MipsForm;

/**
 * Approximate top-k through Lucene's HNSW graphs (lucene-core, maximum inner product) for every index whose exact
 * score is one inner product of a stored key with a query vector ({@link MipsForm}, from {@link ExplanationIndex#mips}):
 * rps-l2, whose score alpha_{ic} f_i^T f_t = k_{ic}^T f_t with k_{ic} = alpha_{ic} f_i gets one graph per output
 * column, and the inner-product kinds (kfac, ekfac, trak, tracin-mlp, representer-l1), whose score q_t . k_i over the
 * stored training keys gets one graph. One graph answers both lists: supporting = the largest inner products with
 * q_t, opposing = the largest with -q_t. The graph proposes {@code max(k, ef)} candidates, which are re-scored
 * exactly ({@link MipsForm#score}, from the mapped rows); the answer says exact = false. Kinds scored through the
 * library (influence, ntk, cf-mf, cf-nuclear, fia, tracin-cp) are refused at build time, naming the method.
 */
public final class LuceneAnn implements AnnSearch {
    static final String FIELD = "key";
    /** Candidates asked of the graph per list (Lucene's search beam); raise for higher recall. */
    public static final int DEFAULT_EF = 100;

    private final ExplanationIndex index;
    private final MipsForm form;
    private final List<DirectoryReader> readers = new ArrayList<>();
    private final List<IndexSearcher> searchers = new ArrayList<>();
    private final int ef;

    private LuceneAnn(ExplanationIndex index, int ef) throws IOException {
        this.index = index;
        this.form = index.mips();
        this.ef = ef;
        for (int j = 0; j < form.sets(); j++) {
            Path d = dir(index, j);
            if (!Files.isDirectory(d)) {
                throw new DataException(d, "missing: build the index with 'exemplar index build --ann'");
            }
            DirectoryReader r = DirectoryReader.open(FSDirectory.open(d));
            readers.add(r);
            searchers.add(new IndexSearcher(r));
        }
    }

    static Path dir(ExplanationIndex index, int column) {
        return index.directory().resolve("ann").resolve("column-" + column);
    }

    /** Opens the graphs recorded in the index (refuses an index built without --ann). */
    public static LuceneAnn open(ExplanationIndex index) {
        return open(index, DEFAULT_EF);
    }

    public static LuceneAnn open(ExplanationIndex index, int ef) {
        JsonNode a = index.metadata().path("ann");
        if (a.isMissingNode() || a.isNull()) {
            throw new DataException(index.directory(), "has no ANN graphs: build it with 'exemplar index build --ann'");
        }
        if (!"lucene-hnsw-mip".equals(a.path("kind").asText())) {
            throw new DataException(index.directory(), "ANN kind '" + a.path("kind").asText() + "' is not known");
        }
        try {
            return new LuceneAnn(index, ef);
        } catch (IOException e) {
            throw new DataException(index.directory(), "cannot open the ANN graphs: " + e.getMessage(), e);
        }
    }

    /** Builds the HNSW graphs of {@link MipsForm#sets()} (float32 vectors, one indexing thread). */
    public static void build(ExplanationIndex index, int maxConn, int beamWidth) {
        build(index, maxConn, beamWidth, 1, false);
    }

    /**
     * Builds one HNSW graph per key set of {@link ExplanationIndex#mips()} (rps-l2: per output column; inner-product
     * kinds: one) into {@code index/ann} and records the parameters in index.json.
     *
     * @throws IllegalArgumentException naming the method, for an index scored through the library (no inner-product
     *                                  form: influence, ntk, cf-mf, cf-nuclear, fia, tracin-cp)
     *
     * @param threads indexing threads: each fills its own segment (and graph) in parallel, then the segments are
     *                merged into one by {@code threads} merge workers (Lucene's concurrent HNSW merge); 1 = one thread,
     *                reproducible graph
     * @param int8    store the vectors int8 scalar-quantized (Lucene99HnswScalarQuantizedVectorsFormat, 7 bits):
     *                a quarter of the vector bytes for the graph's distance computations; the candidates are
     *                re-scored exactly from the mapped rows either way
     */
    public static void build(ExplanationIndex index, int maxConn, int beamWidth, int threads, boolean int8) {
        MipsForm form = index.mips();   // IllegalArgumentException naming the method when there is none
        if (threads < 1) {
            throw new IllegalArgumentException("ANN build threads must be >= 1, got " + threads);
        }
        Path root = index.directory().resolve("ann");
        if (Files.exists(root)) {
            throw new DataException(root, "already exists");
        }
        java.util.concurrent.ExecutorService exec = threads > 1
                ? java.util.concurrent.Executors.newFixedThreadPool(threads) : null;
        try {
            for (int j = 0; j < form.sets(); j++) {
                IndexWriterConfig cfg = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                        .setRAMBufferSizeMB(1024).setCodec(new Lucene912Codec() {
                            @Override
                            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                                if (int8) {
                                    return new Lucene99HnswScalarQuantizedVectorsFormat(maxConn, beamWidth,
                                            threads, 7, false, null, exec);
                                }
                                return threads > 1 ? new Lucene99HnswVectorsFormat(maxConn, beamWidth, threads, exec)
                                        : new Lucene99HnswVectorsFormat(maxConn, beamWidth);
                            }
                        });
                final int col = j;
                try (IndexWriter w = new IndexWriter(FSDirectory.open(Files.createDirectories(dir(index, j))), cfg)) {
                    int n = index.size();
                    int per = (n + threads - 1) / threads;
                    List<java.util.concurrent.Future<?>> parts = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int from = t * per;
                        int to = Math.min(n, from + per);
                        Runnable add = () -> {
                            try {
                                for (int i = from; i < to; i++) {
                                    Document doc = new Document();
                                    doc.add(new KnnFloatVectorField(FIELD, form.key(i, col),
                                            VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT));
                                    doc.add(new NumericDocValuesField("id", i));
                                    w.addDocument(doc);
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        };
                        if (exec == null) {
                            add.run();
                        } else {
                            parts.add(exec.submit(add));
                        }
                    }
                    for (java.util.concurrent.Future<?> f : parts) {
                        f.get();
                    }
                    w.forceMerge(1);
                    w.commit();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ANN build interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            if (exec != null) {
                exec.shutdownNow();
            }
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("kind", "lucene-hnsw-mip");
        p.put("library", "org.apache.lucene:lucene-core " + org.apache.lucene.util.Version.LATEST);
        p.put("similarity", form.describe());
        p.put("graphs", form.sets());
        p.put("keyWidth", form.width());
        p.put("maxConn", maxConn);
        p.put("beamWidth", beamWidth);
        p.put("buildThreads", threads);
        p.put("quantization", int8 ? "int8 (Lucene99HnswScalarQuantizedVectorsFormat, 7 bits)" : "none (float32)");
        p.put("defaultEf", DEFAULT_EF);
        p.put("rerank", "candidates re-scored exactly from the mapped rows");
        ExplanationIndex.recordAnn(index.directory(), p);
    }

    @Override
    public Explanation explain(double[] f, Integer cls, int k, Direction dir) {
        double[] out = index.outputs(f);
        int pred = index.predictedClassOf(out);
        int c = cls == null ? pred : cls;
        if (c < 0 || c >= index.classes()) {
            throw new IllegalArgumentException("class " + c + " outside [0, " + index.classes() + ")");
        }
        MipsForm.Query mq = form.query(f, c);
        List<RankedPoint> sup = dir.wantsSupporting() ? search(mq, k, true) : List.of();
        List<RankedPoint> opp = dir.wantsOpposing() ? search(mq, k, false) : List.of();
        return new Explanation(pred, c, out, sup, opp, false, Double.NaN);
    }

    /** Training row {@code id} as the query, its class resolved as the exact search does it. */
    @Override
    public Explanation explainTraining(int id, Integer cls, int k, Direction dir) {
        return explain(index.trainingFeatures(id), index.trainingQueryClass(id, cls), k, dir);
    }

    /** Candidates of the largest q . k_i (positive) or (-q) . k_i, re-scored exactly, the k best with the right sign. */
    private List<RankedPoint> search(MipsForm.Query mq, int k, boolean positive) {
        double s = positive ? 1.0 : -1.0;
        double[] v = mq.vector();
        float[] q = new float[v.length];
        for (int j = 0; j < q.length; j++) {
            q[j] = (float) (s * v[j]);
        }
        int cand = Math.max(k, ef);
        List<RankedPoint> got = new ArrayList<>();
        try {
            IndexSearcher searcher = searchers.get(mq.set());
            TopDocs td = searcher.search(new KnnFloatVectorQuery(FIELD, q, cand), cand);
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            for (ScoreDoc sd : td.scoreDocs) {
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                NumericDocValues ids = leaf.reader().getNumericDocValues("id");
                if (ids == null || !ids.advanceExact(sd.doc - leaf.docBase)) {
                    throw new IllegalStateException("ANN document " + sd.doc + " has no id");
                }
                int i = (int) ids.longValue();
                double score = form.score(i, mq);
                if (positive ? score > 0 : score < 0) {
                    got.add(new RankedPoint(i, score));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Comparator<RankedPoint> order = positive
                ? Comparator.comparingDouble((RankedPoint p) -> -p.score()).thenComparingInt(RankedPoint::trainIndex)
                : Comparator.comparingDouble(RankedPoint::score).thenComparingInt(RankedPoint::trainIndex);
        got.sort(order);
        return List.copyOf(got.subList(0, Math.min(k, got.size())));
    }

    /** The bytes of every file in the opened commit of each column's graph (segments, vectors, graph, doc values). */
    @Override
    public long dataBytes() {
        long s = 0;
        try {
            for (DirectoryReader r : readers) {
                for (String f : r.getIndexCommit().getFileNames()) {
                    s += r.directory().fileLength(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    @Override
    public void close() {
        for (DirectoryReader r : readers) {
            try {
                r.close();
            } catch (IOException ignored) {
                // closing a reader of a read-only folder
            }
        }
    }
}
