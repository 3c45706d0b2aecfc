package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.exemplar.data.DataException;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.BagOfWords;
import org.exemplar.data.Npy;
import org.exemplar.data.SparseData;
import org.exemplar.data.SparseNpz;
import org.exemplar.data.SvmLight;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar text}: turn text corpora into sparse features. */
@Command(name = "text", mixinStandardHelpOptions = true, description = "Text corpora to sparse features.",
        subcommands = {TextCommand.Bow.class})
final class TextCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "bow", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Bag-of-words for a folder-per-class corpus (e.g. aclImdb/train with pos/ and neg/): one row per "
                    + "document, label = class index (class folders sorted by name), written as svmlight (.svm) or SciPy "
                    + "sparse .npz (+ labels .npy).")
    static final class Bow implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--corpus", required = true, paramLabel = "DIR", description = "Folder with one sub-folder per class.")
        Path corpus;

        @Option(names = "--vocabulary", paramLabel = "FILE", description = "One word per line (e.g. imdb.vocab); default: built from this corpus.")
        Path vocabulary;

        @Option(names = "--min-count", defaultValue = "1", description = "With a built vocabulary: keep words seen at least this often (default ${DEFAULT-VALUE}).")
        int minCount;

        @Option(names = "--log-tf", description = "log(1 + term frequency) instead of raw counts.")
        boolean logTf;

        @Option(names = "--l2-normalize", description = "Scale every row to unit Euclidean norm.")
        boolean l2;

        @Option(names = "--out", required = true, paramLabel = "FILE.svm|FILE.npz", description = "Features; .npz also writes FILE.labels.npy.")
        Path out;

        @Option(names = "--vocabulary-out", paramLabel = "FILE", description = "Write the vocabulary used (one word per line).")
        Path vocabularyOut;

        @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
        boolean quiet;

        @Override
        public Integer call() {
            PrintWriter log = spec.commandLine().getErr();
            OutputDirectory.checkFile(out, "--out");
            if (vocabularyOut != null) {
                OutputDirectory.checkFile(vocabularyOut, "--vocabulary-out");
            }
            List<String> vocab = vocabulary == null ? null : BagOfWords.readVocabulary(vocabulary);
            BagOfWords.Corpus c;
            try (Progress bar = Progress.start(Progress.defaultEnabled(false, quiet), "read", 0, "docs")) {
                c = BagOfWords.read(corpus, vocab, new BagOfWords.Options(logTf, l2, minCount), bar::step);
            }
            if (c.features().cols() == 0) {
                throw new IllegalArgumentException("the vocabulary is empty (--min-count " + minCount + " keeps no word of "
                        + corpus + "); lower --min-count");
            }
            if (c.features().rows() == 0) {
                throw new DataException(corpus, "holds no documents");
            }
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".npz")) {
                SparseNpz.write(out, c.features());
                Npy.write(out.resolveSibling(out.getFileName().toString().replaceAll("\\.npz$", "") + ".labels.npy"),
                        c.labels());
            } else {
                SvmLight.write(out, new SparseData(c.features(), c.labels(), null));
            }
            if (vocabularyOut != null) {
                AtomicFiles.writeString(vocabularyOut, String.join("\n", c.vocabulary()) + "\n");
            }
            if (!quiet) {
                log.printf(Locale.ROOT, "%d documents x %d words (nnz %d), classes %s; wrote %s%n", c.features().rows(),
                        c.features().cols(), c.features().nnz(), c.classes(), out);
            }
            return 0;
        }
    }
}
