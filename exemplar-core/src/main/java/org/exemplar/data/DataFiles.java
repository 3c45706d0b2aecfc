package org.exemplar.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.exemplar.linalg.DenseMatrix;

/**
 * Reads a matrix or a label vector from whichever format a file is in: NumPy {@code .npy}, CSV ({@code .csv},
 * {@code .txt}), or IDX (MNIST; plain or gzip, recognised by its magic bytes). Images of shape (n, h, w) become
 * n x (h w) rows.
 */
public final class DataFiles {
    private DataFiles() {
    }

    public enum Format { NPY, CSV, IDX }

    public static Format formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            return Format.NPY;
        }
        if (name.endsWith(".csv") || name.endsWith(".txt")) {
            return Format.CSV;
        }
        if (name.endsWith(".npz")) {
            throw new DataException(file, "an .npz archive holds several arrays; convert the one you need to .npy "
                    + "(np.save) or pass it where an .npz is accepted");
        }
        if (!Files.isRegularFile(file)) {
            throw new DataException(file, "no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return Format.IDX; // gzip: IDX is the only compressed format read here
            }
            if (head.length == 4 && head[0] == 0 && head[1] == 0) {
                return Format.IDX;
            }
            if (head.length >= 1 && (head[0] & 0xff) == 0x93) {
                return Format.NPY;
            }
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
        throw new DataException(file, "unknown format: expected .npy, .csv or IDX (MNIST) data");
    }

    /** A float64 matrix (rows = examples). */
    public static DenseMatrix readMatrix(Path file) {
        return switch (formatOf(file)) {
            case NPY -> Npy.read(file).toMatrix();
            case CSV -> Csv.readMatrix(file);
            case IDX -> Idx.read(file).toMatrix();
        };
    }

    /** Integer labels, one per example. */
    public static int[] readLabels(Path file) {
        return switch (formatOf(file)) {
            case NPY -> Npy.read(file).toIntArray();
            case IDX -> Idx.read(file).toIntArray();
            case CSV -> {
                DenseMatrix m = Csv.readMatrix(file);
                if (m.cols() != 1) {
                    throw new DataException(file, "labels must be one column, found " + m.cols());
                }
                int[] y = new int[m.rows()];
                for (int i = 0; i < y.length; i++) {
                    double v = m.get(i, 0);
                    if (v != Math.rint(v) || Double.isInfinite(v)) {
                        throw new DataException(file, "label " + v + " on data row " + (i + 1) + " is not an integer");
                    }
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        // a plain (int) cast would saturate to the int range without a word
                        throw new DataException(file, "label " + v + " on data row " + (i + 1)
                                + " does not fit a 32-bit int");
                    }
                    y[i] = (int) v;
                }
                yield y;
            }
        };
    }
}
