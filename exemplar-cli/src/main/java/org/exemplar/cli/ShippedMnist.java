package org.exemplar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.exemplar.data.Idx;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;

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
}
