package org.exemplar.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.exemplar.data.DataException;
import org.exemplar.model.Activation;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;

/** The input loading of {@code exemplar pbrf}: the network of {@code --model mlp:...} and the label files. */
final class PbrfData {
    private PbrfData() {
    }

    /** The network of mlp:SPEC: hidden widths built here (with the activation) or a saved MLP. */
    record Network(int[] hidden, Activation activation, Mlp saved, Path mlpPath) {
        /** A linear model: no network. */
        static final Network NONE = new Network(null, Activation.RELU, null, null);
    }

    /** Resolves mlp:SPEC (W1,W2,... or the path of a network from `exemplar mlp`, checked against d inputs). */
    static Network network(String spec, String activation, int inputWidth, Path trainFeatures) {
        if (spec.matches("[0-9]+(,[0-9]+)*")) {
            int[] hidden = java.util.Arrays.stream(spec.split(",")).mapToInt(Integer::parseInt).toArray();
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + spec);
                }
            }
            return new Network(hidden, Activation.valueOf(activation.toUpperCase(java.util.Locale.ROOT)), null, null);
        }
        Path mlpPath = Path.of(spec);
        if (!Files.isRegularFile(mlpPath)) {
            throw new DataException(mlpPath, "is not a file (mlp:PATH needs a network from `exemplar mlp`; "
                    + "mlp:W1,W2 builds one)");
        }
        Mlp saved = MlpFiles.load(mlpPath);
        if (saved.inputWidth() != inputWidth) {
            throw new DataException(trainFeatures, "has " + inputWidth + " columns but the MLP " + mlpPath
                    + " expects " + saved.inputWidth());
        }
        return new Network(null, Activation.RELU, saved, mlpPath);
    }

    static String spec(int[] hidden) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hidden.length; i++) {
            b.append(i == 0 ? "" : ",").append(hidden[i]);
        }
        return b.toString();
    }
}
