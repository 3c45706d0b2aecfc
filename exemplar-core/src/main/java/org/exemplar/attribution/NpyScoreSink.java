package org.exemplar.attribution;

import java.nio.file.Path;
import org.exemplar.data.NpyRowWriter;
import org.exemplar.linalg.DenseMatrix;

/**
 * Streams score blocks into a float64 {@code .npy} file (rows = test points, columns = training points) without
 * holding the matrix: the file appears complete at {@link #commit()} (written through a temporary file), and is
 * discarded by {@link #close()} if never committed.
 */
public final class NpyScoreSink implements ScoreSink, AutoCloseable {
    private final NpyRowWriter writer;
    private int next;

    /** Opens {@code file} for an n_test x n_train score matrix. */
    public NpyScoreSink(Path file, int testSize, int trainSize) {
        this.writer = NpyRowWriter.open(file, testSize, trainSize);
    }

    @Override
    public void accept(int firstTest, DenseMatrix block) {
        if (firstTest != next) {
            throw new IllegalStateException("blocks out of order: expected test row " + next + ", got " + firstTest);
        }
        writer.writeRows(block.data(), 0, block.rows());
        next += block.rows();
    }

    /** Moves the finished file into place (every row must have been written). */
    public void commit() {
        writer.commit();
    }

    @Override
    public void close() {
        writer.close();
    }
}
