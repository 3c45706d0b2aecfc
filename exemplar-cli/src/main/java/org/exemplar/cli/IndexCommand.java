package org.exemplar.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.data.DataException;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.data.NpyArray;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.IndexBuildOptions;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.server.LuceneAnn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar index build}: a saved prepared attributor to an explanation index (org.exemplar.index). */
@Command(name = "index", mixinStandardHelpOptions = true, description = "Explanation indexes for 'exemplar serve'.",
        subcommands = {IndexCommand.Build.class})
final class IndexCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build an explanation index from a saved prepared attributor (rps-l2, influence, kfac, ekfac, "
                    + "representer-l1, cf-mf, cf-nuclear, fia, tracin-cp, trak, tracin-mlp or ntk), or from the shipped MNIST slice with --demo.")
    static final class Build implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", paramLabel = "DIR", description = "A saved prepared attributor (artifact.json + .npy).")
        Path from;

        @Option(names = "--demo", description = "Fit RPS-L2 (softmax, lambda 0.003) on the 5,000 shipped MNIST training "
                + "digits (pixels / 255 and a ones column), save the artifact in OUT-artifact, and index it with the "
                + "digits as images and the 1,000 shipped test digits as query points.")
        boolean demo;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new index folder.")
        Path out;

        @Option(names = "--float32", description = "Store the training rows as float32 (half the bytes per scan).")
        boolean float32;

        @Option(names = "--images", paramLabel = "FILE", description = "One uint8 image per training row: IDX (MNIST, "
                + "plain or .gz) or a 3-D .npy (n x h x w).")
        Path images;

        @Option(names = "--ids", paramLabel = "FILE", description = "One id or text snippet per training row (UTF-8 lines).")
        Path ids;

        @Option(names = "--test-features", paramLabel = "FILE.npy", description = "Query points offered by the page.")
        Path testFeatures;

        @Option(names = "--test-labels", paramLabel = "FILE", description = "Their labels (.npy or IDX).")
        Path testLabels;

        @Option(names = "--test-images", paramLabel = "FILE", description = "Their images (as --images).")
        Path testImages;

        @Option(names = "--ann", description = "Also build the approximate maximum-inner-product (HNSW, Lucene) search "
                + "graphs: rps-l2 (one per class) and the inner-product kinds kfac, ekfac, trak, tracin-mlp, "
                + "representer-l1 (one over the stored training keys); influence, ntk and the CF methods are refused.")
        boolean ann;

        @Option(names = "--ann-m", defaultValue = "32", description = "HNSW max connections (default ${DEFAULT-VALUE}).")
        int annM;

        @Option(names = "--ann-beam", defaultValue = "200", description = "HNSW build beam width (default ${DEFAULT-VALUE}).")
        int annBeam;

        @Option(names = "--ann-threads", defaultValue = "1", description = "HNSW build threads: parallel segments, "
                + "then a concurrent merge into one graph (default ${DEFAULT-VALUE}: one thread, reproducible graph).")
        int annThreads;

        @Option(names = "--ann-int8", description = "Store the HNSW vectors int8-quantized (Lucene scalar quantization; "
                + "candidates are re-scored exactly either way).")
        boolean annInt8;

        @Override
        public Integer call() throws IOException {
            PrintWriter w = spec.commandLine().getOut();
            if ((from == null) == !demo) {
                throw new IllegalArgumentException("give exactly one of --from DIR and --demo");
            }
            if (annThreads < 1) {
                throw new IllegalArgumentException("--ann-threads must be >= 1, got " + annThreads);
            }
            if (Files.exists(out)) {
                throw new DataException(out, "already exists; choose a new index folder");
            }
            IndexBuildOptions o = IndexBuildOptions.defaults().withFloat32(float32);
            Path artifact = from;
            if (demo) {
                ShippedMnist d = ShippedMnist.load();
                artifact = out.resolveSibling(out.getFileName() + "-artifact");
                if (Files.exists(artifact)) {
                    throw new DataException(artifact, "already exists; remove it or choose another --out");
                }
                w.println("fitting RPS-L2 on " + d.trainImages().rows() + " shipped MNIST digits...");
                RepresenterAttributor p = Attributors.representer()
                        .prepare(Examples.labeled(d.trainImages().withOnesColumn(), d.trainLabels()));
                p.save(artifact);
                o = o.withImages(bytes(d.trainImages()), 28, 28)
                        .withTestSet(d.testImages().withOnesColumn(), d.testLabels(), bytes(d.testImages()));
            } else {
                if (images != null) {
                    int[] shape = new int[3];
                    byte[] px = readImages(images, shape);
                    o = o.withImages(px, shape[1], shape[2]);
                }
                if (ids != null) {
                    o = o.withIds(Files.readAllLines(ids));
                }
                if (testFeatures != null) {
                    DenseMatrix tf = Npy.readMatrix(testFeatures);
                    int[] tl = testLabels == null ? null : testLabels.toString().endsWith(".npy")
                            ? Npy.read(testLabels).toIntArray() : Idx.readLabels(testLabels);
                    byte[] ti = testImages == null ? null : readImages(testImages, new int[3]);
                    o = o.withTestSet(tf, tl, ti);
                }
            }
            ExplanationIndex.build(artifact, out, o);
            ExplanationIndex idx = ExplanationIndex.open(out);
            w.println("index: " + out + " (" + idx.method() + ", " + idx.size() + " x " + idx.dim() + ", "
                    + (float32 ? "float32" : "float64") + ")");
            if (ann) {
                long t0 = System.nanoTime();
                try {
                    LuceneAnn.build(idx, annM, annBeam, annThreads, annInt8);
                } catch (RuntimeException e) {  // all or nothing: no index folder without the graph it was asked for
                    OutputDirectory.deleteTree(out);
                    throw e;
                }
                w.printf(java.util.Locale.ROOT, "ann: HNSW graphs (M %d, beam %d%s%s) built in %.1f s%n", annM, annBeam,
                        annThreads > 1 ? ", " + annThreads + " threads" : "", annInt8 ? ", int8" : "",
                        (System.nanoTime() - t0) / 1e9);
            }
            w.println("serve it with: ./exemplar serve --index " + out + (ann ? " --ann" : ""));
            return 0;
        }

        private static byte[] bytes(DenseMatrix scaled) {
            double[] v = scaled.data();
            byte[] out = new byte[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = (byte) Math.round(Math.max(0, Math.min(1, v[i])) * 255);
            }
            return out;
        }

        private static byte[] readImages(Path f, int[] shape) {
            NpyArray a = f.toString().endsWith(".npy") ? Npy.read(f) : Idx.read(f);
            int[] s = a.intShape();
            if (s.length != 3) {
                throw new DataException(f, "expected n x height x width images, got shape " + a.shapeString());
            }
            System.arraycopy(s, 0, shape, 0, 3);
            int[] v = a.toIntArray();
            byte[] out = new byte[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0 || v[i] > 255) {
                    throw new DataException(f, "value " + v[i] + " at " + i + " is not a uint8 pixel");
                }
                out[i] = (byte) v[i];
            }
            return out;
        }
    }

}
