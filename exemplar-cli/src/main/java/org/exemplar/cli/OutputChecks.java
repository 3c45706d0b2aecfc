package org.exemplar.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The checks of {@code --out} (a results folder) and of output files, run before any work (issue 15, items 10 and
 * 12): a bad path is exit 2 at once, naming the path and the problem. See {@link OutputDirectory}.
 */
final class OutputChecks {
    private OutputChecks() {
    }

    /**
     * Validates a results folder before any work and cleans up after killed runs; returns the absolute, normalized
     * target (a symbolic link to a folder is resolved, so the folder it names is the one replaced).
     *
     * @throws IllegalArgumentException (exit 2) naming the path and the problem
     */
    static Path folder(Path out) {
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
            StaleRuns.clean(t);
        }
        if (Files.isDirectory(t) && !Files.exists(t.resolve("summary.json")) && hasVisibleEntries(t)) {
            throw new IllegalArgumentException("--out " + out + " is a non-empty folder without summary.json (not an "
                    + "earlier results folder); results folders are replaced as a whole, so choose a new or empty one");
        }
        return t;
    }

    /**
     * Validates an output FILE (convert, mlp, text bow) before any work, like {@link #folder} for folders, and
     * deletes temporary files ({@code .NAME.HEX.tmp}, see {@code AtomicFiles}) that a killed earlier run left
     * beside it.
     *
     * @throws IllegalArgumentException (exit 2) naming the option, the path and the problem
     */
    static void file(Path file, String option) {
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
                }).forEach(StaleRuns::deleteTree);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private static boolean hasVisibleEntries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> !p.getFileName().toString().startsWith(OutputDirectory.STAGING));
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + " cannot be listed: " + e.getMessage());
        }
    }
}
