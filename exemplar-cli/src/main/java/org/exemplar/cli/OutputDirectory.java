package org.exemplar.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
     * target (a symbolic link to a folder is resolved, so the folder it names is the one replaced).
     *
     * @throws IllegalArgumentException (exit 2) naming the path and the problem
     */
    static Path check(Path out) {
        if (out == null || out.toString().isBlank()) {
            throw new IllegalArgumentException("--out must name a results folder, got an empty path");
        }
        Path t = out.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(t)) {
            if (!Files.exists(t)) {
                throw new IllegalArgumentException("--out " + out + " is a dangling symbolic link");
            }
            try {
                t = t.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + out + ": cannot resolve the link: " + e.getMessage());
            }
        }
        Path parent = t.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("--out " + out + " is the file-system root; choose a results folder");
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(t)) {
            throw new IllegalArgumentException("--out " + out + " is the current directory or above it; the results "
                    + "folder is replaced as a whole, so choose a folder of its own (e.g. --out results)");
        }
        if (Files.exists(t) && !Files.isDirectory(t)) {
            throw new IllegalArgumentException("--out " + out + " exists and is not a folder");
        }
        // the nearest existing ancestor must be a writable folder (a file there means a path under a file)
        Path a = parent;
        while (a != null && !Files.exists(a, LinkOption.NOFOLLOW_LINKS)) {
            a = a.getParent();
        }
        if (a == null) {
            throw new IllegalArgumentException("--out " + out + ": no existing folder above it");
        }
        if (Files.isSymbolicLink(a) && !Files.exists(a)) {
            throw new IllegalArgumentException("--out " + out + ": " + a + " is a dangling symbolic link");
        }
        if (!Files.isDirectory(a)) {
            throw new IllegalArgumentException("--out " + out + ": " + a + " is a file, not a folder");
        }
        if (!Files.isWritable(a)) {
            throw new IllegalArgumentException("--out " + out + ": cannot write in " + a
                    + " (read-only or no permission)");
        }
        if (Files.isDirectory(t) && !Files.isWritable(t)) {
            throw new IllegalArgumentException("--out " + out + " is not writable");
        }
        if (Files.isDirectory(parent)) {
            cleanStale(t);
        }
        if (Files.isDirectory(t) && !Files.exists(t.resolve("summary.json")) && hasVisibleEntries(t)) {
            throw new IllegalArgumentException("--out " + out + " is a non-empty folder without summary.json (not an "
                    + "earlier results folder); results folders are replaced as a whole, so choose a new or empty one");
        }
        return t;
    }

    /**
     * Validates an output FILE (convert, mlp, text bow) before any work, like {@link #check} for folders, and
     * deletes temporary files ({@code .NAME.HEX.tmp}, see {@code AtomicFiles}) that a killed earlier run left
     * beside it.
     *
     * @throws IllegalArgumentException (exit 2) naming the option, the path and the problem
     */
    static void checkFile(Path file, String option) {
        if (file == null || file.toString().isBlank()) {
            throw new IllegalArgumentException(option + " must name a file, got an empty path");
        }
        Path t = file.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(t) && !Files.exists(t)) {
            throw new IllegalArgumentException(option + " " + file + " is a dangling symbolic link");
        }
        if (Files.isDirectory(t)) {
            throw new IllegalArgumentException(option + " " + file + " is a folder; give a file name");
        }
        Path a = t.getParent();
        while (a != null && !Files.exists(a, LinkOption.NOFOLLOW_LINKS)) {
            a = a.getParent();
        }
        if (a == null || !Files.isDirectory(a)) {
            throw new IllegalArgumentException(option + " " + file + ": " + a + " is a file, not a folder");
        }
        if (!Files.isWritable(a) || (Files.exists(t) && !Files.isWritable(t))) {
            throw new IllegalArgumentException(option + " " + file + ": cannot write there (read-only or no permission)");
        }
        if (Files.isDirectory(t.getParent())) {
            String prefix = "." + t.getFileName() + ".";
            try (Stream<Path> s = Files.list(t.getParent())) {
                s.filter(p -> {
                    String f = p.getFileName().toString();
                    return f.startsWith(prefix) && f.endsWith(".tmp")
                            && f.substring(prefix.length(), f.length() - 4).matches("[0-9a-f]{1,16}");
                }).forEach(OutputDirectory::deleteTree);
            } catch (IOException e) {
                // best effort
            }
        }
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

    private static void move(Path from, Path to) throws IOException {
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

    private static boolean hasVisibleEntries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> !p.getFileName().toString().startsWith(STAGING));
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + " cannot be listed: " + e.getMessage());
        }
    }

    /** Deletes (or rolls forward) what killed runs left for this target; see the class comment. */
    static void cleanStale(Path target) {
        String name = target.getFileName().toString();
        List<Path> ready = new ArrayList<>();
        List<Path> other = new ArrayList<>();
        try (Stream<Path> s = Files.list(target.getParent())) {
            s.forEach(p -> {
                String f = p.getFileName().toString();
                for (String prefix : new String[] {STAGING, READY, OLD}) {
                    if (f.startsWith(prefix) && leftByGoneRun(f.substring(prefix.length()), name)) {
                        (prefix.equals(READY) ? ready : other).add(p);
                    }
                }
            });
        } catch (IOException e) {
            return; // nothing to clean that we can see
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !ready.isEmpty()) {
            try {
                move(ready.remove(0), target); // a run killed between its last two renames: its results are complete
            } catch (IOException e) {
                // leave it; the new run will write the target
            }
        }
        ready.forEach(OutputDirectory::deleteTree);
        other.forEach(OutputDirectory::deleteTree);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(target)) {
                s.filter(p -> p.getFileName().toString().startsWith(STAGING)).forEach(OutputDirectory::deleteTree);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    /**
     * Whether "NAME-PID-RANDOM" names this target and a process that is no longer running (a name of another
     * target, or a live process, is left alone).
     */
    private static boolean leftByGoneRun(String rest, String name) {
        int r = rest.lastIndexOf('-');
        int p = r < 0 ? -1 : rest.lastIndexOf('-', r - 1);
        if (p < 0 || !rest.substring(0, p).equals(name)) {
            return false;
        }
        try {
            long pid = Long.parseLong(rest.substring(p + 1, r));
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a leftover hidden folder holds no committed result and is cleaned by the next run
        }
    }
}
