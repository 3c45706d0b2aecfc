package org.exemplar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.data.Idx;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;

/**
 * The MNIST slice shipped inside the tool (5,000 training and 1,000 test digits, see its README and license
 * under resources/org/exemplar/cli/data/mnist), pixels scaled to [0, 1].
 */
record ShippedMnist(DenseMatrix trainImages, int[] trainLabels, DenseMatrix testImages, int[] testLabels,
                    Map<String, String> sha256) {

    static final String BASE = "/org/exemplar/cli/data/mnist/";
    static final String[] FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "test-images-idx3-ubyte.gz", "test-labels-idx1-ubyte.gz"};

    static ShippedMnist load() {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("exemplar-mnist");
            Map<String, String> sha = new LinkedHashMap<>();
            for (String name : FILES) {
                try (InputStream in = ShippedMnist.class.getResourceAsStream(BASE + name)) {
                    if (in == null) {
                        throw new IllegalStateException("shipped MNIST file " + name + " missing from the jar");
                    }
                    byte[] bytes = in.readAllBytes();
                    sha.put("mnist/" + name, Provenance.sha256(bytes));
                    Files.write(tmp.resolve(name), bytes);
                }
            }
            DenseMatrix xtr = Idx.read(tmp.resolve(FILES[0])).toMatrix().scaleInPlace(1 / 255.0);
            int[] ytr = Idx.read(tmp.resolve(FILES[1])).toIntArray();
            DenseMatrix xte = Idx.read(tmp.resolve(FILES[2])).toMatrix().scaleInPlace(1 / 255.0);
            int[] yte = Idx.read(tmp.resolve(FILES[3])).toIntArray();
            return new ShippedMnist(xtr, ytr, xte, yte, sha);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                for (String name : FILES) {
                    tmp.resolve(name).toFile().delete();
                }
                tmp.toFile().delete();
            }
        }
    }

    /** The share of rows whose largest logit is the label. */
    static double accuracy(DenseMatrix logits, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            ok += Vectors.argmax(logits.data(), i * logits.cols(), logits.cols()) == labels[i] ? 1 : 0;
        }
        return ok / (double) labels.length;
    }

    /** Correctly classified digits of distinct classes first, then up to two misclassified ones. */
    static int[] chooseTestDigits(int[] predicted, int[] labels, int count) {
        List<Integer> out = new ArrayList<>();
        int wrongWanted = Math.min(2, count / 3);
        boolean[] seen = new boolean[10];
        for (int t = 0; t < labels.length && out.size() < count - wrongWanted; t++) {
            if (predicted[t] == labels[t] && !seen[labels[t]]) {
                seen[labels[t]] = true;
                out.add(t);
            }
        }
        for (int t = 0; t < labels.length && out.size() < count; t++) {
            if (predicted[t] != labels[t]) {
                out.add(t);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
