package org.exemplar.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * All-or-nothing output: files are written into a staging folder inside the target directory and moved into
 * place only by {@link #commit()}; closing without a commit deletes the staging folder, so a failed run leaves
 * no partial results behind (earlier results in the directory are replaced only on success).
 */
final class OutputDirectory implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private boolean committed;

    OutputDirectory(Path target) {
        this.target = target;
        try {
            Files.createDirectories(target);
            this.staging = Files.createTempDirectory(target, ".exemplar-staging-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + target + ": " + e.getMessage(), e);
        }
    }

    /** Where to write a result file before the commit. */
    Path file(String name) {
        return staging.resolve(name);
    }

    Path target() {
        return target;
    }

    void commit() {
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path dest = target.resolve(f.getFileName());
                try {
                    Files.move(f, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(f, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move results into " + target + ": " + e.getMessage(), e);
        } finally {
            deleteStaging();
        }
    }

    @Override
    public void close() {
        if (!committed) {
            deleteStaging();
        }
    }

    private void deleteStaging() {
        if (!Files.exists(staging)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(staging)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover hidden staging folder holds no committed result
        }
    }
}
