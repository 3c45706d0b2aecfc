package org.exemplar.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * All-or-nothing results folder, replaced as a whole (issue 15, items 10 and 12).
 *
 * <p>{@link #check} validates {@code --out} before any work: an empty path, a file, a path under a file, a dangling
 * symbolic link, a folder that cannot be written, the current directory (or one above it) and a non-empty folder
 * that is not an earlier results folder (no {@code summary.json}) are refused with exit code 2. It also cleans up
 * what killed runs left beside the target (see below).
 *
 * <p>Files are written into a hidden sibling staging folder {@code .exemplar-staging-NAME-PID-R}. {@link #commit()}
 * renames it to {@code .exemplar-ready-NAME-PID-R} (complete), renames the previous folder away to
 * {@code .exemplar-old-NAME-PID-R}, renames the ready folder to NAME and deletes the old one. Closing without a
 * commit deletes the staging folder. So a reader of NAME sees the previous run's files or the new run's, never a
 * mix, and no file of an earlier run survives beside the new ones. The one non-atomic point is between the last two
 * renames (microseconds): a run killed exactly there leaves NAME absent and the complete new results in the ready
 * folder, which the next {@link #check} of the same target moves into place.
 *
 * <p>Cleanup at {@link #check}: siblings with these prefixes for the same NAME whose process is no longer alive are
 * deleted (a ready folder is first rolled forward when NAME is missing); staging folders of the earlier layout
 * ({@code NAME/.exemplar-staging-*}) are deleted too.
 */
final class OutputDirectory implements AutoCloseable {
    static final String STAGING = ".exemplar-staging-";
    static final String READY = ".exemplar-ready-";
    static final String OLD = ".exemplar-old-";
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Fault injection for the kill test ({@code OutputFolderKillTest}): milliseconds to pause before each staged file
     * and between the renames of {@link #commit()}, so that a SIGKILL at a random time lands inside the writing
     * phase. Zero (no pause) unless the system property {@code exemplar.test.pauseMs} is set.
     */
    private static final long PAUSE_MS = Long.getLong("exemplar.test.pauseMs", 0L);

    private final Path target;
    private final Path staging;
    private boolean committed;

    OutputDirectory(Path target) {
        this.target = check(target);
        try {
            Files.createDirectories(this.target.getParent());
            this.staging = Files.createDirectory(sibling(this.target, STAGING));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging folder for " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Validates a results folder before any work and cleans up after killed runs; returns the absolute, normalized
     * target ({@link OutputChecks#folder}).
     *
     * @throws IllegalArgumentException (exit 2) naming the path and the problem
     */
    static Path check(Path out) {
        return OutputChecks.folder(out);
    }

    /** Validates an output file before any work ({@link OutputChecks#file}). */
    static void checkFile(Path file, String option) {
        OutputChecks.file(file, option);
    }

    /** Where to write a result file before the commit. */
    Path file(String name) {
        pause();
        return staging.resolve(name);
    }

    Path target() {
        return target;
    }

    /** Replaces the target folder by the staged one (see the class comment for the order of renames). */
    void commit() {
        Path old = null;
        try {
            Path ready = sibling(target, READY);
            pause();
            move(staging, ready);
            pause();
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                old = sibling(target, OLD);
                move(target, old);
                pause();
            }
            move(ready, target);
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the results into " + target + ": " + e.getMessage(), e);
        } finally {
            if (!committed) {
                deleteTree(staging);
            }
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            deleteTree(staging);
        }
    }

    private static void pause() {
        if (PAUSE_MS > 0) {
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static Path sibling(Path target, String prefix) {
        return target.resolveSibling(prefix + target.getFileName() + "-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
    }

    static void deleteTree(Path root) {
        StaleRuns.deleteTree(root);
    }
}
