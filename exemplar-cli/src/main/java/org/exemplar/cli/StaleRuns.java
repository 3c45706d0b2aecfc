package org.exemplar.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What killed runs leave beside a results folder ({@link OutputDirectory}'s staging, ready and old siblings), and
 * its cleanup: folders of gone processes are deleted, a complete ready folder is rolled forward when the target is
 * missing.
 */
final class StaleRuns {
    private StaleRuns() {
    }

    /** Deletes (or rolls forward) what killed runs left for this target; see the class comment. */
    static void clean(Path target) {
        String name = target.getFileName().toString();
        List<Path> ready = new ArrayList<>();
        List<Path> other = new ArrayList<>();
        try (Stream<Path> s = Files.list(target.getParent())) {
            s.forEach(p -> {
                String f = p.getFileName().toString();
                for (String prefix : new String[] {OutputDirectory.STAGING, OutputDirectory.READY, OutputDirectory.OLD}) {
                    if (f.startsWith(prefix) && leftByGoneRun(f.substring(prefix.length()), name)) {
                        (prefix.equals(OutputDirectory.READY) ? ready : other).add(p);
                    }
                }
            });
        } catch (IOException e) {
            return; // nothing to clean that we can see
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !ready.isEmpty()) {
            try {
                OutputDirectory.move(ready.remove(0), target); // a run killed between its last two renames: its results are complete
            } catch (IOException e) {
                // leave it; the new run will write the target
            }
        }
        ready.forEach(StaleRuns::deleteTree);
        other.forEach(StaleRuns::deleteTree);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(target)) {
                s.filter(p -> p.getFileName().toString().startsWith(OutputDirectory.STAGING)).forEach(StaleRuns::deleteTree);
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
