package org.exemplar.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exemplar.linalg.CsrMatrix;

/**
 * SciPy's sparse {@code .npz} format ({@code scipy.sparse.save_npz} / {@code load_npz}) for CSR matrices: members
 * {@code data}, {@code indices}, {@code indptr}, {@code shape} (int64 pair) and {@code format} (the bytes "csr").
 */
public final class SparseNpz {
    private SparseNpz() {
    }

    public static CsrMatrix read(Path file) {
        List<String> members = Npz.members(file);
        if (members.contains("format.npy")) {
            String fmt = new String(Npz.readRaw(file, "format.npy"), StandardCharsets.ISO_8859_1);
            if (!fmt.endsWith("csr")) {
                throw new DataException(file, "sparse format is not CSR (only csr_matrix files are read; convert with "
                        + "x.tocsr())");
            }
        }
        long[] shape = Npz.readArray(file, "shape").toLongArray();
        if (shape.length != 2 || shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
            throw new DataException(file, "shape " + java.util.Arrays.toString(shape) + " is not a 2-D shape that fits "
                    + "int indices");
        }
        MemoryBudget.requireDimension(file, shape[1], "shape " + java.util.Arrays.toString(shape), "columns");
        int[] indptr = Npz.readArray(file, "indptr").toIntArray();
        int[] indices = Npz.readArray(file, "indices").toIntArray();
        double[] data = Npz.readArray(file, "data").toDoubleArray();
        try {
            return new CsrMatrix((int) shape[0], (int) shape[1], indptr, indices, data);
        } catch (IllegalArgumentException e) {
            throw new DataException(file, e.getMessage() + " (call x.sort_indices() / x.sum_duplicates() in SciPy)");
        }
    }

    public static void write(Path file, CsrMatrix m) {
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("indices", NpyArray.of(m.indices()));
        arrays.put("indptr", NpyArray.of(m.indptr()));
        arrays.put("shape", NpyArray.of(new long[] {m.rows(), m.cols()}));
        arrays.put("data", NpyArray.of(m.values()));
        Npz.write(file, arrays, Map.of("format.npy", formatMember()), false, true);
    }

    /** A 0-d NumPy array of dtype |S3 holding "csr", as SciPy writes it. */
    private static byte[] formatMember() {
        String dict = "{'descr': '|S3', 'fortran_order': False, 'shape': (), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        StringBuilder h = new StringBuilder(dict);
        h.append(" ".repeat(pad)).append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + header.length + 3];
        out[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.ISO_8859_1), 0, out, 1, 5);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) (header.length & 0xff);
        out[9] = (byte) (header.length >>> 8);
        System.arraycopy(header, 0, out, 10, header.length);
        System.arraycopy("csr".getBytes(StandardCharsets.ISO_8859_1), 0, out, 10 + header.length, 3);
        return out;
    }
}
