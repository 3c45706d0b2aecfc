package org.exemplar.data;

import java.nio.file.Path;

/**
 * A problem with a data file: it cannot be read or written, or its contents are not what was expected
 * (bad magic, unsupported dtype, truncated data, ragged CSV row, non-finite value, ...).
 *
 * <p>The message always starts with the file, followed by what is wrong, e.g.
 * {@code data/x.npy: truncated data: shape (100, 5) float64 needs 4000 data bytes, file has 1200}.
 * {@link #file()} gives the file and {@link #detail()} the message without it.
 */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String detail;

    /**
     * @param file    the file concerned ({@code null} for in-memory data, shown as {@code <memory>})
     * @param message what is wrong
     */
    public DataException(Path file, String message) {
        this(file, message, null);
    }

    /**
     * @param file    the file concerned ({@code null} for in-memory data, shown as {@code <memory>})
     * @param message what is wrong
     * @param cause   the underlying exception, if any
     */
    public DataException(Path file, String message, Throwable cause) {
        super((file == null ? "<memory>" : file.toString()) + ": " + message, cause);
        this.file = file;
        this.detail = message;
    }

    /** The file concerned, or {@code null} for in-memory data. */
    public Path file() {
        return file;
    }

    /** The message without the leading file name. */
    public String detail() {
        return detail;
    }
}
