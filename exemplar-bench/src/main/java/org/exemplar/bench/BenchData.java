package org.exemplar.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Friendly failure when a benchmark's external data is missing (issue 15): a message and exit 2, no stack trace. */
final class BenchData {
    static final String MOVIELENS = "MovieLens 100k: download https://files.grouplens.org/datasets/movielens/ml-100k.zip, "
            + "unzip it and pass data=ml-100k/u.data";
    static final String MNIST = "MNIST IDX files (gzip): download from https://ossci-datasets.s3.amazonaws.com/mnist/ "
            + "and pass images=... labels=... (the shipped 5,000-digit slice in "
            + "exemplar-cli/src/main/resources/org/exemplar/cli/data/mnist/ also works)";
    static final String IMDB = "IMDB: download https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz and build "
            + "the .npz files with 'exemplar text bow' (see docs/reproductions.md)";

    private BenchData() {
    }

    /** Exits with code 2 and a message naming the argument, the path and where to get the data when it is missing. */
    static void require(String key, String path, String whereToGetIt) {
        if (path == null || path.isEmpty() || !Files.isRegularFile(Path.of(path))) {
            System.err.println("error: " + key + "=" + path + " does not exist. " + whereToGetIt);
            System.exit(2);
        }
    }

    /**
     * Overrides the defaults {@code a} with the benchmark's {@code key=value} arguments, refusing a key the benchmark
     * does not know (so a misspelt setting never runs silently with its default).
     */
    static void overrideArgs(java.util.Map<String, String> a, String[] args) {
        for (String s : args) {
            int e = s.indexOf('=');
            if (e < 0 || !a.containsKey(s.substring(0, e))) {
                throw new IllegalArgumentException("unknown argument '" + s + "'; known: " + a.keySet());
            }
            a.put(s.substring(0, e), s.substring(e + 1));
        }
    }
}
