package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.DataException;
import org.exemplar.data.DataFiles;
import org.exemplar.data.Npy;
import org.exemplar.data.Validation;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.exemplar.model.MlpTrainer;
import org.exemplar.model.TrainingHistory;
import org.exemplar.model.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar mlp}: train a built-in network and export its features and logits. */
@Command(name = "mlp", mixinStandardHelpOptions = true,
        description = "Train a multilayer perceptron and export its last-hidden-layer features and logits.",
        subcommands = {MlpCommand.Train.class, MlpCommand.Features.class})
final class MlpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static DenseMatrix readInputs(Path file, double scale) {
        return readInputs(file, scale, null);
    }

    /**
     * Reads inputs and multiplies them by {@code scale}. Warns on {@code log} when a shrinking scale meets inputs
     * that already lie in [-1, 1]: the signature of scaling twice (convert --scale, then --scale again), which
     * silently ruins a network's outputs (issue 15, item 1).
     */
    static DenseMatrix readInputs(Path file, double scale, PrintWriter log) {
        DenseMatrix x = DataFiles.readMatrix(file);
        if (log != null && scale != 1.0 && Math.abs(scale) < 1.0 && x.data().length > 0) {
            double max = 0;
            for (double v : x.data()) {
                max = Math.max(max, Math.abs(v));
            }
            if (max <= 1.0) {
                log.printf(java.util.Locale.ROOT, "warning: %s already lies in [-1, 1] (largest |value| %.4g) and "
                        + "--scale %.6g shrinks it to at most %.4g: if it was converted with --scale already, drop the "
                        + "scale here (inputs scaled twice give the network wrong inputs)%n", file, max, scale,
                        max * Math.abs(scale));
            }
        }
        if (scale != 1.0) {
            x.scaleInPlace(scale);
        }
        Validation.requireFinite(x, file, "inputs");
        return x;
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Train an MLP (mini-batch SGD with momentum, or Adam; seeded, reproducible) and save it as .npz "
                    + "(layer{k}.weight (out, in), layer{k}.bias, config.json).")
    static final class Train implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--train-features", required = true, paramLabel = "X", description = "Inputs: .npy, .csv or IDX (.gz).")
        Path x;

        @Option(names = "--train-labels", required = true, paramLabel = "y", description = "Integer labels: .npy, .csv or IDX.")
        Path y;

        @Option(names = "--scale", defaultValue = "1", description = "Multiply inputs by this (e.g. 0.00392156862745098 = 1/255 for MNIST bytes).")
        double scale;

        @Option(names = "--hidden", defaultValue = "128,64", split = ",", description = "Hidden widths (default ${DEFAULT-VALUE}).")
        int[] hidden;

        @Option(names = "--activation", defaultValue = "relu", description = "relu | tanh | sigmoid | softplus (default ${DEFAULT-VALUE}).")
        String activation;

        @Option(names = "--loss", defaultValue = "softmax", description = "softmax | sigmoid | squared (default ${DEFAULT-VALUE}).")
        String loss;

        @Option(names = "--optimizer", defaultValue = "adam", description = "adam | sgd (default ${DEFAULT-VALUE}).")
        String optimizer;

        @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate (default ${DEFAULT-VALUE}).")
        double lr;

        @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default ${DEFAULT-VALUE}).")
        double momentum;

        @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--l2", defaultValue = "0", description = "L2 weight decay on all parameters (default ${DEFAULT-VALUE}).")
        double l2;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of initialization and shuffling (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
        boolean quiet;

        @Option(names = "--out", required = true, paramLabel = "MODEL.npz", description = "Where to save the network.")
        Path out;

        @Override
        public Integer call() {
            PrintWriter log = spec.commandLine().getErr();
            OutputDirectory.checkFile(out, "--out");
            DenseMatrix xs = readInputs(x, scale, log);
            int[] labels = DataFiles.readLabels(y);
            if (labels.length != xs.rows()) {
                throw new DataException(y, "has " + labels.length + " labels but " + x + " has " + xs.rows() + " rows");
            }
            Loss lossFn = Loss.named(loss);
            int classes = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0) {
                    throw new DataException(y, "negative label " + labels[i] + " at row " + i);
                }
                classes = Math.max(classes, labels[i] + 1);
            }
            int outputs = lossFn.outputsForClasses(classes);
            DenseMatrix targets;
            try {
                targets = lossFn.targetsFromLabels(labels, outputs);
            } catch (IllegalArgumentException e) {
                throw new DataException(y, e.getMessage());
            }
            Mlp net = Mlp.initialize(xs.cols(), hidden, Activation.fromName(activation), outputs, seed);
            int[] widths = net.widths();
            TrainingOptions opt = (optimizer.equalsIgnoreCase("sgd") ? TrainingOptions.sgd(lr, momentum)
                    : optimizer.equalsIgnoreCase("adam") ? TrainingOptions.adam(lr)
                    : fail("--optimizer must be adam or sgd, got " + optimizer))
                    .withBatchSize(batch).withEpochs(epochs).withL2(l2).withSeed(seed);
            TrainingHistory h = new MlpTrainer().train(net, xs, targets, lossFn, opt, (e, l) -> {
                if (!quiet) {
                    log.printf(Locale.ROOT, "epoch %d/%d: mean loss %.5f%n", e, epochs, l);
                    log.flush();
                }
            });
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("widths", widths);
            settings.put("activation", activation);
            settings.put("loss", lossFn.name());
            settings.put("training", opt.toString());
            settings.put("scale", scale);
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("train_features", x);
            inputs.put("train_labels", y);
            MlpFiles.save(out, net, Provenance.of("mlp-train", settings, inputs, seed));
            if (!quiet) {
                log.printf(Locale.ROOT, "trained %s in %.1f s, final mean loss %.5f; saved %s%n",
                        java.util.Arrays.toString(widths), h.seconds(), h.finalLoss(), out);
            }
            return 0;
        }

        private static TrainingOptions fail(String message) {
            throw new IllegalArgumentException(message);
        }
    }

    @Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Run a saved network on inputs and write its last-hidden-layer features and its logits "
                    + "(the inputs of 'exemplar rps').")
    static final class Features implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "MODEL.npz", description = "A network saved by 'mlp train'.")
        Path model;

        @Option(names = "--input", required = true, paramLabel = "X", description = "Inputs: .npy, .csv or IDX (.gz).")
        Path input;

        @Option(names = "--scale", defaultValue = "1", description = "Multiply inputs by this first (as in training).")
        double scale;

        @Option(names = "--append-ones", description = "Append a constant-1 column to the features (for the last layer's bias).")
        boolean appendOnes;

        @Option(names = "--features-out", required = true, paramLabel = "F.npy", description = "Features output (n, p).")
        Path featuresOut;

        @Option(names = "--logits-out", paramLabel = "L.npy", description = "Logits output (n, c).")
        Path logitsOut;

        @Option(names = "--last-layer-out", paramLabel = "W.npy",
                description = "The network's last layer (c, p), with the bias as last column when --append-ones.")
        Path lastLayerOut;

        @Override
        public Integer call() {
            for (Path p : new Path[] {featuresOut, logitsOut, lastLayerOut}) {
                if (p != null) {
                    OutputDirectory.checkFile(p, "output");
                }
            }
            Mlp net = MlpFiles.load(model);
            DenseMatrix x = readInputs(input, scale, spec.commandLine().getErr());
            if (x.cols() != net.inputWidth()) {
                throw new DataException(input, "has " + x.cols() + " columns but the network takes " + net.inputWidth());
            }
            DenseMatrix f = net.features(x);
            Npy.write(featuresOut, appendOnes ? f.withOnesColumn() : f);
            if (logitsOut != null) {
                Npy.write(logitsOut, net.logits(x));
            }
            if (lastLayerOut != null) {
                Npy.write(lastLayerOut, appendOnes ? LinearModels.withBiasColumn(net.lastLayerWeight(), net.lastLayerBias()) : net.lastLayerWeight());
            }
            return 0;
        }
    }
}
