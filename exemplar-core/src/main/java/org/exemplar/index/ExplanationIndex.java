package org.exemplar.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.exemplar.attribution.Artifact;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Convention;
import org.exemplar.attribution.InfluenceAttributor;
import org.exemplar.attribution.KfacAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.RankedPoint;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.attribution.SelfInfluence;
import org.exemplar.attribution.SparseRepresenterAttributor;
import org.exemplar.attribution.TopK;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.representer.RepresenterPoints;

/**
 * An explanation index: what a query needs to rank the training set against a new point, memory-mapped from a
 * directory built from a saved prepared attributor ({@link #build}), versioned and refusing what it does not know.
 *
 * <ul>
 *   <li>{@code rps-l2} (kind {@code representer-linear}): the training features F (n x p, float64 or float32,
 *   {@code keys.npy}, memory-mapped), alpha (n x c) and Theta (c x p). A query f_t is scored by one scan,
 *   score_i = alpha_{i c} f_i^T f_t (Yeh et al. 2018, Thm 3.1) for the explained class c (the predicted one by
 *   default), into bounded heaps ({@link StreamingTopK}) by {@link RowScan}; the scores sum to the explained logit and the
 *   residual is reported. Self-influence: the representer value of a point on its own label's logit,
 *   alpha_{i y_i} f_i^T f_i (large values flag points the fit could not explain from the rest, Sec. 4.1).</li>
 *   <li>{@code influence} (kind {@code artifact}): the saved artifact is kept in {@code artifact/} and every query
 *   is scored by the library ({@link PreparedAttributor#topK}); the training features are memory-mapped for
 *   queries by training id; self-influence is the library's, computed once at build time.</li>
 *   <li>{@code kfac}, {@code ekfac} (kind {@code inner-product}, {@link InnerProductRows}): the library's training
 *   keys (training gradients in the Kronecker eigenbasis, {@link InnerProductForm}) memory-mapped beside the saved
 *   artifact; a query's vector (its preconditioned test gradient) comes from the library and is scored by one scan
 *   of inner products; training features are mapped for queries by id; self-influence is the library's.</li>
 *   <li>{@code representer-l1} (kind {@code inner-product}): the support-scaled rows alpha_i x_{i,S} of the L1
 *   logistic fit (Tsai et al. 2023, Cor. 2; {@link SparseRepresenterAttributor#l1InnerProductForm}) memory-mapped,
 *   the dense training rows for queries by id; a query's vector is |theta_S| x'_S; the class is not read (the
 *   prediction score is explained); no self-influence.</li>
 *   <li>{@code trak} (kind {@code inner-product}): per training point the concatenation over the ensemble's models
 *   of (q_i / M) Phi_m (Phi_m^T Phi_m + damping I)^{-1} (Park et al. 2023, Alg. 1), q_i the averaged 1 - p_i; a
 *   query's vector is the concatenation of its projected gradients phi_m(z) of the log-odds of the query's class;
 *   the training rows and labels (stored in the artifact) for queries by id; no self-influence.</li>
 * </ul>
 *
 * <p>Approximate search: rps-l2 and every {@code inner-product} kind score a training point by one inner product of
 * a stored key with a query vector; {@link #mips()} exposes that form ({@link MipsForm}) to the ANN graphs of the
 * server (LuceneAnn), which only select candidates, re-scored exactly through {@link MipsForm#score}; the other kinds
 * refuse, naming the method.
 *
 * <p>{@code index.json} holds the format name and version, the method, its settings, the training data's SHA-256
 * and the artifact key; {@link #open} refuses another format, a newer version or an unknown method before
 * mapping anything. Payloads (an image or an id per training row) and a shipped test set may sit beside it.
 */
public final class ExplanationIndex {
    /** The format name in {@code index.json}. */
    public static final String FORMAT = "exemplar-explanation-index";
    /** The one format version this library reads and writes. */
    public static final int VERSION = 1;
    /** Methods an index can be built from and opened for. */
    public static final Set<String> METHODS = Set.of(RepresenterAttributor.METHOD, InfluenceAttributor.METHOD,
            KfacAttributor.KFAC, KfacAttributor.EKFAC, SparseRepresenterAttributor.L1,
            org.exemplar.attribution.CfAttributor.Kind.MF.method(),
            org.exemplar.attribution.CfAttributor.Kind.NUCLEAR_NORM.method(),
            org.exemplar.attribution.CfAttributor.Kind.FIA.method(),
            org.exemplar.attribution.CfAttributor.Kind.TRACIN_CP.method(),
            org.exemplar.attribution.TrakAttributor.METHOD, org.exemplar.attribution.NtkAttributor.METHOD,
            org.exemplar.attribution.NetworkTracInAttributor.METHOD);
    /** Rows per scan block (the scan's working set: blockRows doubles per query). */
    static final int SCAN_ROWS = 4096;

    private final Path dir;
    private final JsonNode meta;
    private final String method;
    private final MappedRows keys;
    private final int outputs;
    private final double[] alpha;      // n x c, rps only
    private final RowScan scan;        // rps only
    private final DenseMatrix theta;   // c x p, rps only
    private final Loss loss;           // rps only
    private final ArtifactScorer<?> scorer; // every other method (ArtifactKinds)
    private final int[] labels;
    private final double[] selfInfluence;
    private volatile Integer[] selfOrder;
    private final Convention convention;
    private final byte[] images;
    private final int imageH;
    private final int imageW;
    private final List<String> ids;
    private final DenseMatrix testFeatures;
    private final int[] testLabels;
    private final byte[] testImages;
    private final List<Path> dataFiles;

    @SuppressWarnings("unchecked")
    private ExplanationIndex(Path dir, JsonNode meta) {
        this.dir = dir;
        this.meta = meta;
        this.method = meta.path("method").asText();
        this.keys = MappedRows.open(dir.resolve("keys.npy"));
        int n = meta.path("size").asInt();
        if (keys.rows() != n || keys.cols() != meta.path("dim").asInt()) {
            throw new DataException(dir.resolve("keys.npy"), "holds " + keys.rows() + " x " + keys.cols()
                    + ", index.json says " + n + " x " + meta.path("dim").asInt());
        }
        this.outputs = meta.path("outputs").asInt();
        if (method.equals(RepresenterAttributor.METHOD)) {
            DenseMatrix a = Npy.readMatrix(dir.resolve("alpha.npy"));
            if (a.rows() != n || a.cols() != outputs) {
                throw new DataException(dir.resolve("alpha.npy"), "holds " + a.shapeString() + ", expected " + n
                        + " x " + outputs);
            }
            this.alpha = a.data();
            this.scan = new RowScan(keys, alpha, outputs);
            this.theta = Npy.readMatrix(dir.resolve("theta.npy"));
            this.loss = Loss.named(meta.path("loss").asText());
            this.scorer = null;
        } else {
            this.alpha = null;
            this.scan = null;
            this.theta = null;
            this.loss = null;
            this.scorer = ArtifactKinds.open(dir, meta, n);
        }
        JsonNode c = meta.path("convention");
        this.convention = new Convention(c.path("method").asText(), c.path("explained").asText(),
                c.path("raw").asText(), c.path("rawFactor").asDouble(), c.path("units").asText());
        this.labels = Files.exists(dir.resolve("labels.npy")) ? Npy.read(dir.resolve("labels.npy")).toIntArray() : null;
        this.selfInfluence = Files.exists(dir.resolve("self_influence.npy"))
                ? Npy.read(dir.resolve("self_influence.npy")).toDoubleArray() : null;
        Path img = dir.resolve("payload").resolve("images.npy");
        if (Files.exists(img)) {
            NpyArray a = Npy.read(img);
            int[] s = a.intShape();
            if (s.length != 3 || s[0] != n) {
                throw new DataException(img, "expected " + n + " x h x w uint8 images, got " + a.shapeString());
            }
            this.images = uint8(a, img);
            this.imageH = s[1];
            this.imageW = s[2];
        } else {
            this.images = null;
            this.imageH = 0;
            this.imageW = 0;
        }
        Path idf = dir.resolve("payload").resolve("ids.txt");
        List<String> idList = null;
        if (Files.exists(idf)) {
            try {
                idList = List.copyOf(Files.readAllLines(idf));
            } catch (IOException e) {
                throw new DataException(idf, "cannot read: " + e.getMessage(), e);
            }
            if (idList.size() != n) {
                throw new DataException(idf, "has " + idList.size() + " lines for " + n + " training rows");
            }
        }
        this.ids = idList;
        Path tf = dir.resolve("test").resolve("features.npy");
        if (Files.exists(tf)) {
            this.testFeatures = Npy.readMatrix(tf);
            Path tl = dir.resolve("test").resolve("labels.npy");
            this.testLabels = Files.exists(tl) ? Npy.read(tl).toIntArray() : null;
            Path ti = dir.resolve("test").resolve("images.npy");
            this.testImages = Files.exists(ti) ? uint8(Npy.read(ti), ti) : null;
        } else {
            this.testFeatures = null;
            this.testLabels = null;
            this.testImages = null;
        }
        this.dataFiles = dataFilesOf(dir, meta);
    }

    private static byte[] uint8(NpyArray a, Path f) {
        int[] v = a.toIntArray();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > 255) {
                throw new DataException(f, "pixel " + v[i] + " at " + i + " is outside 0..255");
            }
            out[i] = (byte) v[i];
        }
        return out;
    }

    /**
     * Opens an index directory. Refuses (naming the file and the value) another format, a format version other
     * than {@link #VERSION}, and a method outside {@link #METHODS}, before mapping any array.
     */
    public static ExplanationIndex open(Path dir) {
        Path f = dir.resolve("index.json");
        if (!Files.isRegularFile(f)) {
            throw new DataException(dir, "is not an explanation index (no index.json); build one with "
                    + "'exemplar index build --from ARTIFACT_DIR --out DIR'");
        }
        JsonNode m;
        try {
            m = Json.mapper().readTree(f.toFile());
        } catch (IOException e) {
            throw new DataException(f, "is not valid JSON: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(m.path("format").asText())) {
            throw new DataException(f, "format '" + m.path("format").asText() + "' is not " + FORMAT);
        }
        int v = m.path("formatVersion").asInt(-1);
        if (v != VERSION) {
            throw new DataException(f, "format version " + m.path("formatVersion") + " is not supported (this library "
                    + "reads version " + VERSION + "); rebuild the index with this version");
        }
        String method = m.path("method").asText();
        if (!METHODS.contains(method)) {
            throw new DataException(f, "method '" + method + "' is not known to this index format (known: "
                    + String.join(", ", METHODS.stream().sorted().toList()) + ")");
        }
        return new ExplanationIndex(dir, m);
    }

    // ------------------------------------------------------------------ metadata

    public Path directory() {
        return dir;
    }

    /** The parsed {@code index.json}. */
    public JsonNode metadata() {
        return meta.deepCopy();
    }

    public String method() {
        return method;
    }

    public int size() {
        return keys.rows();
    }

    public int dim() {
        return keys.cols();
    }

    public int outputs() {
        return outputs;
    }

    /** Number of classes a query may ask to explain. */
    public int classes() {
        return outputs == 1 ? 2 : outputs;
    }

    public Convention convention() {
        return convention;
    }

    /** Bytes of the memory-mapped training rows ({@code keys.npy}'s data, without its header). */
    public long keyBytes() {
        return keys.dataBytes();
    }

    /**
     * The index's data files, as they lie on disk: every file this index maps or reads when it opens, that is the
     * mapped rows ({@code keys.npy}, and {@code inner_keys.npy} of the inner-product kinds), the arrays read into
     * memory ({@code alpha.npy}, {@code theta.npy}, {@code labels.npy}, {@code self_influence.npy}), every file of the
     * saved artifact the library scores with ({@code artifact/}), the payloads ({@code payload/}) and the shipped
     * test set ({@code test/}); not {@code index.json} (metadata) and not the ANN graphs (opened by the server).
     */
    public List<Path> dataFiles() {
        return dataFiles;
    }

    /** The total size on disk, in bytes, of {@link #dataFiles()} (whole files, headers included). */
    public long dataBytes() {
        long s = 0;
        for (Path p : dataFiles) {
            try {
                s += Files.size(p);
            } catch (IOException e) {
                throw new DataException(p, "cannot read its size: " + e.getMessage(), e);
            }
        }
        return s;
    }

    private static List<Path> dataFilesOf(Path dir, JsonNode meta) {
        List<Path> out = new ArrayList<>();
        out.add(dir.resolve("keys.npy"));
        if (InnerProductRows.KIND.equals(meta.path("kind").asText())) {
            out.add(dir.resolve(InnerProductRows.FILE));
        }
        for (String f : List.of("alpha.npy", "theta.npy", "labels.npy", "self_influence.npy", "payload/images.npy",
                "payload/ids.txt", "test/features.npy", "test/labels.npy", "test/images.npy")) {
            Path p = dir.resolve(f);
            if (Files.isRegularFile(p)) {
                out.add(p);
            }
        }
        Path art = dir.resolve("artifact");
        if (Files.isDirectory(art)) {
            try (Stream<Path> s = Files.walk(art)) {
                s.filter(Files::isRegularFile).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new DataException(art, "cannot list: " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    /** The memory-mapped training rows (features). */
    public MappedRows keys() {
        return keys;
    }

    /** Whether an approximate search can serve this index ({@link #mips()} exists): rps-l2 and inner-product kinds. */
    public boolean admitsAnn() {
        return alpha != null || scorer.mips() != null;
    }

    // ------------------------------------------------------------------ payloads

    public boolean hasImages() {
        return images != null;
    }

    public int imageHeight() {
        return imageH;
    }

    public int imageWidth() {
        return imageW;
    }

    /** The image of training row i (uint8, row-major). */
    public byte[] image(int i) {
        checkId(i);
        requireImages(images);
        return Arrays.copyOfRange(images, i * imageH * imageW, (i + 1) * imageH * imageW);
    }

    public String id(int i) {
        checkId(i);
        return ids == null ? Integer.toString(i) : ids.get(i);
    }

    /** The training label of row i, or -1 when the index has none. */
    public int label(int i) {
        checkId(i);
        return labels == null ? -1 : labels[i];
    }

    public double[] trainingFeatures(int i) {
        checkId(i);
        double[] out = new double[dim()];
        keys.row(i, out);
        return out;
    }

    public int testSize() {
        return testFeatures == null ? 0 : testFeatures.rows();
    }

    public double[] testFeatures(int t) {
        checkTest(t);
        return testFeatures.row(t);
    }

    public int testLabel(int t) {
        checkTest(t);
        return testLabels == null ? -1 : testLabels[t];
    }

    public byte[] testImage(int t) {
        checkTest(t);
        requireImages(testImages);
        return Arrays.copyOfRange(testImages, t * imageH * imageW, (t + 1) * imageH * imageW);
    }

    private void requireImages(byte[] a) {
        if (a == null) {
            throw new IllegalArgumentException("this index stores no images");
        }
    }

    private void checkId(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("training id " + i + " outside [0, " + size() + ")");
        }
    }

    private void checkTest(int t) {
        if (t < 0 || t >= testSize()) {
            throw new IndexOutOfBoundsException("test point " + t + " outside [0, " + testSize() + ")");
        }
    }

    // ------------------------------------------------------------------ self-influence

    public boolean hasSelfInfluence() {
        return selfInfluence != null;
    }

    /** What the self-influence values mean. */
    public String selfInfluenceDefinition() {
        return meta.path("selfInfluence").path("definition").asText();
    }

    /** The top training points by self-influence (largest first, ties by smaller id). */
    public List<RankedPoint> selfInfluenceTop(int k) {
        if (selfInfluence == null) {
            throw new UnsupportedOperationException(method + " defines no self-influence");
        }
        Integer[] order = selfOrder;
        if (order == null) {              // sorted once, on first use (a benign race sorts it twice at worst)
            order = new Integer[selfInfluence.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -selfInfluence[i]).thenComparingInt(i -> i));
            selfOrder = order;
        }
        List<RankedPoint> out = new ArrayList<>();
        for (int r = 0; r < Math.min(k, order.length); r++) {
            out.add(new RankedPoint(order[r], selfInfluence[order[r]]));
        }
        return out;
    }

    // ------------------------------------------------------------------ queries

    /** The model's outputs for a query (logits). */
    public double[] outputs(double[] f) {
        checkQuery(f);
        if (theta != null) {
            double[] out = new double[outputs];
            for (int j = 0; j < outputs; j++) {
                double s = 0;
                for (int q = 0; q < f.length; q++) {
                    s += theta.get(j, q) * f[q];
                }
                out[j] = s;
            }
            return out;
        }
        return scorer.outputs(f);
    }

    /** The predicted class of a query. */
    public int predictedClass(double[] f) {
        return predictedClassOf(outputs(f));
    }

    /** The predicted class of a query whose {@link #outputs(double[])} are o (no second forward pass). */
    public int predictedClassOf(double[] o) {
        return scorer == null ? loss.predictedClass(o, 0, o.length) : scorer.predictedClass(o);
    }

    /**
     * Exact top-k of one query point.
     *
     * @param f        the query's features (length {@link #dim()}, finite)
     * @param cls      the class to explain (rps-l2) or the query's label (influence, whose loss needs one); null for
     *                 the predicted class
     * @param k        list length
     * @param dir      which lists
     */
    public Explanation explain(double[] f, Integer cls, int k, Direction dir) {
        return explainBatch(new double[][] {f}, cls == null ? null : new int[] {cls}, k, dir).get(0);
    }

    /** As {@link #explain(double[], Integer, int, Direction)} with the query's real target y_t (ntk; null for none). */
    public Explanation explain(double[] f, Integer cls, Double target, int k, Direction dir) {
        return explainBatch(new double[][] {f}, cls == null ? null : new int[] {cls},
                target == null ? null : new double[] {target}, k, dir).get(0);
    }

    /** Whether a features query needs a real-valued target y_t (ntk: the squared test loss it explains reads it). */
    public boolean needsTarget() {
        return scorer != null && scorer.needsTarget();
    }

    /** Exact top-k of training row {@code id} used as the query (its own label explained when cls is null). */
    public Explanation explainTraining(int id, Integer cls, int k, Direction dir) {
        return explain(trainingFeatures(id), trainingQueryClass(id, cls), scorer == null ? null
                : scorer.trainingTarget(id), k, dir);
    }

    /**
     * The class a query by training row {@code id} explains: {@code cls} when given; otherwise the row's own label for
     * the artifact-backed methods (their loss or log-odds reads a label), null (the predicted class) for rps-l2 and
     * for an index without labels. Exact and approximate searches both resolve it here.
     */
    public Integer trainingQueryClass(int id, Integer cls) {
        checkId(id);
        if (cls != null || scorer == null || labels == null) {
            return cls;
        }
        return labels[id];
    }

    /** Whether queries are (user, item) pairs (cf-mf, cf-nuclear, fia, tracin-cp: {@link #explainPair}), not features. */
    public boolean pairQueries() {
        return "pair".equals(meta.path("queryShape").asText());
    }

    /**
     * Exact top-k training ratings of the (user, item) pair of a CF index (the library's scores: representer, FIA or
     * TracInCP, {@link org.exemplar.attribution.CfAttributor}).
     *
     * @throws IllegalArgumentException for a user or item id the index does not know, or an index of another shape
     */
    public Explanation explainPair(int user, int item, int k, Direction dir) {
        if (!pairQueries()) {
            throw new IllegalArgumentException(method + " indexes take features, not (user, item) pairs");
        }
        return explain(new double[] {user, item}, null, k, dir);
    }

    /**
     * Exact top-k of several query points; for rps-l2 one scan of the mapped rows serves the whole batch.
     *
     * @param classes per query, the class to explain / the label (see {@link #explain}), or null for predicted
     */
    public List<Explanation> explainBatch(double[][] fs, int[] classes, int k, Direction dir) {
        return explainBatch(fs, classes, null, k, dir);
    }

    /**
     * As {@link #explainBatch(double[][], int[], int, Direction)} with per query the real target y_t an ntk index
     * needs (null for the methods that read none; given to one of them, or missing on ntk: IllegalArgumentException).
     */
    public List<Explanation> explainBatch(double[][] fs, int[] classes, double[] targets, int k, Direction dir) {
        if (targets != null && !needsTarget()) {
            throw new IllegalArgumentException(method + " indexes read no target; give none");
        }
        if (targets == null && needsTarget()) {
            throw new IllegalArgumentException("an " + method + " query needs its real-valued target y_t");
        }
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (classes != null && classes.length != fs.length) {
            throw new IllegalArgumentException(classes.length + " classes for " + fs.length + " queries");
        }
        int nq = fs.length;
        double[][] outs = new double[nq][];
        int[] pred = new int[nq];
        int[] cls = new int[nq];
        for (int q = 0; q < nq; q++) {
            outs[q] = outputs(fs[q]);
            pred[q] = predictedClassOf(outs[q]);
            cls[q] = classes == null ? pred[q] : classes[q];
            if (cls[q] < 0 || cls[q] >= classes()) {
                throw new IllegalArgumentException("class " + cls[q] + " outside [0, " + classes() + ")");
            }
        }
        List<Explanation> res = new ArrayList<>(nq);
        if (scorer != null) {   // the library's topK, or a scan of stored keys with the library's query vectors
            TopK r = scorer.rank(fs, cls, targets, k);
            for (int q = 0; q < nq; q++) {
                res.add(new Explanation(pred[q], cls[q], outs[q], dir.wantsSupporting() ? r.supporting(q) : List.of(),
                        dir.wantsOpposing() ? r.opposing(q) : List.of(), true, Double.NaN));
            }
            return res;
        }
        int c = outputs;
        int[] col = new int[nq];
        double[] scale = new double[nq];
        for (int q = 0; q < nq; q++) {
            col[q] = column(cls[q]);
            scale[q] = sign(cls[q]);
        }
        RowScan.Result r = scan.topK(fs, col, scale, k, RowScan.defaultThreads(), true);
        for (int q = 0; q < nq; q++) {
            double g = scale[q] * outs[q][col[q]];
            double resid = Math.abs(r.sums()[q] - g) / Math.max(1.0, Math.abs(g));
            res.add(new Explanation(pred[q], cls[q], outs[q], dir.wantsSupporting() ? r.supporting().get(q) : List.of(),
                    dir.wantsOpposing() ? r.opposing().get(q) : List.of(), true, resid));
        }
        return res;
    }

    /** The exact scan of an rps-l2 index (null for influence), for benchmarks that pick threads and screening. */
    public RowScan rowScan() {
        return scan;
    }

    /**
     * The inner-product form of this index for approximate maximum-inner-product search: rps-l2 (one key set per
     * output column) and kind {@code inner-product} (kfac, ekfac, trak, tracin-mlp, representer-l1; one key set).
     *
     * @throws IllegalArgumentException naming the method, for an index scored through the library (influence, ntk,
     *                                  cf-mf, cf-nuclear, fia, tracin-cp: no single inner product of a stored key with
     *                                  a query vector)
     */
    public MipsForm mips() {
        if (alpha != null) {
            return new MipsForm() {
                @Override
                public int sets() {
                    return outputs;
                }

                @Override
                public int width() {
                    return dim();
                }

                @Override
                public float[] key(int i, int set) {
                    return annKey(i, set);
                }

                @Override
                public Query query(double[] f, int cls) {
                    double s = sign(cls);
                    double[] v = new double[f.length];
                    for (int q = 0; q < v.length; q++) {
                        v[q] = s * f[q];
                    }
                    return new Query(column(cls), v);
                }

                @Override
                public double score(int i, Query q) {
                    checkId(i);
                    return alpha[i * outputs + q.set()] * keys.dot(i, q.vector());
                }

                @Override
                public String describe() {
                    return "MAXIMUM_INNER_PRODUCT over keys alpha_ic f_i (float32), one graph per output column";
                }
            };
        }
        MipsForm m = scorer.mips();
        if (m == null) {
            throw new IllegalArgumentException(method + " indexes (kind " + meta.path("kind").asText() + ") are scored "
                    + "through the library, not by one inner product of a stored key with a query vector: no ANN "
                    + "(--ann serves rps-l2 and the kind inner-product)");
        }
        return m;
    }

    /** The ANN key of row i for class column j: alpha_{ij} f_i (score = key . f_t, times the binary sign). */
    private float[] annKey(int i, int j) {
        double[] f = trainingFeatures(i);
        float[] out = new float[f.length];
        double a = alpha[i * outputs + j];
        for (int q = 0; q < f.length; q++) {
            out[q] = (float) (a * f[q]);
        }
        return out;
    }

    /** rps-l2: the alpha column explaining class cls (column 0 for both classes of a one-output model). */
    private int column(int cls) {
        return outputs == 1 ? 0 : cls;
    }

    /** rps-l2: -1 for class 0 of a one-output model (its logit is -f(x)), else +1. */
    private double sign(int cls) {
        return outputs == 1 && cls == 0 ? -1.0 : 1.0;
    }

    private void checkQuery(double[] f) {
        if (f == null || f.length != dim()) {
            throw new IllegalArgumentException("features have " + (f == null ? 0 : f.length) + " values, the index "
                    + dim());
        }
        for (int q = 0; q < f.length; q++) {
            if (!Double.isFinite(f[q])) {
                throw new IllegalArgumentException("feature " + q + " is " + f[q] + " (must be finite)");
            }
        }
    }

    // ------------------------------------------------------------------ building

    /**
     * Builds an index from a saved prepared attributor ({@code artifactDir}, written by
     * {@link PreparedAttributor#save}) into the new directory {@code out}, all or nothing.
     */
    public static void build(Path artifactDir, Path out, IndexBuildOptions o) {
        if (Files.exists(out)) {
            throw new DataException(out, "already exists; choose a new index folder");
        }
        PreparedAttributor<?> p = Attributors.load(artifactDir);
        if (!METHODS.contains(p.method())) {
            throw new DataException(artifactDir, "holds a " + p.method() + " artifact; an index can be built from "
                    + String.join(", ", METHODS.stream().sorted().toList()) + " (others are scored with the CLI)");
        }
        Artifact.Reader ar = Artifact.open(artifactDir);
        DenseMatrix features;
        int[] labels;
        if (p instanceof RepresenterAttributor ra) {
            features = ra.points().trainFeatures();
            labels = labelsOf(ar.matrix("train_targets"));
        } else {
            ArtifactKinds.Training t = ArtifactKinds.training(p, ar);
            features = t.features();
            labels = t.labels();
        }
        int n = features.rows();
        int d = features.cols();
        validate(o, n, d);
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + out.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            try (MappedRows.Writer w = new MappedRows.Writer(tmp.resolve("keys.npy"), n, d, o.float32())) {
                for (int i = 0; i < n; i++) {
                    w.addRow(features.data(), i * d);
                }
            }
            if (labels != null) {
                Npy.write(tmp.resolve("labels.npy"), labels);
            }
            ObjectNode m = Json.mapper().createObjectNode();
            m.put("format", FORMAT).put("formatVersion", VERSION).put("method", p.method());
            m.put("size", n).put("dim", d).put("precision", o.float32() ? "float32" : "float64");
            m.put("artifactKey", p.key()).put("artifactName", p.name());
            m.set("settings", Json.mapper().valueToTree(p.provenance().settings()));
            m.set("inputs", Json.mapper().valueToTree(p.provenance().dataSha256()));
            m.put("libraryVersion", org.exemplar.io.Provenance.currentLibraryVersion());
            Convention c = p.convention();
            ObjectNode cn = m.putObject("convention");
            cn.put("method", c.method()).put("explained", c.explained()).put("raw", c.raw())
                    .put("rawFactor", c.rawFactor()).put("units", c.units());
            double[] self;
            String selfDef;
            if (p instanceof RepresenterAttributor ra) {
                RepresenterPoints rp = ra.points();
                m.put("kind", "representer-linear").put("outputs", rp.outputs()).put("loss", rp.loss().name());
                Npy.write(tmp.resolve("alpha.npy"), rp.alpha());
                Npy.write(tmp.resolve("theta.npy"), rp.theta());
                self = representerSelf(rp, labels);
                selfDef = "alpha_{i y_i} f_i^T f_i: the representer value of training point i on the logit of its "
                        + "own label (Yeh et al. 2018, Thm 3.1 and Sec. 4.1); large = the point is explained mostly by "
                        + "itself (suspected mislabel or atypical)";
            } else {
                ArtifactKinds.write(p, tmp, m, n, o.float32());
                SelfInfluence s = p.hasSelfInfluence() ? p.selfInfluence() : null;
                self = s == null ? null : s.scores();
                selfDef = s == null ? null : s.convention().raw() + " (" + s.convention().units() + ")";
            }
            if (self != null) {
                Npy.write(tmp.resolve("self_influence.npy"), self);
                m.putObject("selfInfluence").put("definition", selfDef);
            } else {
                m.putNull("selfInfluence");
            }
            ObjectNode pay = m.putObject("payload");
            if (o.images() != null || o.ids() != null) {
                Files.createDirectories(tmp.resolve("payload"));
            }
            if (o.images() != null) {
                pay.put("images", true).put("height", o.imageHeight()).put("width", o.imageWidth());
                Npy.write(tmp.resolve("payload").resolve("images.npy"),
                        NpyArray.ofUint8(new long[] {n, o.imageHeight(), o.imageWidth()}, o.images()));
            }
            if (o.ids() != null) {
                pay.put("ids", true);
                Files.write(tmp.resolve("payload").resolve("ids.txt"), o.ids());
            }
            if (o.testFeatures() != null) {
                Path t = Files.createDirectories(tmp.resolve("test"));
                Npy.write(t.resolve("features.npy"), o.testFeatures());
                if (o.testLabels() != null) {
                    Npy.write(t.resolve("labels.npy"), o.testLabels());
                }
                if (o.testImages() != null) {
                    Npy.write(t.resolve("images.npy"), NpyArray.ofUint8(new long[] {o.testFeatures().rows(),
                        o.imageHeight(), o.imageWidth()}, o.testImages()));
                }
                m.putObject("testSet").put("size", o.testFeatures().rows());
            }
            m.putNull("ann");
            Files.writeString(tmp.resolve("index.json"), Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(m));
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTree(tmp);
            throw new DataException(out, "cannot write the index: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    /** Supplies training row i (length d) to {@link #buildRepresenter}. */
    @FunctionalInterface
    public interface RowSource {
        void row(int i, double[] out);
    }

    /**
     * Builds an rps-l2 index straight from representer quantities, row by row, for training sets larger than the heap
     * (the 1,000,000 x 512 benchmark): features from {@code rows}, alpha (n x c), Theta (c x d), the loss and the
     * labels. Nothing is fitted or checked against a fit here: {@code settings} must say where the numbers come from
     * (recorded with {@code inputSha256}); indexes of real models come from {@link #build}.
     */
    public static void buildRepresenter(Path out, int n, int d, RowSource rows, DenseMatrix alpha, DenseMatrix theta,
                                        Loss loss, int[] labels, Map<String, Object> settings, String inputSha256,
                                        boolean float32) {
        if (Files.exists(out)) {
            throw new DataException(out, "already exists; choose a new index folder");
        }
        int c = theta.rows();
        if (alpha.rows() != n || alpha.cols() != c || theta.cols() != d || labels.length != n) {
            throw new IllegalArgumentException("alpha " + alpha.shapeString() + ", theta " + theta.shapeString()
                    + ", " + labels.length + " labels do not fit n = " + n + ", d = " + d);
        }
        Path tmp = out.toAbsolutePath().getParent().resolve("." + out.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            double[] self = new double[n];
            double[] r = new double[d];
            try (MappedRows.Writer w = new MappedRows.Writer(tmp.resolve("keys.npy"), n, d, float32)) {
                for (int i = 0; i < n; i++) {
                    rows.row(i, r);
                    w.addRow(r, 0);
                    double nn = 0;
                    for (double v : r) {
                        nn += v * v;
                    }
                    double a = c == 1 ? (labels[i] == 1 ? 1 : -1) * alpha.get(i, 0) : alpha.get(i, labels[i]);
                    self[i] = a * nn;
                }
            }
            Npy.write(tmp.resolve("labels.npy"), labels);
            Npy.write(tmp.resolve("alpha.npy"), alpha);
            Npy.write(tmp.resolve("theta.npy"), theta);
            Npy.write(tmp.resolve("self_influence.npy"), self);
            ObjectNode m = Json.mapper().createObjectNode();
            m.put("format", FORMAT).put("formatVersion", VERSION).put("method", RepresenterAttributor.METHOD);
            m.put("kind", "representer-linear").put("size", n).put("dim", d).put("outputs", c)
                    .put("loss", loss.name()).put("precision", float32 ? "float32" : "float64");
            m.put("artifactKey", org.exemplar.attribution.Artifact.key(RepresenterAttributor.METHOD, settings,
                    inputSha256)).put("artifactName", "rows");
            m.set("settings", Json.mapper().valueToTree(settings));
            m.putObject("inputs").put("train", "sha256:" + inputSha256);
            m.put("libraryVersion", org.exemplar.io.Provenance.currentLibraryVersion());
            m.putObject("convention").put("method", RepresenterAttributor.METHOD)
                    .put("explained", "Phi_c(x_t), the logit of the predicted class c")
                    .put("raw", "representer value alpha_ic f_i^T f_t (Yeh et al. 2018, Thm 3.1)").put("rawFactor", 1.0)
                    .put("units", "logit units; a test point's scores sum to its explained logit");
            m.putObject("selfInfluence").put("definition", "alpha_{i y_i} f_i^T f_i (representer value of a point on "
                    + "its own label's logit)");
            m.putObject("payload");
            m.putNull("ann");
            Files.writeString(tmp.resolve("index.json"), Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(m));
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTree(tmp);
            throw new DataException(out, "cannot write the index: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    /** Records ANN parameters in {@code index.json} (called by the ANN builder after it wrote its files). */
    public static void recordAnn(Path dir, Map<String, Object> params) {
        Path f = dir.resolve("index.json");
        try {
            ObjectNode m = (ObjectNode) Json.mapper().readTree(f.toFile());
            m.set("ann", Json.mapper().valueToTree(new LinkedHashMap<>(params)));
            org.exemplar.data.AtomicFiles.writeString(f, Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(m));
        } catch (IOException e) {
            throw new DataException(f, "cannot update: " + e.getMessage(), e);
        }
    }

    private static void validate(IndexBuildOptions o, int n, int d) {
        if (o.images() != null) {
            if (o.imageHeight() < 1 || o.imageWidth() < 1
                    || (long) n * o.imageHeight() * o.imageWidth() != o.images().length) {
                throw new IllegalArgumentException(o.images().length + " image bytes for " + n + " training rows of "
                        + o.imageHeight() + " x " + o.imageWidth());
            }
        }
        if (o.ids() != null && o.ids().size() != n) {
            throw new IllegalArgumentException(o.ids().size() + " ids for " + n + " training rows");
        }
        if (o.ids() != null) {
            for (String s : o.ids()) {
                if (s.contains("\n") || s.contains("\r")) {
                    throw new IllegalArgumentException("id '" + s.replace("\n", "\\n") + "' contains a line break");
                }
            }
        }
        if (o.testFeatures() != null) {
            DenseMatrix t = o.testFeatures();
            if (t.cols() != d) {
                throw new IllegalArgumentException("test features have " + t.cols() + " columns, training rows " + d);
            }
            if (o.testLabels() != null && o.testLabels().length != t.rows()) {
                throw new IllegalArgumentException(o.testLabels().length + " test labels for " + t.rows() + " rows");
            }
            if (o.testImages() != null && (o.images() == null
                    || (long) t.rows() * o.imageHeight() * o.imageWidth() != o.testImages().length)) {
                throw new IllegalArgumentException("test images need training images of the same size ("
                        + o.testImages().length + " bytes for " + t.rows() + " test rows)");
            }
        }
    }

    /** Label of each row: argmax of the target row, or target > 0.5 for one output. */
    static int[] labelsOf(DenseMatrix t) {
        int[] y = new int[t.rows()];
        int c = t.cols();
        for (int i = 0; i < y.length; i++) {
            if (c == 1) {
                y[i] = t.get(i, 0) > 0.5 ? 1 : 0;
            } else {
                int best = 0;
                for (int j = 1; j < c; j++) {
                    if (t.get(i, j) > t.get(i, best)) {
                        best = j;
                    }
                }
                y[i] = best;
            }
        }
        return y;
    }

    private static double[] representerSelf(RepresenterPoints rp, int[] labels) {
        DenseMatrix f = rp.trainFeatures();
        DenseMatrix a = rp.alpha();
        int c = rp.outputs();
        double[] out = new double[f.rows()];
        for (int i = 0; i < out.length; i++) {
            double nn = 0;
            for (int q = 0; q < f.cols(); q++) {
                nn += f.get(i, q) * f.get(i, q);
            }
            double s = c == 1 ? (labels[i] == 1 ? 1 : -1) * a.get(i, 0) : a.get(i, labels[i]);
            out[i] = s * nn;
        }
        return out;
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a hidden temporary folder
        }
    }
}
