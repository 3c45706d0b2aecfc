package org.exemplar.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.exemplar.linalg.Blas;

/**
 * What produced a result: method, settings, input data (with SHA-256 of each file), seed, library, Java and
 * BLAS versions, time. Written next to every result as part of {@code summary.json}, enough to repeat the run.
 */
public record Provenance(String method, Map<String, Object> settings, Map<String, String> dataSha256, Long seed,
                         String libraryVersion, String javaVersion, String blasBackend, Instant createdAt) {

    public static Provenance of(String method, Map<String, Object> settings, Map<String, Path> inputs, Long seed) {
        Map<String, String> hashes = new LinkedHashMap<>();
        inputs.forEach((name, path) -> hashes.put(name, path == null ? null : path + " sha256:" + sha256(path)));
        return new Provenance(method, new LinkedHashMap<>(settings), hashes, seed, currentLibraryVersion(),
                System.getProperty("java.version"), Blas.backend().description(), Instant.now());
    }

    /** The version of this library, from the build. */
    public static String currentLibraryVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/org/exemplar/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Hex SHA-256 of a file's bytes (streamed). */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of in-memory bytes (for embedded data sets). */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
