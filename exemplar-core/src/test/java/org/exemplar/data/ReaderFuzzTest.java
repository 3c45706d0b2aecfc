package org.exemplar.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.linalg.CsrMatrix;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fuzz test of the readers (issue 15): real files (the numpy-written fixtures of this package, IDX files as
 * MNIST ships them, the shipped breast-cancer CSV, svmlight and MovieLens files written by the library's own
 * writers) are mutated at random (bit flips, interesting bytes and integers, numeric tokens replaced by huge or
 * odd values, truncation, insertion, deletion, duplication of chunks) and read as the CLI reads them (reader,
 * then conversion to doubles/ints). Every input must end in success or a {@link DataException}; any other
 * throwable (an IndexOutOfBounds, a NegativeArraySize, an OutOfMemoryError) fails the test, and so does an
 * input whose reading thread allocates more than {@link #allocationBound(long)}.
 *
 * <p>Seeded ({@code -Dexemplar.fuzz.seed=N}, default 15) and bounded: per format at most
 * {@code -Dexemplar.fuzz.iterations} inputs (default 3000) or {@code -Dexemplar.fuzz.millis} (default 2500 ms),
 * whichever comes first. A failure names the seed, the iteration and the mutated input, which is kept in
 * {@code target/fuzz-failures/} for replay.
 */
class ReaderFuzzTest {
    static final long SEED = Long.getLong("exemplar.fuzz.seed", 15);
    static final int ITERATIONS = Integer.getInteger("exemplar.fuzz.iterations", 3000);
    static final long MILLIS = Long.getLong("exemplar.fuzz.millis", 2500);

    /**
     * Allocation bound for reading one input of {@code n} bytes: 32 MB of fixed overhead plus, per input byte,
     * deflate's maximum expansion (1032) times 8 (an inflated uint8 element converted to a double) times 2 (one
     * copy while the buffer grows). Generous, but a header declaring gigabytes that are not in the file breaks it.
     */
    static long allocationBound(long n) {
        return (32L << 20) + n * MemoryBudget.DEFLATE_MAX_RATIO * 8 * 2;
    }

    @TempDir
    Path dir;

    /** One reader family: its real seed files and how the CLI would consume a file of that kind. */
    enum Format {
        NPY, NPZ, SVMLIGHT, CSV, IDX, MOVIELENS
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void mutatedFilesEndInSuccessOrDataException(Format format) throws IOException {
        List<Seed> seeds = seeds(format);
        assertTrue(!seeds.isEmpty());
        Random rnd = new Random(SEED * 31 + format.ordinal());
        long deadline = System.nanoTime() + MILLIS * 1_000_000;
        int[] counts = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            for (int it = 0; it < ITERATIONS && System.nanoTime() < deadline; it++) {
                Seed s = seeds.get(rnd.nextInt(seeds.size()));
                byte[] input = mutate(s.bytes, rnd, s.text);
                Path f = dir.resolve("in-" + it + s.suffix);
                Files.write(f, input);
                long id = Thread.currentThread().getId();
                long before = mx.getThreadAllocatedBytes(id);
                try {
                    s.reader.read(f);
                    counts[0]++;
                } catch (DataException e) {
                    counts[1]++;
                    if (!e.getMessage().startsWith(f.toString())) {
                        keepAndFail(format, it, s, input, "DataException does not name the file: " + e.getMessage(),
                                null);
                    }
                } catch (Throwable t) {
                    keepAndFail(format, it, s, input, "threw " + t, t);
                }
                long allocated = mx.getThreadAllocatedBytes(id) - before;
                if (allocated > allocationBound(input.length)) {
                    keepAndFail(format, it, s, input, "allocated " + allocated + " bytes reading a " + input.length
                            + "-byte file (bound " + allocationBound(input.length) + ")", null);
                }
                Files.delete(f);
            }
        });
        System.out.printf("fuzz %s (seed %d): %d inputs read, %d rejected with DataException%n", format, SEED,
                counts[0], counts[1]);
        assertTrue(counts[0] + counts[1] >= 50, "too few fuzz inputs ran: " + (counts[0] + counts[1]));
        assertTrue(counts[1] > 0, "no mutated input was rejected: the mutations do not reach the checks");
    }

    private static void keepAndFail(Format format, int it, Seed s, byte[] input, String what, Throwable cause) {
        Path keep = Path.of("target", "fuzz-failures", format + "-seed" + SEED + "-it" + it + s.suffix);
        try {
            Files.createDirectories(keep.getParent());
            Files.write(keep, input);
        } catch (IOException e) {
            // keep the original failure
        }
        String msg = format + " fuzz input " + it + " (seed " + SEED + ", from " + s.name + ", kept in "
                + keep.toAbsolutePath() + "): " + what;
        if (cause != null) {
            fail(msg, cause);
        }
        fail(msg);
    }

    // ---------------------------------------------------------------------------------------- mutations

    private static final byte[] INTERESTING_BYTES = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1, '9', ':', '-', '\n',
        ',', '(', ')', '\'', ' ', '#', 'e', '.'};
    private static final int[] INTERESTING_INTS = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 2_000_000_000,
        0x10000, 0xFFFF, 0x7FFFFFF0};
    private static final String[] TOKENS = {"2000000000", "2147483647", "2147483648", "99999999999999999999", "-1",
        "0", "nan", "inf", "-inf", "1e308", "1e-400", "", "x", "1:1", ":", "qid:", "0x10", "3.5.1", "\u00e9"};

    static byte[] mutate(byte[] in, Random rnd, boolean text) {
        byte[] b = in.clone();
        int rounds = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 8 : 3);
        for (int r = 0; r < rounds; r++) {
            b = mutateOnce(b, rnd, text);
        }
        return b;
    }

    private static byte[] mutateOnce(byte[] b, Random rnd, boolean text) {
        if (b.length == 0) {
            return new byte[] {INTERESTING_BYTES[rnd.nextInt(INTERESTING_BYTES.length)]};
        }
        // Binary formats: most structure sits in the first bytes (preamble, header, directory at the end).
        int pos = rnd.nextInt(3) == 0 ? rnd.nextInt(Math.min(b.length, 128)) : rnd.nextInt(b.length);
        switch (rnd.nextInt(text ? 9 : 8)) {
            case 0: // bit flip
                b[pos] ^= (byte) (1 << rnd.nextInt(8));
                return b;
            case 1: // interesting byte
                b[pos] = INTERESTING_BYTES[rnd.nextInt(INTERESTING_BYTES.length)];
                return b;
            case 2: { // interesting 32-bit integer, either byte order
                int v = INTERESTING_INTS[rnd.nextInt(INTERESTING_INTS.length)];
                boolean little = rnd.nextBoolean();
                for (int k = 0; k < 4 && pos + k < b.length; k++) {
                    b[pos + k] = (byte) (little ? v >>> (8 * k) : v >>> (8 * (3 - k)));
                }
                return b;
            }
            case 3: // truncate
                return java.util.Arrays.copyOf(b, pos);
            case 4: { // delete a chunk
                int len = 1 + rnd.nextInt(Math.min(16, b.length - pos));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(b, pos + len, out, pos, b.length - pos - len);
                return out;
            }
            case 5: { // insert random bytes
                byte[] ins = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(ins);
                return splice(b, pos, 0, ins);
            }
            case 6: { // duplicate a chunk
                int len = 1 + rnd.nextInt(Math.min(64, b.length - pos));
                return splice(b, pos, 0, java.util.Arrays.copyOfRange(b, pos, pos + len));
            }
            case 7: // random byte
                b[pos] = (byte) rnd.nextInt(256);
                return b;
            default: { // text: replace the numeric token at pos by an odd token
                int s = pos;
                while (s > 0 && isTokenChar(b[s - 1])) {
                    s--;
                }
                int e = pos;
                while (e < b.length && isTokenChar(b[e])) {
                    e++;
                }
                byte[] tok = TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                return splice(b, s, e - s, tok);
            }
        }
    }

    private static boolean isTokenChar(byte c) {
        return c >= '0' && c <= '9' || c == '.' || c == '-' || c == 'e' || c == '+';
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    // -------------------------------------------------------------------------------------- seed files

    @FunctionalInterface
    interface Reader {
        void read(Path file) throws Exception;
    }

    record Seed(String name, String suffix, byte[] bytes, boolean text, Reader reader) {
    }

    /** Reads an array as the CLI does: header, data, conversion to doubles (and ints where it is integral). */
    static void consume(NpyArray a) {
        if (a.ndim() <= 2) {
            a.toMatrix();
        } else {
            a.toDoubleArray();
        }
        if (!a.dtype().isFloating()) {
            a.toLongArray();
        }
    }

    List<Seed> seeds(Format format) throws IOException {
        List<Seed> seeds = new ArrayList<>();
        switch (format) {
            case NPY:
                for (String n : new String[] {"f8_c.npy", "f8_fortran.npy", "f8_be.npy", "f8_3d.npy", "i2_be_fortran.npy",
                    "u1_3d.npy", "b1_1d.npy", "i8_1d.npy", "f8_v2.npy", "f8_v3.npy", "f4_c.npy", "f8_scalar.npy"}) {
                    seeds.add(new Seed(n, ".npy", resource(n), false, f -> consume(Npy.read(f))));
                }
                // Ratings triplets are read from .npy too.
                Path t = dir.resolve("seed-triplets.npy");
                Npy.write(t, new long[] {4, 3}, new double[] {0, 0, 5, 0, 2, 3, 1, 1, 4, 2, 0, 1});
                seeds.add(new Seed("ratings triplets", ".npy", Files.readAllBytes(t), false,
                        f -> RatingsFiles.readNpy(f)));
                break;
            case NPZ:
                for (String n : new String[] {"savez.npz", "savez_compressed.npz", "model.npz"}) {
                    seeds.add(new Seed(n, ".npz", resource(n), false, f -> {
                        for (NpyArray a : Npz.readContents(f).arrays().values()) {
                            consume(a);
                        }
                    }));
                }
                for (String n : new String[] {"sparse/csr_fixture.npz", "sparse/csr_fixture_compressed.npz"}) {
                    seeds.add(new Seed(n, ".npz", resource(n), false, SparseNpz::read));
                }
                break;
            case SVMLIGHT: {
                Random r = new Random(7);
                int rows = 12;
                int cols = 40;
                int[] ptr = new int[rows + 1];
                List<Integer> idx = new ArrayList<>();
                List<Double> val = new ArrayList<>();
                double[] labels = new double[rows];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        if (r.nextInt(5) == 0) {
                            idx.add(j);
                            val.add(Math.round(r.nextGaussian() * 1000) / 100.0);
                        }
                    }
                    ptr[i + 1] = idx.size();
                    labels[i] = r.nextBoolean() ? 1 : -1;
                }
                CsrMatrix x = new CsrMatrix(rows, cols, ptr, idx.stream().mapToInt(Integer::intValue).toArray(),
                        val.stream().mapToDouble(Double::doubleValue).toArray());
                Path p = dir.resolve("seed.svm");
                SvmLight.write(p, new SparseData(x, labels, null));
                byte[] plain = Files.readAllBytes(p);
                seeds.add(new Seed("svmlight", ".svm", plain, true, f -> SvmLight.read(f)));
                seeds.add(new Seed("svmlight with fixed width", ".svm", plain, true, f -> SvmLight.read(f, cols)));
                String withQid = new String(plain, StandardCharsets.UTF_8).replaceFirst("\n", " # comment\n")
                        .replaceFirst("^(\\S+) ", "$1 qid:3 ");
                seeds.add(new Seed("svmlight with qid", ".svm", withQid.getBytes(StandardCharsets.UTF_8), true,
                        f -> SvmLight.read(f)));
                break;
            }
            case CSV: {
                byte[] all = Files.readAllBytes(resourcePath("/org/exemplar/influence/breast_cancer.csv"));
                String text = new String(all, StandardCharsets.UTF_8);
                String[] lines = text.split("\n");
                String head = String.join("\n", java.util.Arrays.copyOf(lines, Math.min(lines.length, 25))) + "\n";
                seeds.add(new Seed("breast_cancer.csv (first 24 rows)", ".csv", head.getBytes(StandardCharsets.UTF_8),
                        true, f -> Csv.readMatrix(f, true)));
                seeds.add(new Seed("breast_cancer.csv as table", ".csv", head.getBytes(StandardCharsets.UTF_8), true,
                        f -> Csv.read(f)));
                seeds.add(new Seed("quoted csv", ".csv",
                        "a,\"b, c\",d\n1,2.5,-3e2\n\"4\",5,6\n".getBytes(StandardCharsets.UTF_8), true,
                        f -> Csv.read(f, true)));
                break;
            }
            case IDX: {
                for (String n : new String[] {"images.idx3-ubyte", "images.idx3-ubyte.gz", "labels.idx1-ubyte",
                    "floats.idx2-double"}) {
                    seeds.add(new Seed(n, ".idx", resource(n), false, f -> consume(Idx.read(f))));
                }
                // An MNIST-shaped slice as MNIST ships it (gzip), written by the library's writer.
                Random r = new Random(3);
                byte[] px = new byte[6 * 28 * 28];
                r.nextBytes(px);
                Path img = dir.resolve("seed-images-idx3-ubyte");
                Idx.writeImages(img, 6, 28, 28, px);
                seeds.add(new Seed("mnist-like images (gzip)", ".gz", gzip(Files.readAllBytes(img)), false,
                        f -> consume(Idx.read(f))));
                Path lab = dir.resolve("seed-labels-idx1-ubyte");
                Idx.writeLabels(lab, new int[] {5, 0, 4, 1, 9, 2});
                seeds.add(new Seed("mnist-like labels", ".idx", Files.readAllBytes(lab), false, f -> Idx.readLabels(f)));
                break;
            }
            case MOVIELENS: {
                StringBuilder sb = new StringBuilder();
                Random r = new Random(11);
                for (int u = 1; u <= 8; u++) {
                    for (int i = 1; i <= 10; i++) {
                        if (r.nextInt(3) == 0) {
                            sb.append(u).append('\t').append(i).append('\t').append(1 + r.nextInt(5)).append('\t')
                                    .append(874965758 + r.nextInt(1000000)).append('\n');
                        }
                    }
                }
                seeds.add(new Seed("u.data", ".data", sb.toString().getBytes(StandardCharsets.ISO_8859_1), true,
                        RatingsFiles::readMovieLens));
                break;
            }
            default:
                throw new IllegalStateException();
        }
        return seeds;
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String name) {
        return Fixtures.bytes(Fixtures.fixture(name));
    }

    private static Path resourcePath(String absolute) {
        try {
            return Path.of(ReaderFuzzTest.class.getResource(absolute).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
