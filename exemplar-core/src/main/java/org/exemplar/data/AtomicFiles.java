package org.exemplar.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Atomic file writes: the content is written to a temporary file in the target's directory
 * ({@code .<name>.<random>.tmp}) which is then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE} (falling back to {@link StandardCopyOption#REPLACE_EXISTING} where the
 * file system cannot move atomically). Readers therefore see either the old file or the complete new one.
 * If the body or the rename fails, the temporary file is deleted and no partial target is left behind.
 *
 * <p>Missing parent directories of the target are created. The data is not fsync'ed; atomicity is against
 * errors and concurrent readers, not against power loss.
 */
public final class AtomicFiles {
    private static final Random RANDOM = new SecureRandom();
    private static final int STREAM_BUFFER = 1 << 16;

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically from {@code body}, which receives a buffered stream (closing it is
     * optional). An {@link IOException} from the body becomes a {@link DataException} naming the target; a
     * runtime exception is rethrown as is. Either way the temporary file is removed.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) {
        try (Pending p = begin(target)) {
            try {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(p.channel()), STREAM_BUFFER);
                body.accept(out);
                out.flush();
            } catch (IOException e) {
                throw new DataException(target, "write failed: " + describe(e), e);
            }
            p.commit();
        }
    }

    /**
     * Writes {@code target} atomically from {@code body}, which receives the temporary file's channel
     * (positioned at 0; do not close it). Same failure handling as {@link #write(Path, IOConsumer)}.
     */
    public static void writeChannel(Path target, IOConsumer<FileChannel> body) {
        try (Pending p = begin(target)) {
            try {
                body.accept(p.channel());
            } catch (IOException e) {
                throw new DataException(target, "write failed: " + describe(e), e);
            }
            p.commit();
        }
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes}, atomically. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Opens a temporary file next to {@code target}; see {@link Pending}. */
    static Pending begin(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path name = abs.getFileName();
        if (name == null || dir == null) {
            throw new DataException(target, "not a file path");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DataException(target, "cannot create directory " + dir + ": " + describe(e), e);
        }
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + ".tmp");
            try {
                FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new Pending(target, tmp, ch);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw new DataException(target, "cannot create a temporary file in " + dir, e);
                }
            } catch (IOException e) {
                throw new DataException(target, "cannot create a temporary file in " + dir + ": " + describe(e), e);
            }
        }
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }

    /**
     * A temporary file being written for a target. {@link #commit()} closes and renames it over the target;
     * {@link #close()} without a commit deletes it. Not thread-safe.
     */
    static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private boolean done;

        private Pending(Path target, Path tmp, FileChannel channel) {
            this.target = target;
            this.tmp = tmp;
            this.channel = channel;
        }

        FileChannel channel() {
            return channel;
        }

        Path target() {
            return target;
        }

        Path tempFile() {
            return tmp;
        }

        boolean isDone() {
            return done;
        }

        /** Closes the temporary file and renames it over the target. */
        void commit() {
            if (done) {
                throw new IllegalStateException("already committed or aborted: " + target);
            }
            done = true;
            try {
                channel.close();
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                deleteQuietly();
                throw new DataException(target, "cannot move the written data into place: " + describe(e), e);
            }
        }

        /** Deletes the temporary file unless committed. */
        @Override
        public void close() {
            if (!done) {
                done = true;
                deleteQuietly();
            }
        }

        private void deleteQuietly() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the name starts with '.' and ends in .tmp
            }
        }
    }
}
