package org.exemplar.data;

import java.util.List;
import org.exemplar.linalg.DenseMatrix;

/**
 * A numeric CSV file as read by {@link Csv#read(java.nio.file.Path)}: the column names (empty when the file
 * has no header line) and the values as a row-major matrix.
 *
 * @param header column names, empty if the file has no header
 * @param data   the values, one matrix row per CSV data line
 */
public record CsvTable(List<String> header, DenseMatrix data) {
    /** Copies the header into an unmodifiable list. */
    public CsvTable {
        header = List.copyOf(header);
    }

    /** True when the file had a header line. */
    public boolean hasHeader() {
        return !header.isEmpty();
    }
}
