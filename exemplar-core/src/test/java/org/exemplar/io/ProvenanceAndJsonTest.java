package org.exemplar.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provenance and JSON output checked against known values (issue 15: the io package was nearly untested). */
class ProvenanceAndJsonTest {
    @TempDir
    Path dir;

    @Test
    void sha256MatchesTheFips180TestVectors() throws Exception {
        // FIPS 180-2 appendix B.1 ("abc") and the empty message
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Provenance.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Provenance.sha256(new byte[0]));
        Path abc = Files.writeString(dir.resolve("abc.txt"), "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Provenance.sha256(abc));
        // FIPS 180-2 B.3: one million 'a' (streamed through the 64 KiB buffer many times, with a partial last read)
        byte[] million = new byte[1_000_000];
        java.util.Arrays.fill(million, (byte) 'a');
        Path big = Files.write(dir.resolve("a.bin"), million);
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Provenance.sha256(big));
        // 65537 bytes: one byte past the buffer
        byte[] odd = new byte[65537];
        odd[65536] = 7;
        Path oddFile = Files.write(dir.resolve("odd.bin"), odd);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(odd)),
                Provenance.sha256(oddFile));
        assertThrows(UncheckedIOException.class, () -> Provenance.sha256(dir.resolve("missing")));
    }

    @Test
    void provenanceRecordsInputsSettingsSeedAndVersions() throws Exception {
        Path data = Files.writeString(dir.resolve("train.csv"), "abc");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("lambda", 0.01);
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("train", data);
        inputs.put("test", null);
        Instant before = Instant.now();
        Provenance p = Provenance.of("rps", settings, inputs, 42L);
        Instant after = Instant.now();
        settings.put("lambda", 99.0); // a later change of the caller's map must not alter the record
        assertEquals("rps", p.method());
        assertEquals(0.01, p.settings().get("lambda"));
        assertEquals(data + " sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                p.dataSha256().get("train"));
        assertTrue(p.dataSha256().containsKey("test"));
        assertNull(p.dataSha256().get("test"));
        assertEquals(42L, p.seed());
        assertEquals(System.getProperty("java.version"), p.javaVersion());
        assertEquals(org.exemplar.linalg.Blas.backend().description(), p.blasBackend());
        assertFalse(p.createdAt().isBefore(before));
        assertFalse(p.createdAt().isAfter(after));
        // the build writes the project version into version.properties (resource filtering)
        String v = Provenance.currentLibraryVersion();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), v);
        assertEquals(v, p.libraryVersion());
    }

    @Test
    void jsonIsIndentedIsoDatedAndKeepsNonFiniteNumbersAsStrings() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1.5);
        m.put("nan", Double.NaN);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("when", Instant.parse("2026-01-02T03:04:05Z"));
        m.put("list", java.util.List.of(1, 2));
        String s = Json.write(m);
        assertTrue(s.endsWith("}\n"), s);
        assertTrue(s.contains("\n  \"a\" : 1.5"), s); // indented
        JsonNode n = Json.mapper().readTree(s);
        assertEquals(1.5, n.get("a").asDouble(), 0.0);
        assertEquals("NaN", n.get("nan").asText());
        assertTrue(n.get("nan").isTextual());
        assertEquals("Infinity", n.get("inf").asText());
        assertEquals("2026-01-02T03:04:05Z", n.get("when").asText());
        assertEquals(2, n.get("list").get(1).asInt());
        // the whole provenance serializes, with the fields summary.json documents
        Provenance p = Provenance.of("x", Map.of("k", 1), Map.of(), 7L);
        JsonNode pn = Json.mapper().readTree(Json.write(p));
        for (String f : new String[] {"method", "settings", "dataSha256", "seed", "libraryVersion", "javaVersion",
            "blasBackend", "createdAt"}) {
            assertTrue(pn.has(f), "provenance JSON lacks " + f + ": " + pn);
        }
        assertEquals(7, pn.get("seed").asInt());
        assertEquals(p.createdAt().toString(), pn.get("createdAt").asText());
    }
}
