package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.exemplar.data.DataException;
import org.exemplar.data.Npz;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class MlpFilesTest {
    private static final int[] WIDTHS = {4, 5, 3, 2};
    private static final Activation[] ACTS = {Activation.TANH, Activation.SOFTPLUS};

    @TempDir
    Path tmp;

    /** A 4-5-3-2 network with random nonzero biases. */
    private static Mlp model() {
        Mlp m = Mlp.initialize(WIDTHS, ACTS, 7);
        double[] theta = m.parameters();
        SplittableRandom rnd = new SplittableRandom(8);
        for (int k = 0; k < m.layerCount(); k++) {
            for (int j = 0; j < WIDTHS[k + 1]; j++) {
                theta[m.biasOffset(k) + j] = rnd.nextDouble(-1, 1);
            }
        }
        m.setParameters(theta);
        return m;
    }

    private static DenseMatrix inputs() {
        SplittableRandom rnd = new SplittableRandom(9);
        DenseMatrix x = new DenseMatrix(6, WIDTHS[0]);
        for (int k = 0; k < x.data().length; k++) {
            x.data()[k] = rnd.nextDouble(-2, 2);
        }
        return x;
    }

    @Test
    void saveThenLoadGivesTheSameNetwork() {
        Mlp m = model();
        Path file = tmp.resolve("net.npz");
        MlpFiles.save(file, m, Map.of("seed", 7, "note", "test"));
        Mlp back = MlpFiles.load(file);
        assertArrayEquals(m.widths(), back.widths());
        assertArrayEquals(m.activations(), back.activations());
        assertArrayEquals(m.parameters(), back.parameters()); // bit-identical: float64 stored as is
        DenseMatrix x = inputs();
        assertArrayEquals(m.logits(x).data(), back.logits(x).data());

        // a linear model (no hidden layer) round-trips too
        Mlp linear = Mlp.initialize(new int[] {3, 2}, new Activation[0], 1);
        Path lf = tmp.resolve("linear.npz");
        MlpFiles.save(lf, linear, null);
        assertArrayEquals(linear.parameters(), MlpFiles.load(lf).parameters());
    }

    @Test
    void theFileIsAnNpzWithTorchLayoutWeights() throws IOException {
        Mlp m = model();
        Path file = tmp.resolve("net.npz");
        MlpFiles.save(file, m, Map.of("seed", 7));
        // read with java.util.zip and a hand-written .npy header parser, independently of the library's reader
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                names.add(e.getName());
            }
            List<String> expected = new ArrayList<>();
            for (int k = 0; k < m.layerCount(); k++) {
                expected.add("layer" + k + ".weight.npy");
                expected.add("layer" + k + ".bias.npy");
            }
            expected.add("config.json");
            assertEquals(expected, names);
            for (int k = 0; k < m.layerCount(); k++) {
                DenseMatrix w = m.weight(k);
                double[] data = readNpyFloat64(zip, "layer" + k + ".weight.npy", new int[] {WIDTHS[k + 1], WIDTHS[k]});
                assertArrayEquals(w.data(), data, "layer" + k + ".weight is (out, in), row-major");
                double[] b = readNpyFloat64(zip, "layer" + k + ".bias.npy", new int[] {WIDTHS[k + 1]});
                assertArrayEquals(m.bias(k), b);
            }
            JsonNode cfg;
            try (InputStream in = zip.getInputStream(zip.getEntry("config.json"))) {
                cfg = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals("exemplar-mlp", cfg.get("format").asText());
            assertEquals(1, cfg.get("version").asInt());
            assertEquals("[4,5,3,2]", cfg.get("widths").toString());
            assertEquals("[\"tanh\",\"softplus\"]", cfg.get("activations").toString());
            assertEquals(7, cfg.get("provenance").get("seed").asInt());
        }
    }

    /** Parses a version 1.0 little-endian float64 C-order .npy member and checks its shape. */
    private static double[] readNpyFloat64(ZipFile zip, String name, int[] shape) throws IOException {
        byte[] bytes;
        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
            bytes = in.readAllBytes();
        }
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.ISO_8859_1));
        assertEquals(1, bytes[6], "npy major version");
        int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<f8'"), header);
        assertTrue(header.contains("'fortran_order': False"), header);
        Matcher sm = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
        assertTrue(sm.find(), header);
        StringBuilder expected = new StringBuilder();
        for (int d : shape) {
            expected.append(expected.length() == 0 ? "" : ", ").append(d);
        }
        String got = sm.group(1).replaceAll(",\\s*$", "").trim();
        assertEquals(expected.toString(), got, name + " shape");
        int count = 1;
        for (int d : shape) {
            count *= d;
        }
        int start = 10 + headerLen;
        assertEquals(start + 8 * count, bytes.length, name + " data length");
        ByteBuffer buf = ByteBuffer.wrap(bytes, start, 8 * count).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = buf.getDouble();
        }
        return out;
    }

    // ------------------------------------------------------------------ corrupted files

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> arrays(Mlp m) {
        Map<String, Object> a = new LinkedHashMap<>();
        for (int k = 0; k < m.layerCount(); k++) {
            a.put("layer" + k + ".weight", m.weight(k));
            a.put("layer" + k + ".bias", m.bias(k));
        }
        return a;
    }

    private static ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.put("format", "exemplar-mlp");
        c.put("version", 1);
        ArrayNode w = c.putArray("widths");
        for (int x : WIDTHS) {
            w.add(x);
        }
        ArrayNode a = c.putArray("activations");
        for (Activation x : ACTS) {
            a.add(x.externalName());
        }
        return c;
    }

    private Path archive(String name, Map<String, Object> arrays, String configText) {
        Path file = tmp.resolve(name);
        Map<String, byte[]> extras = configText == null ? Map.of()
                : Map.of("config.json", configText.getBytes(StandardCharsets.UTF_8));
        Npz.write(file, arrays, extras, false);
        return file;
    }

    private Path archive(String name, Map<String, Object> arrays, JsonNode config) {
        return archive(name, arrays, config.toString());
    }

    private static void assertLoadError(Path file, String... fragments) {
        DataException e = assertThrows(DataException.class, () -> MlpFiles.load(file));
        assertDataError(file, e, fragments);
    }

    private static void assertDataError(Path file, DataException e, String... fragments) {
        String msg = e.getMessage();
        assertEquals(file, e.file());
        assertTrue(msg.startsWith(file + ": "), "message does not name the file: " + msg);
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message lacks '" + f + "': " + msg);
        }
    }

    @Test
    void validHandWrittenArchiveLoads() {
        // the corrupted variants below differ from this one in one respect each
        Mlp m = model();
        Mlp back = MlpFiles.load(archive("ok.npz", arrays(m), config()));
        assertArrayEquals(m.parameters(), back.parameters());
    }

    @Test
    void wrongFormatOrVersion() {
        Mlp m = model();
        ObjectNode c = config();
        c.put("format", "keras-h5");
        assertLoadError(archive("format.npz", arrays(m), c), "format", "keras-h5", "exemplar-mlp");
        ObjectNode missing = config();
        missing.remove("format");
        assertLoadError(archive("noformat.npz", arrays(m), missing), "not an Exemplar MLP file");
        ObjectNode v = config();
        v.put("version", 2);
        assertLoadError(archive("version.npz", arrays(m), v), "version", "2");
        ObjectNode noVersion = config();
        noVersion.remove("version");
        assertLoadError(archive("noversion.npz", arrays(m), noVersion), "version");
    }

    @Test
    void configThatIsNotJsonOrMissing() {
        Mlp m = model();
        assertLoadError(archive("json.npz", arrays(m), "{\"format\": \"exemplar-mlp\", "), "config.json",
                "not valid JSON");
        assertLoadError(archive("array.npz", arrays(m), "[1, 2]"), "not an Exemplar MLP file");
        assertLoadError(archive("noconfig.npz", arrays(m), (String) null), "config.json");
    }

    @Test
    void widthsThatDoNotMatchTheArrays() {
        Mlp m = model();
        ObjectNode c = config();
        ((ArrayNode) c.get("widths")).set(1, 6);
        assertLoadError(archive("widths.npz", arrays(m), c), "layer0.weight", "(5, 4)", "expected (6, 4)");

        ObjectNode out = config();
        ((ArrayNode) out.get("widths")).set(3, 3);
        assertLoadError(archive("outputs.npz", arrays(m), out), "layer2.weight", "(2, 3)", "expected (3, 3)");

        // a transposed weight (in, out), as a NumPy user might store x @ W
        Map<String, Object> t = arrays(m);
        t.put("layer1.weight", m.weight(1).transpose());
        assertLoadError(archive("transposed.npz", t, config()), "layer1.weight", "(5, 3)", "expected (3, 5)");

        Map<String, Object> bias = arrays(m);
        bias.put("layer1.bias", new double[4]);
        assertLoadError(archive("bias.npz", bias, config()), "layer1.bias", "(4,)", "expected (3,)");

        // right number of entries, wrong rank: a column vector (3, 1) is not a bias of shape (3,)
        Map<String, Object> column = arrays(m);
        column.put("layer1.bias", new DenseMatrix(3, 1, m.bias(1)));
        assertLoadError(archive("column.npz", column, config()), "layer1.bias", "(3, 1)", "expected (3,)");
    }

    @Test
    void activationsThatDoNotFit() {
        Mlp m = model();
        ObjectNode unknown = config();
        ((ArrayNode) unknown.get("activations")).set(1, "swish");
        assertLoadError(archive("swish.npz", arrays(m), unknown), "activation", "swish");

        ObjectNode count = config();
        ((ArrayNode) count.get("activations")).add("relu");
        assertLoadError(archive("count.npz", arrays(m), count), "3 activations");

        ObjectNode none = config();
        none.remove("widths");
        assertLoadError(archive("nowidths.npz", arrays(m), none), "widths");
        ObjectNode object = config();
        object.putObject("widths").put("in", 4);
        assertLoadError(archive("objectwidths.npz", arrays(m), object), "widths");
    }

    @Test
    void nonPositiveOrNonIntegerWidths() {
        // a zero width with arrays of matching (empty) shapes: still no valid network
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("layer0.weight", new DenseMatrix(0, 4));
        a.put("layer0.bias", new double[0]);
        a.put("layer1.weight", new DenseMatrix(2, 0));
        a.put("layer1.bias", new double[2]);
        ObjectNode c = config();
        c.putArray("widths").add(4).add(0).add(2);
        c.putArray("activations").add("relu");
        assertLoadError(archive("zero.npz", a, c), "width");

        Mlp m = model();
        ObjectNode text = config();
        ((ArrayNode) text.get("widths")).set(1, "five");
        assertLoadError(archive("text.npz", arrays(m), text), "widths", "five");
        ObjectNode fraction = config();
        ((ArrayNode) fraction.get("widths")).set(1, 5.5);
        assertLoadError(archive("fraction.npz", arrays(m), fraction), "widths", "5.5");
    }

    @Test
    void missingMembers() {
        Mlp m = model();
        Map<String, Object> a = arrays(m);
        a.remove("layer1.bias");
        assertLoadError(archive("nobias.npz", a, config()), "layer1.bias");
        Map<String, Object> w = arrays(m);
        w.remove("layer2.weight");
        assertLoadError(archive("noweight.npz", w, config()), "layer2.weight");
    }

    @Test
    void notAnArchive() throws IOException {
        Path file = tmp.resolve("plain.npz");
        java.nio.file.Files.writeString(file, "not a zip file");
        Executable load = () -> MlpFiles.load(file);
        DataException e = assertThrows(DataException.class, load);
        assertEquals(file, e.file());
        Path none = tmp.resolve("absent.npz");
        DataException ne = assertThrows(DataException.class, () -> MlpFiles.load(none));
        assertEquals(none, ne.file());
    }
}
