package org.exemplar.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.DataException;
import org.exemplar.data.NpyArray;
import org.exemplar.data.Npz;
import org.exemplar.data.NpzContents;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;

/**
 * Save and load of a trained {@link Mlp} as one NumPy {@code .npz} archive, readable with {@code np.load}:
 * <ul>
 *   <li>{@code layer{k}.weight}: float64, shape (out, in), exactly PyTorch's {@code nn.Linear.weight};</li>
 *   <li>{@code layer{k}.bias}: float64, shape (out,);</li>
 *   <li>{@code config.json}: {"format": "exemplar-mlp", "version": 1, "widths": [...], "activations": [...],
 *       "provenance": {...}}, activations one per hidden layer ("relu", "tanh", "sigmoid", "softplus",
 *       "identity"); the last layer is linear and its outputs are the logits.</li>
 * </ul>
 * In Python: {@code z = np.load(path); cfg = json.loads(z['config.json'])} (NumPy returns non-.npy members as
 * bytes); for PyTorch copy {@code layer{k}.weight/bias} into the k-th {@code nn.Linear}.
 */
public final class MlpFiles {
    public static final String FORMAT = "exemplar-mlp";
    public static final int VERSION = 1;

    private MlpFiles() {
    }

    /** Writes the network atomically; {@code provenance} (may be null) is stored in config.json. */
    public static void save(Path file, Mlp net, Object provenance) {
        Map<String, Object> arrays = new LinkedHashMap<>();
        for (int k = 0; k < net.layerCount(); k++) {
            arrays.put("layer" + k + ".weight", NpyArray.of(net.weight(k)));
            arrays.put("layer" + k + ".bias", NpyArray.of(net.bias(k)));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("format", FORMAT);
        config.put("version", VERSION);
        config.put("widths", net.widths());
        List<String> acts = new ArrayList<>();
        for (Activation a : net.activations()) {
            acts.add(a.externalName());
        }
        config.put("activations", acts);
        config.put("weight_layout", "(out, in), as torch.nn.Linear.weight; last layer linear (logits)");
        if (provenance != null) {
            config.put("provenance", provenance);
        }
        Npz.write(file, arrays, Map.of("config.json", Json.write(config).getBytes(StandardCharsets.UTF_8)), false);
    }

    /** Reads a network written by {@link #save}, checking every shape against config.json. */
    public static Mlp load(Path file) {
        NpzContents z = Npz.readContents(file);
        JsonNode cfg;
        try {
            cfg = Json.mapper().readTree(z.text("config.json"));
        } catch (IOException e) {
            throw new DataException(file, "config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(cfg.path("format").asText())) {
            throw new DataException(file, "not an Exemplar MLP file (config.json format is '"
                    + cfg.path("format").asText() + "', expected '" + FORMAT + "')");
        }
        if (cfg.path("version").asInt(-1) != VERSION) {
            throw new DataException(file, "unsupported MLP file version " + cfg.path("version") + " (this library reads "
                    + VERSION + ")");
        }
        JsonNode w = cfg.path("widths");
        JsonNode a = cfg.path("activations");
        if (!w.isArray() || !a.isArray()) {
            throw new DataException(file, "config.json needs arrays \"widths\" and \"activations\", got widths "
                    + (w.isMissingNode() ? "(missing)" : w) + " and activations "
                    + (a.isMissingNode() ? "(missing)" : a));
        }
        int[] widths = new int[w.size()];
        for (int i = 0; i < widths.length; i++) {
            JsonNode wi = w.get(i);
            if (!wi.isIntegralNumber() || !wi.canConvertToInt() || wi.intValue() < 1) {
                throw new DataException(file, "config.json widths[" + i + "] is " + wi
                        + ", expected a positive integer (widths " + w + ")");
            }
            widths[i] = wi.intValue();
        }
        Activation[] acts = new Activation[a.size()];
        for (int i = 0; i < acts.length; i++) {
            try {
                acts[i] = Activation.fromName(a.get(i).asText());
            } catch (IllegalArgumentException e) {
                throw new DataException(file, "config.json activations[" + i + "]: " + e.getMessage(), e);
            }
        }
        int layers = widths.length - 1;
        if (layers < 1 || acts.length != layers - 1) {
            throw new DataException(file, "config.json lists " + widths.length + " widths and " + acts.length
                    + " activations; expected one activation per hidden layer");
        }
        DenseMatrix[] weights = new DenseMatrix[layers];
        double[][] biases = new double[layers][];
        for (int k = 0; k < layers; k++) {
            NpyArray wk = z.array("layer" + k + ".weight");
            NpyArray bk = z.array("layer" + k + ".bias");
            if (wk.ndim() != 2 || wk.rows() != widths[k + 1] || wk.cols() != widths[k]) {
                throw new DataException(file, "layer" + k + ".weight has shape " + wk.shapeString() + ", expected ("
                        + widths[k + 1] + ", " + widths[k] + ")");
            }
            if (bk.ndim() != 1 || bk.size() != widths[k + 1]) {
                throw new DataException(file, "layer" + k + ".bias has shape " + bk.shapeString() + ", expected ("
                        + widths[k + 1] + ",)");
            }
            weights[k] = wk.toMatrix();
            biases[k] = bk.toDoubleArray();
        }
        return Mlp.of(widths, acts, weights, biases);
    }
}
