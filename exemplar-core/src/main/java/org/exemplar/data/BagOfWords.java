package org.exemplar.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.exemplar.linalg.CsrMatrix;

/**
 * Bag-of-words features for a folder-per-class text corpus (e.g. IMDB's {@code train/pos}, {@code train/neg}):
 * one row per document (files sorted by name within a class, classes sorted by folder name, label = class index),
 * one column per vocabulary word. Tokens: lower-cased runs of letters and digits that may contain inner
 * apostrophes or hyphens, plus "!" and "?"; HTML line breaks are removed. Term frequencies, optionally
 * log(1 + tf), optionally L2-normalized rows.
 */
public final class BagOfWords {
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+(?:['\\-][\\p{L}\\p{N}]+)*|[!?]");

    /** Options; {@code minCount} applies only when the vocabulary is built from the corpus. */
    public record Options(boolean logTf, boolean l2Normalize, int minCount) {
        public Options {
            if (minCount < 1) {
                throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
            }
        }
    }

    /** A vectorized corpus. */
    public record Corpus(CsrMatrix features, double[] labels, List<String> classes, List<String> documents,
                         List<String> vocabulary) {
    }

    private BagOfWords() {
    }

    /** Reads a vocabulary file: one word per line, column = line index. */
    public static List<String> readVocabulary(Path file) {
        try {
            List<String> words = new ArrayList<>();
            for (String w : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                words.add(w.strip());
            }
            return words;
        } catch (IOException e) {
            throw new DataException(file, "cannot read vocabulary: " + e.getMessage(), e);
        }
    }

    public static List<String> tokens(String text) {
        String t = text.toLowerCase(Locale.ROOT).replace("<br />", " ").replace("<br/>", " ");
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(t);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /**
     * Vectorizes the corpus under {@code root}.
     *
     * @param vocabulary fixed vocabulary (e.g. imdb.vocab, or a training corpus's), or null to build one from this
     *                   corpus (words with at least minCount occurrences, sorted by decreasing count then word)
     * @param progress   called once per document read (may be null)
     */
    public static Corpus read(Path root, List<String> vocabulary, Options options, IntConsumer progress) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root, "not a directory (expected one sub-folder per class)");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new DataException(root, "cannot list: " + e.getMessage(), e);
        }
        if (classDirs.size() < 2) {
            throw new DataException(root, "found " + classDirs.size() + " class folder(s); need at least two");
        }
        List<String> classes = new ArrayList<>();
        List<String> docs = new ArrayList<>();
        List<Integer> docLabels = new ArrayList<>();
        List<List<String>> docTokens = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            Path dir = classDirs.get(c);
            classes.add(dir.getFileName().toString());
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new DataException(dir, "cannot list: " + e.getMessage(), e);
            }
            for (Path f : files) {
                try {
                    docTokens.add(tokens(Files.readString(f, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new DataException(f, "cannot read as UTF-8 text: " + e.getMessage(), e);
                }
                docs.add(classes.get(c) + "/" + f.getFileName());
                docLabels.add(c);
                if (progress != null) {
                    progress.accept(1);
                }
            }
        }
        List<String> vocab = vocabulary != null ? vocabulary : buildVocabulary(docTokens, options.minCount());
        Map<String, Integer> column = new HashMap<>(vocab.size() * 2);
        for (int j = 0; j < vocab.size(); j++) {
            column.putIfAbsent(vocab.get(j), j);
        }
        int n = docTokens.size();
        int[] ptr = new int[n + 1];
        SvmLight.IntList idx = new SvmLight.IntList();
        SvmLight.DoubleList val = new SvmLight.DoubleList();
        for (int i = 0; i < n; i++) {
            TreeMap<Integer, Integer> counts = new TreeMap<>();
            for (String tok : docTokens.get(i)) {
                Integer j = column.get(tok);
                if (j != null) {
                    counts.merge(j, 1, Integer::sum);
                }
            }
            double norm = 0;
            int start = idx.size;
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                double v = options.logTf() ? Math.log1p(e.getValue()) : e.getValue();
                idx.add(e.getKey());
                val.add(v);
                norm += v * v;
            }
            if (options.l2Normalize() && norm > 0) {
                double inv = 1 / Math.sqrt(norm);
                for (int k = start; k < idx.size; k++) {
                    val.a[k] *= inv;
                }
            }
            ptr[i + 1] = idx.size;
        }
        double[] labels = docLabels.stream().mapToDouble(Integer::doubleValue).toArray();
        return new Corpus(new CsrMatrix(n, vocab.size(), ptr, idx.toArray(), val.toArray()), labels,
                List.copyOf(classes), List.copyOf(docs), List.copyOf(vocab));
    }

    static List<String> buildVocabulary(List<List<String>> docs, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> d : docs) {
            for (String t : d) {
                counts.merge(t, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().filter(e -> e.getValue() >= minCount)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
    }
}
