package org.exemplar.curvature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.attribution.Artifact;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.SymmetricEigen;
import org.exemplar.linalg.Transpose;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;

/**
 * K-FAC / EK-FAC factors of an {@link Mlp}: for every dense layer k (input width d_k, output width d_{k+1}) the
 * activation factor A_k = (1/n) sum_i a~_i a~_i^T ((d_k+1) x (d_k+1), a~ = [a_k; 1], the bias as a homogeneous ones
 * column) and the gradient factor S_k = (1/n) sum_i g_i g_i^T (d_{k+1} x d_{k+1}, g = dL/dz_{k+1}), their
 * eigendecompositions A = Q_A diag(lambda_A) Q_A^T, S = Q_S diag(lambda_S) Q_S^T, and optionally EK-FAC's corrected
 * eigenvalues Lambda_rj = (1/n) sum_i ((Q_S^T g_i)_r (Q_A^T a~_i)_j)^2 (George et al. 2018, eq. 11; Grosse et al.
 * 2023, eq. 20).
 *
 * <p>Layout: a layer's gradient is the d_{k+1} x (d_k + 1) matrix G = g a~^T (the bias is the last column), and
 * vectors are its row-major vec, on which the K-FAC block is S (x) A (since vec_row(g a~^T) = g (x) a~). The damped
 * inverse is applied in the eigenbasis: (S (x) A + damping I)^{-1} vec(G) = vec(Q_S [(Q_S^T G Q_A) / (lambda_S
 * lambda_A^T + damping)] Q_A^T), with Lambda in place of lambda_S lambda_A^T for EK-FAC. Flat parameter vectors
 * use the {@link Mlp} order (W_k row-major, then b_k); {@link #flatIndex} maps between the two.
 *
 * <p>The factors are a named artifact: {@link #key()} is a SHA-256 of the model, the data, the loss, the Fisher
 * kind and the seed; {@link #save} / {@link #load} round-trip them bit for bit, with provenance.
 */
public final class KroneckerFactors {
    /** The value of {@code format} in factors.json. */
    public static final String FORMAT = "exemplar-kronecker-factors";
    private static final int BLOCK_ROWS = 512;

    private final String name;
    private final String key;
    private final Provenance provenance;
    private final int[] widths;
    private final FisherKind fisher;
    private final long seed;
    private final int examples;
    private final DenseMatrix[] a;
    private final DenseMatrix[] s;
    private final SymmetricEigen[] eigA;
    private final SymmetricEigen[] eigS;
    private final DenseMatrix[] corrected;

    private KroneckerFactors(String name, String key, Provenance provenance, int[] widths, FisherKind fisher, long seed,
                             int examples, DenseMatrix[] a, DenseMatrix[] s, SymmetricEigen[] eigA,
                             SymmetricEigen[] eigS, DenseMatrix[] corrected) {
        this.key = key;
        this.name = name == null ? "kfac-factors-" + key.substring(0, 12) : name;
        this.provenance = provenance;
        this.widths = widths;
        this.fisher = fisher;
        this.seed = seed;
        this.examples = examples;
        this.a = a;
        this.s = s;
        this.eigA = eigA;
        this.eigS = eigS;
        this.corrected = corrected;
    }

    /**
     * The key of factors of this model on this data: SHA-256 of the model's widths, activations and parameters, the
     * inputs and targets, the loss, the Fisher kind and the seed. Equal keys mean the factors can be reused.
     */
    public static String keyFor(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, FisherKind fisher,
                                long seed) {
        Artifact.Digest d = new Artifact.Digest().addInts(model.widths()).add(model.parameters()).add(x).add(targets);
        StringBuilder acts = new StringBuilder();
        for (Activation act : model.activations()) {
            acts.append(act.externalName()).append(',');
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("activations", acts.toString());
        settings.put("loss", loss.name());
        settings.put("fisher", fisher.externalName());
        settings.put("seed", fisher == FisherKind.SAMPLED ? seed : 0L);
        return Artifact.key("kronecker-factors", settings, d.hex());
    }

    /**
     * Fits the factors in one pass over the data (a second pass for the EK-FAC correction).
     *
     * @param model   the trained network
     * @param x       training inputs (n x d_0)
     * @param targets training targets in the loss's target space (n x c); used by {@link FisherKind#EMPIRICAL}
     * @param loss    the training loss
     * @param fisher  which labels S is taken over
     * @param seed    seed of the pseudo-labels ({@link FisherKind#SAMPLED}; ignored otherwise)
     * @param correct whether to compute EK-FAC's corrected eigenvalues
     * @param name    a name for the artifact, or null
     */
    public static KroneckerFactors fit(Mlp model, DenseMatrix x, DenseMatrix targets, Loss loss, FisherKind fisher,
                                       long seed, boolean correct, String name) {
        if (x.rows() == 0) {
            throw new IllegalArgumentException("K-FAC needs at least one training example, got 0 rows");
        }
        if (targets.rows() != x.rows() || targets.cols() != model.outputWidth()) {
            throw new IllegalArgumentException("targets have shape " + targets.shapeString() + ", expected ("
                    + x.rows() + ", " + model.outputWidth() + ")");
        }
        if (fisher == FisherKind.SAMPLED && !samplable(loss)) {
            throw new IllegalArgumentException("the " + loss.name() + " loss has no predictive distribution to "
                    + "sample pseudo-labels from; use the empirical or expected Fisher");
        }
        int layers = model.layerCount();
        int[] w = model.widths();
        int n = x.rows();
        DenseMatrix[] accA = new DenseMatrix[layers];
        DenseMatrix[] accS = new DenseMatrix[layers];
        for (int k = 0; k < layers; k++) {
            accA[k] = new DenseMatrix(w[k] + 1, w[k] + 1);
            accS[k] = new DenseMatrix(w[k + 1], w[k + 1]);
        }
        Backprop bp = new Backprop(model);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
            int i1 = Math.min(n, i0 + BLOCK_ROWS);
            Mlp.Forward f = model.forward(x.rowRange(i0, i1));
            DenseMatrix[] tops = tops(f.logits(), targets.rowRange(i0, i1), loss, fisher, rnd);
            for (int k = 0; k < layers; k++) {
                DenseMatrix ah = f.activation(k).withOnesColumn();
                Blas.gemm(Transpose.YES, Transpose.NO, 1.0, ah, ah, 1.0, accA[k]);
            }
            for (DenseMatrix top : tops) {
                DenseMatrix[] g = bp.gradients(f, top);
                for (int k = 0; k < layers; k++) {
                    Blas.gemm(Transpose.YES, Transpose.NO, 1.0, g[k], g[k], 1.0, accS[k]);
                }
            }
        }
        SymmetricEigen[] ea = new SymmetricEigen[layers];
        SymmetricEigen[] es = new SymmetricEigen[layers];
        for (int k = 0; k < layers; k++) {
            accA[k].scaleInPlace(1.0 / n);
            accS[k].scaleInPlace(1.0 / n);
            ea[k] = SymmetricEigen.of(accA[k]);
            es[k] = SymmetricEigen.of(accS[k]);
        }
        DenseMatrix[] corr = null;
        if (correct) {
            corr = new DenseMatrix[layers];
            for (int k = 0; k < layers; k++) {
                corr[k] = new DenseMatrix(w[k + 1], w[k] + 1);
            }
            SplittableRandom again = new SplittableRandom(seed); // the same pseudo-labels as the first pass
            for (int i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
                int i1 = Math.min(n, i0 + BLOCK_ROWS);
                Mlp.Forward f = model.forward(x.rowRange(i0, i1));
                DenseMatrix[] tops = tops(f.logits(), targets.rowRange(i0, i1), loss, fisher, again);
                DenseMatrix[] v2 = new DenseMatrix[layers];
                for (int k = 0; k < layers; k++) {
                    v2[k] = squared(Blas.multiply(f.activation(k).withOnesColumn(), ea[k].vectors()));
                }
                for (DenseMatrix top : tops) {
                    DenseMatrix[] g = bp.gradients(f, top);
                    for (int k = 0; k < layers; k++) {
                        DenseMatrix u2 = squared(Blas.multiply(g[k], es[k].vectors()));
                        Blas.gemm(Transpose.YES, Transpose.NO, 1.0, u2, v2[k], 1.0, corr[k]);
                    }
                }
            }
            for (DenseMatrix c : corr) {
                c.scaleInPlace(1.0 / n);
            }
        }
        String key = keyFor(model, x, targets, loss, fisher, seed);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fisher", fisher.externalName());
        settings.put("loss", loss.name());
        settings.put("eigenvalueCorrection", correct);
        settings.put("widths", java.util.Arrays.toString(w));
        settings.put("examples", n);
        Provenance prov = new Provenance("kronecker-factors", settings, Map.of("factors-key", key),
                fisher == FisherKind.SAMPLED ? seed : null, Provenance.currentLibraryVersion(),
                System.getProperty("java.version"), Blas.backend().description(), java.time.Instant.now());
        return new KroneckerFactors(name, key, prov, w, fisher, seed, n, accA, accS, ea, es, corr);
    }

    static boolean samplable(Loss loss) {
        return switch (loss.name()) {
            case "softmax", "sigmoid", "squared" -> true;
            default -> false;
        };
    }

    /**
     * The output-layer cotangents dL/dPhi whose back-propagation gives the g of S: one matrix (true or sampled
     * labels), or c matrices (the columns of H_y^{1/2}, {@link FisherKind#EXPECTED}).
     */
    static DenseMatrix[] tops(DenseMatrix phi, DenseMatrix targets, Loss loss, FisherKind fisher,
                              SplittableRandom rnd) {
        int n = phi.rows();
        int c = phi.cols();
        double[] p = phi.data();
        switch (fisher) {
            case EMPIRICAL -> {
                DenseMatrix g = new DenseMatrix(n, c);
                for (int i = 0; i < n; i++) {
                    loss.valueAndGradient(p, i * c, targets.data(), i * c, g.data(), i * c, c);
                }
                return new DenseMatrix[] {g};
            }
            case SAMPLED -> {
                DenseMatrix g = new DenseMatrix(n, c);
                double[] prob = new double[c];
                double[] t = new double[c];
                for (int i = 0; i < n; i++) {
                    switch (loss.name()) {
                        case "softmax" -> {
                            loss.link(p, i * c, prob, 0, c);
                            java.util.Arrays.fill(t, 0.0);
                            double u = rnd.nextDouble();
                            int y = c - 1;
                            double cum = 0;
                            for (int j = 0; j < c; j++) {
                                cum += prob[j];
                                if (u < cum) {
                                    y = j;
                                    break;
                                }
                            }
                            t[y] = 1.0;
                        }
                        case "sigmoid" -> {
                            loss.link(p, i * c, prob, 0, c);
                            for (int j = 0; j < c; j++) {
                                t[j] = rnd.nextDouble() < prob[j] ? 1.0 : 0.0;
                            }
                        }
                        case "squared" -> {
                            for (int j = 0; j < c; j++) {
                                t[j] = p[i * c + j] + gaussian(rnd);
                            }
                        }
                        default -> throw new IllegalArgumentException("cannot sample labels of the " + loss.name()
                                + " loss");
                    }
                    loss.valueAndGradient(p, i * c, t, 0, g.data(), i * c, c);
                }
                return new DenseMatrix[] {g};
            }
            case EXPECTED -> {
                DenseMatrix[] out = new DenseMatrix[c];
                for (int j = 0; j < c; j++) {
                    out[j] = new DenseMatrix(n, c);
                }
                double[] e = new double[c];
                double[] col = new double[c];
                for (int i = 0; i < n; i++) {
                    DenseMatrix h = new DenseMatrix(c, c);
                    for (int j = 0; j < c; j++) {
                        java.util.Arrays.fill(e, 0.0);
                        e[j] = 1.0;
                        loss.hessianVector(p, i * c, targets.data(), i * c, e, 0, col, 0, c);
                        for (int r = 0; r < c; r++) {
                            h.set(r, j, col[r]);
                        }
                    }
                    symmetrize(h);
                    SymmetricEigen eh = SymmetricEigen.of(h);
                    for (int j = 0; j < c; j++) {
                        double root = Math.sqrt(Math.max(0.0, eh.values()[j]));
                        for (int r = 0; r < c; r++) {
                            out[j].set(i, r, eh.vectors().get(r, j) * root);
                        }
                    }
                }
                return out;
            }
            default -> throw new IllegalStateException(fisher.toString());
        }
    }

    private static void symmetrize(DenseMatrix h) {
        int c = h.rows();
        for (int r = 0; r < c; r++) {
            for (int j = r + 1; j < c; j++) {
                double m = 0.5 * (h.get(r, j) + h.get(j, r));
                h.set(r, j, m);
                h.set(j, r, m);
            }
        }
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    static DenseMatrix squared(DenseMatrix m) {
        double[] d = m.data();
        for (int k = 0; k < d.length; k++) {
            d[k] *= d[k];
        }
        return m;
    }

    // ------------------------------------------------------------------ accessors

    public String name() {
        return name;
    }

    /** See {@link #keyFor}. */
    public String key() {
        return key;
    }

    public Provenance provenance() {
        return provenance;
    }

    public FisherKind fisher() {
        return fisher;
    }

    public long seed() {
        return seed;
    }

    /** Number of examples the factors average over. */
    public int examples() {
        return examples;
    }

    /** The network widths [d_0, ..., d_L] (a copy). */
    public int[] widths() {
        return widths.clone();
    }

    public int layerCount() {
        return widths.length - 1;
    }

    /** A_k = (1/n) sum a~ a~^T, (d_k+1) x (d_k+1) (a copy). */
    public DenseMatrix activationFactor(int k) {
        return a[k].copy();
    }

    /** S_k = (1/n) sum g g^T, d_{k+1} x d_{k+1} (a copy). */
    public DenseMatrix gradientFactor(int k) {
        return s[k].copy();
    }

    public SymmetricEigen activationEigen(int k) {
        return eigA[k];
    }

    public SymmetricEigen gradientEigen(int k) {
        return eigS[k];
    }

    /** Whether EK-FAC's corrected eigenvalues were computed. */
    public boolean hasCorrection() {
        return corrected != null;
    }

    /** EK-FAC's Lambda_k, d_{k+1} x (d_k+1), entry (r, j) for eigenvector pair (Q_S e_r, Q_A e_j) (a copy). */
    public DenseMatrix correctedEigenvalues(int k) {
        if (corrected == null) {
            throw new IllegalStateException("these factors were fitted without the EK-FAC eigenvalue correction");
        }
        return corrected[k].copy();
    }

    /** The eigenvalues used for layer k: Lambda_k (EK-FAC) or lambda_S lambda_A^T (K-FAC), clamped at 0. */
    public DenseMatrix eigenvalues(int k, boolean ekfac) {
        int out = widths[k + 1];
        int in = widths[k] + 1;
        if (ekfac) {
            DenseMatrix c = correctedEigenvalues(k);
            return c;
        }
        DenseMatrix m = new DenseMatrix(out, in);
        double[] ls = eigS[k].values();
        double[] la = eigA[k].values();
        for (int r = 0; r < out; r++) {
            for (int j = 0; j < in; j++) {
                m.set(r, j, Math.max(0.0, ls[r]) * Math.max(0.0, la[j]));
            }
        }
        return m;
    }

    /** Flat {@link Mlp} parameter index of entry (r, j) of layer k's homogeneous gradient G (j = d_k: the bias). */
    public int flatIndex(int k, int r, int j) {
        int off = 0;
        for (int q = 0; q < k; q++) {
            off += widths[q + 1] * (widths[q] + 1);
        }
        int in = widths[k];
        return j < in ? off + r * in + j : off + widths[k + 1] * in + r;
    }

    /** Total number of parameters. */
    public int parameterCount() {
        int p = 0;
        for (int k = 0; k + 1 < widths.length; k++) {
            p += widths[k + 1] * (widths[k] + 1);
        }
        return p;
    }

    // ------------------------------------------------------------------ inverse products

    /**
     * Per layer k, the rows (Q_S^T G Q_A) / (eigenvalues + damping) of every flat gradient row, as a
     * (rows x d_{k+1}(d_k+1)) matrix whose row t is that d_{k+1} x (d_k+1) matrix row-major: the damped inverse
     * curvature applied to the gradients, expressed in the Kronecker eigenbasis.
     *
     * @throws ArithmeticException when an eigenvalue + damping is not positive
     */
    public DenseMatrix[] rotatedInverse(DenseMatrix flatRows, double damping, boolean ekfac) {
        checkRows(flatRows);
        int layers = layerCount();
        DenseMatrix[] out = new DenseMatrix[layers];
        for (int k = 0; k < layers; k++) {
            int o = widths[k + 1];
            int in = widths[k] + 1;
            double[] scale = inverseScale(k, damping, ekfac);
            DenseMatrix res = new DenseMatrix(flatRows.rows(), o * in);
            for (int t = 0; t < flatRows.rows(); t++) {
                DenseMatrix r = rotate(k, layerGradient(flatRows, t, k));
                double[] rd = r.data();
                for (int q = 0; q < rd.length; q++) {
                    rd[q] *= scale[q];
                }
                System.arraycopy(rd, 0, res.data(), t * o * in, rd.length);
            }
            out[k] = res;
        }
        return out;
    }

    /** (F_kfac + damping I)^{-1} applied to every flat gradient row (block-diagonal over layers); rows x P. */
    public DenseMatrix inverseProduct(DenseMatrix flatRows, double damping, boolean ekfac) {
        DenseMatrix[] rot = rotatedInverse(flatRows, damping, ekfac);
        DenseMatrix out = new DenseMatrix(flatRows.rows(), flatRows.cols());
        for (int k = 0; k < rot.length; k++) {
            int o = widths[k + 1];
            int in = widths[k] + 1;
            for (int t = 0; t < flatRows.rows(); t++) {
                DenseMatrix r = new DenseMatrix(o, in,
                        java.util.Arrays.copyOfRange(rot[k].data(), t * o * in, (t + 1) * o * in));
                DenseMatrix back = Blas.multiply(Transpose.NO, Blas.multiply(eigS[k].vectors(), r), Transpose.YES,
                        eigA[k].vectors());
                for (int rr = 0; rr < o; rr++) {
                    for (int j = 0; j < in; j++) {
                        out.set(t, flatIndex(k, rr, j), back.get(rr, j));
                    }
                }
            }
        }
        return out;
    }

    /** 1 / (eigenvalue + damping) for layer k, row-major d_{k+1} x (d_k+1). */
    double[] inverseScale(int k, double damping, boolean ekfac) {
        double[] ev = eigenvalues(k, ekfac).data();
        double[] sc = new double[ev.length];
        for (int q = 0; q < ev.length; q++) {
            double d = ev[q] + damping;
            if (!(d > 0)) {
                throw new ArithmeticException("layer " + k + ": a curvature eigenvalue plus damping is " + d
                        + "; use a damping > 0");
            }
            sc[q] = 1.0 / d;
        }
        return sc;
    }

    /** Q_S^T G Q_A. */
    DenseMatrix rotate(int k, DenseMatrix g) {
        return Blas.multiply(Transpose.YES, eigS[k].vectors(), Transpose.NO, Blas.multiply(g, eigA[k].vectors()));
    }

    /** Layer k's homogeneous gradient d_{k+1} x (d_k+1) of flat row t. */
    DenseMatrix layerGradient(DenseMatrix flatRows, int t, int k) {
        int o = widths[k + 1];
        int in = widths[k];
        DenseMatrix g = new DenseMatrix(o, in + 1);
        double[] row = flatRows.data();
        int base = t * flatRows.cols();
        int off = flatIndex(k, 0, 0);
        for (int r = 0; r < o; r++) {
            System.arraycopy(row, base + off + r * in, g.data(), r * (in + 1), in);
            g.set(r, in, row[base + off + o * in + r]);
        }
        return g;
    }

    private void checkRows(DenseMatrix rows) {
        if (rows.cols() != parameterCount()) {
            throw new IllegalArgumentException("gradient rows have " + rows.cols() + " columns, the network "
                    + parameterCount() + " parameters");
        }
    }

    // ------------------------------------------------------------------ save / load

    /** Writes the factors into a new directory (all or nothing): one .npy per array and factors.json. */
    public void save(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(target)) {
                try (var l = Files.list(target)) {
                    if (l.findAny().isPresent()) {
                        throw new DataException(target, "exists and is not empty; choose a new directory");
                    }
                }
                Files.delete(target);
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
            try {
                writeArrays(tmp, "");
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("format", FORMAT);
                root.put("name", name);
                root.put("key", key);
                root.put("fisher", fisher.externalName());
                root.put("seed", seed);
                root.put("examples", examples);
                root.put("eigenvalueCorrection", corrected != null);
                root.set("widths", Json.mapper().valueToTree(widths));
                root.set("provenance", Json.mapper().valueToTree(provenance));
                Files.writeString(tmp.resolve("factors.json"), Json.write(root));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                try (var w = Files.walk(tmp)) {
                    w.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
                }
                throw e;
            }
        } catch (IOException e) {
            throw new DataException(target, "cannot write the factors: " + e.getMessage(), e);
        }
    }

    /** Writes every array with a name prefix into a directory (also used inside attribution artifacts). */
    public void writeArrays(Path dir, String prefix) {
        forEachArray(prefix, (n, m) -> Npy.write(dir.resolve(n + ".npy"), m));
    }

    /** Every array of the factors with its name (prefix + "layerK.A" ...). */
    public void forEachArray(String prefix, java.util.function.BiConsumer<String, DenseMatrix> sink) {
        for (int k = 0; k < layerCount(); k++) {
            String p = prefix + "layer" + k + ".";
            sink.accept(p + "A", a[k]);
            sink.accept(p + "S", s[k]);
            sink.accept(p + "A_vectors", eigA[k].vectors());
            sink.accept(p + "A_values", new DenseMatrix(1, eigA[k].values().length, eigA[k].values()));
            sink.accept(p + "S_vectors", eigS[k].vectors());
            sink.accept(p + "S_values", new DenseMatrix(1, eigS[k].values().length, eigS[k].values()));
            if (corrected != null) {
                sink.accept(p + "corrected", corrected[k]);
            }
        }
    }

    /** Reads factors saved by {@link #save}, without refitting. */
    public static KroneckerFactors load(Path dir) {
        Path d = dir.resolve("factors.json");
        if (!Files.isRegularFile(d)) {
            throw new DataException(dir, "not a Kronecker-factor directory (no factors.json)");
        }
        JsonNode root;
        Provenance prov;
        try {
            root = Json.mapper().readTree(d.toFile());
            prov = Json.mapper().treeToValue(root.path("provenance"), Provenance.class);
        } catch (IOException e) {
            throw new DataException(d, "is not valid: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new DataException(d, "format is '" + root.path("format").asText() + "', expected '" + FORMAT + "'");
        }
        int[] w = Json.mapper().convertValue(root.path("widths"), int[].class);
        return restore(root.path("name").asText(), root.path("key").asText(), prov, w,
                FisherKind.parse(root.path("fisher").asText()), root.path("seed").asLong(),
                root.path("examples").asInt(), root.path("eigenvalueCorrection").asBoolean(),
                n -> readArray(dir, n), "");
    }

    private static DenseMatrix readArray(Path dir, String n) {
        Path f = dir.resolve(n + ".npy");
        if (!Files.isRegularFile(f)) {
            throw new DataException(f, "array '" + n + "' of the Kronecker factors is missing");
        }
        return Npy.readMatrix(f);
    }

    /** Rebuilds factors from named arrays (see {@link #forEachArray}). */
    public static KroneckerFactors restore(String name, String key, Provenance prov, int[] w, FisherKind fisher,
                                           long seed, int examples, boolean hasCorrection,
                                           java.util.function.Function<String, DenseMatrix> arrays, String prefix) {
        int layers = w.length - 1;
        DenseMatrix[] a = new DenseMatrix[layers];
        DenseMatrix[] s = new DenseMatrix[layers];
        SymmetricEigen[] ea = new SymmetricEigen[layers];
        SymmetricEigen[] es = new SymmetricEigen[layers];
        DenseMatrix[] corr = hasCorrection ? new DenseMatrix[layers] : null;
        for (int k = 0; k < layers; k++) {
            String p = prefix + "layer" + k + ".";
            a[k] = arrays.apply(p + "A");
            s[k] = arrays.apply(p + "S");
            ea[k] = new SymmetricEigen(arrays.apply(p + "A_values").data(), arrays.apply(p + "A_vectors"));
            es[k] = new SymmetricEigen(arrays.apply(p + "S_values").data(), arrays.apply(p + "S_vectors"));
            if (a[k].rows() != w[k] + 1 || s[k].rows() != w[k + 1]) {
                throw new IllegalArgumentException("layer " + k + " factors have shapes " + a[k].shapeString() + ", "
                        + s[k].shapeString() + " for widths " + java.util.Arrays.toString(w));
            }
            if (hasCorrection) {
                corr[k] = arrays.apply(p + "corrected");
            }
        }
        return new KroneckerFactors(name, key, prov, w.clone(), fisher, seed, examples, a, s, ea, es, corr);
    }

    // ------------------------------------------------------------------ per-example layer gradients

    /**
     * Batched back-propagation to the pre-activation gradients g_k = dS/dz_{k+1} of S = sum_i top_i . Phi_i
     * (rows = examples), from the cached forward pass; the per-example weight gradient of layer k is
     * g_k,i [a_k,i; 1]^T.
     */
    static final class Backprop {
        private final DenseMatrix[] weights;
        private final Activation[] hidden;

        Backprop(Mlp model) {
            int layers = model.layerCount();
            weights = new DenseMatrix[layers];
            for (int k = 0; k < layers; k++) {
                weights[k] = model.weight(k);
            }
            hidden = model.activations();
        }

        /** g[k] (n x d_{k+1}) for every layer k. */
        DenseMatrix[] gradients(Mlp.Forward f, DenseMatrix top) {
            int layers = weights.length;
            DenseMatrix[] g = new DenseMatrix[layers];
            g[layers - 1] = top;
            for (int k = layers - 1; k >= 1; k--) {
                DenseMatrix e = Blas.multiply(g[k], weights[k]);
                double[] ed = e.data();
                double[] z = f.preActivation(k).data();
                Activation act = hidden[k - 1];
                for (int q = 0; q < ed.length; q++) {
                    ed[q] *= act.derivative(z[q]);
                }
                g[k - 1] = e;
            }
            return g;
        }
    }
}
