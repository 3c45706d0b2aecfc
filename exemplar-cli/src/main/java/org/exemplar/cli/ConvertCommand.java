package org.exemplar.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.exemplar.data.DataException;
import org.exemplar.data.DataFiles;
import org.exemplar.data.Npy;
import org.exemplar.linalg.DenseMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code exemplar convert}: IDX or CSV to NumPy .npy. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert IDX (MNIST, plain or .gz) or CSV data to a float64 .npy matrix (or int32 labels).")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT", description = "An IDX or CSV file.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUTPUT.npy", description = "Where to write the .npy file.")
    Path output;

    @Option(names = "--labels", description = "Write int32 labels (one value per row) instead of a float64 matrix.")
    boolean labels;

    @Option(names = "--scale", defaultValue = "1", description = "Multiply values by this (e.g. 1/255 = 0.00392156862745098).")
    double scale;

    @Override
    public Integer call() {
        OutputDirectory.checkFile(output, "OUTPUT");
        if (labels) {
            int[] y = DataFiles.readLabels(input);
            if (y.length == 0) {
                throw new DataException(input, "holds no labels; nothing to convert");
            }
            Npy.write(output, y);
        } else {
            DenseMatrix m = DataFiles.readMatrix(input);
            if (m.rows() == 0 || m.cols() == 0) {
                throw new DataException(input, "holds no data (shape " + m.shapeString() + "); nothing to convert");
            }
            Npy.write(output, scale == 1.0 ? m : m.scaleInPlace(scale));
        }
        return 0;
    }
}
