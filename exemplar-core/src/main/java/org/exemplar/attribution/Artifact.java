package org.exemplar.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;

/**
 * The on-disk form of a prepared attributor: a directory holding {@code artifact.json} (format, method, name, key,
 * convention, preparation diagnostics, provenance and the settings needed to rebuild the scorer) and one
 * {@code .npy} file per array (float64 or int32, numpy-readable). Doubles round-trip bit for bit, so a reloaded
 * artifact scores identically.
 *
 * <p>{@link Writer} collects arrays and settings; {@link PreparedAttributor#save} writes them into a temporary
 * sibling directory and renames it into place (all or nothing). {@link Reader} reads them back.
 */
public final class Artifact {
    /** The value of {@code format} in artifact.json. */
    public static final String FORMAT = "exemplar-attribution";
    /** The layout version this library writes and reads. */
    public static final int VERSION = 1;
    static final String DESCRIPTOR = "artifact.json";

    private Artifact() {
    }

    /** Arrays and settings of an artifact, in insertion order. */
    public static final class Writer {
        final Map<String, NpyArray> arrays = new LinkedHashMap<>();
        final Map<String, Object> state = new LinkedHashMap<>();

        public Writer put(String name, DenseMatrix m) {
            arrays.put(check(name), NpyArray.of(m));
            return this;
        }

        public Writer put(String name, double[] v) {
            arrays.put(check(name), NpyArray.of(v));
            return this;
        }

        public Writer put(String name, int[] v) {
            arrays.put(check(name), NpyArray.of(v));
            return this;
        }

        /** A scalar or string needed to rebuild the scorer (stored in artifact.json under "state"). */
        public Writer state(String name, Object value) {
            state.put(name, value);
            return this;
        }

        private String check(String name) {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("array name '" + name + "' must match [A-Za-z0-9_.-]+");
            }
            if (arrays.containsKey(name)) {
                throw new IllegalArgumentException("array '" + name + "' written twice");
            }
            return name;
        }
    }

    /** An artifact directory opened for reading. */
    public static final class Reader {
        private final Path dir;
        private final JsonNode root;

        Reader(Path dir) {
            this.dir = dir;
            Path d = dir.resolve(DESCRIPTOR);
            if (!Files.isRegularFile(d)) {
                throw new DataException(dir, "not an attribution artifact (no " + DESCRIPTOR + ")");
            }
            try {
                root = Json.mapper().readTree(d.toFile());
            } catch (IOException e) {
                throw new DataException(d, "is not valid JSON: " + e.getMessage(), e);
            }
            if (!FORMAT.equals(root.path("format").asText())) {
                throw new DataException(d, "format is '" + root.path("format").asText() + "', expected '" + FORMAT
                        + "'");
            }
            if (root.path("version").asInt(-1) != VERSION) {
                throw new DataException(d, "unsupported artifact version " + root.path("version")
                        + " (this library reads " + VERSION + ")");
            }
        }

        public Path directory() {
            return dir;
        }

        public String method() {
            return root.path("method").asText();
        }

        public String name() {
            return root.path("name").asText();
        }

        public String key() {
            return root.path("key").asText();
        }

        /** The settings written with {@link Writer#state}. */
        public JsonNode state() {
            return root.path("state");
        }

        public String string(String key) {
            JsonNode n = state().get(key);
            if (n == null || n.isNull()) {
                throw new DataException(dir.resolve(DESCRIPTOR), "state." + key + " is missing");
            }
            return n.asText();
        }

        public double number(String key) {
            JsonNode n = state().get(key);
            if (n == null || !(n.isNumber() || n.isTextual())) {
                throw new DataException(dir.resolve(DESCRIPTOR), "state." + key + " is missing or not a number");
            }
            return n.isNumber() ? n.doubleValue() : Double.parseDouble(n.asText());
        }

        public Provenance provenance() {
            try {
                return Json.mapper().treeToValue(root.path("provenance"), Provenance.class);
            } catch (IOException e) {
                throw new DataException(dir.resolve(DESCRIPTOR), "provenance: " + e.getMessage(), e);
            }
        }

        public TrustDiagnostics diagnostics() {
            try {
                return Json.mapper().treeToValue(root.path("diagnostics"), TrustDiagnostics.class);
            } catch (IOException e) {
                throw new DataException(dir.resolve(DESCRIPTOR), "diagnostics: " + e.getMessage(), e);
            }
        }

        public DenseMatrix matrix(String name) {
            return array(name).toMatrix();
        }

        public double[] doubles(String name) {
            return array(name).toDoubleArray();
        }

        public int[] ints(String name) {
            return array(name).toIntArray();
        }

        public boolean has(String name) {
            return Files.isRegularFile(dir.resolve(name + ".npy"));
        }

        private NpyArray array(String name) {
            Path f = dir.resolve(name + ".npy");
            if (!Files.isRegularFile(f)) {
                throw new DataException(f, "array '" + name + "' of the " + method() + " artifact is missing");
            }
            return Npy.read(f);
        }
    }

    /** Opens an artifact directory, checking its format and version. */
    public static Reader open(Path dir) {
        return new Reader(dir);
    }

    /**
     * Writes an artifact directory all-or-nothing: into a temporary sibling first, renamed into place at the end.
     * Refuses an existing non-empty target.
     */
    static void write(Path dir, PreparedAttributor<?> p, Writer w) {
        Path target = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(target)) {
                try (Stream<Path> s = Files.list(target)) {
                    if (s.findAny().isPresent()) {
                        throw new DataException(target, "exists and is not empty; choose a new directory");
                    }
                }
                Files.delete(target);
            }
            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            try {
                for (Map.Entry<String, NpyArray> e : w.arrays.entrySet()) {
                    Npy.write(tmp.resolve(e.getKey() + ".npy"), e.getValue());
                }
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("format", FORMAT);
                root.put("version", VERSION);
                root.put("method", p.method());
                root.put("name", p.name());
                root.put("key", p.key());
                root.put("orientation", Convention.ORIENTATION);
                root.put("sign", Convention.SIGN);
                root.set("convention", Json.mapper().valueToTree(p.convention()));
                root.set("diagnostics", Json.mapper().valueToTree(p.diagnostics()));
                root.set("provenance", Json.mapper().valueToTree(p.provenance()));
                root.set("state", Json.mapper().valueToTree(w.state));
                root.set("arrays", Json.mapper().valueToTree(w.arrays.keySet()));
                Files.writeString(tmp.resolve(DESCRIPTOR), Json.write(root));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new DataException(target, "cannot write the artifact: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the temporary directory is hidden and named as such
        }
    }

    // ------------------------------------------------------------------ keys and hashes

    /**
     * The key of a preparation: SHA-256 over the method, its sorted settings and the training data's hash. Two
     * artifacts with the same key were prepared by the same method with the same settings on the same data.
     */
    public static String key(String method, Map<String, Object> settings, String trainSha256) {
        StringBuilder sb = new StringBuilder(method).append('\n');
        new TreeMap<>(settings).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        sb.append("train=").append(trainSha256);
        return Provenance.sha256(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Incremental SHA-256 over in-memory arrays (shape and little-endian values), for provenance of data. */
    public static final class Digest {
        private final MessageDigest md;

        public Digest() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        public Digest add(DenseMatrix m) {
            addInts(new int[] {m.rows(), m.cols()});
            return add(m.data());
        }

        public Digest add(double[] v) {
            ByteBuffer b = ByteBuffer.allocate(8 * 4096).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.length; i++) {
                if (!b.hasRemaining()) {
                    md.update(b.array(), 0, b.position());
                    b.clear();
                }
                b.putDouble(v[i]);
            }
            md.update(b.array(), 0, b.position());
            return this;
        }

        public Digest addInts(int[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length + 4).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(v.length);
            for (int x : v) {
                b.putInt(x);
            }
            md.update(b.array());
            return this;
        }

        public String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }

}
