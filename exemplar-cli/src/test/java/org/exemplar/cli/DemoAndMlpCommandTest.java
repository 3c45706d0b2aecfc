package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.data.Idx;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.model.Mlp;
import org.exemplar.model.MlpFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoAndMlpCommandTest {
    @TempDir
    Path dir;

    @Test
    void demoOnTheShippedSliceWritesAReportWhoseNumbersHold() throws IOException {
        Path out = dir.resolve("demo");
        CliTestSupport.Run r = CliTestSupport.run("demo", "--out", out.toString(), "--epochs", "3",
                "--debug-repeats", "1", "-q");
        assertEquals(0, r.exitCode(), r.toString());
        // the numbers as the demo wrote them before the CLI refactoring (issue 11; tolerance in Golden)
        Golden.check("demo", out, "summary.json", "explanations.csv", "debugging.csv", "debugging_runs.csv");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("data:image/png;base64,"), "images are embedded");
        assertTrue(html.contains("Dataset debugging") && html.contains("Sensitivity-map decomposition"));
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("converged").asBoolean());
        assertTrue(s.get("stationarity_residual").asDouble() <= 1e-10, s.toString());
        // a trained network's last layer is close to a stationary point of eq. (4): the paper reports
        // "almost 1"; 3 epochs on 5,000 digits gives > 0.99 on this slice
        assertTrue(s.get("pearson_test").asDouble() > 0.99, s.toString());
        // the sensitivity maps sum to the gradient map up to summation rounding
        assertTrue(s.get("sensitivity_sum_relative_error").asDouble() < 1e-10, s.toString());
        assertTrue(s.get("test_accuracy").asDouble() > 0.85, s.toString());
        // with every flipped label fixed the retrained model is the clean model
        JsonNode rep = s.get("debug_curves").get(0);
        int last = rep.get("foundMean").size() - 1;
        assertEquals(1.0, rep.get("foundMean").get(last).asDouble());
        assertEquals(s.get("debug_clean_accuracy").asDouble(), rep.get("accuracyMean").get(last).asDouble(), 1e-12);
        // Fig. 2's four orders, the representer and loss orders identical (|alpha_i| is monotone in the loss)
        List<String> names = new java.util.ArrayList<>();
        s.get("debug_curves").forEach(c -> names.add(c.get("ordering").asText()));
        assertEquals(List.of("representer |alpha|", "influence (self)", "training loss", "random"), names);
        assertEquals(s.get("debug_curves").get(0).get("accuracyMean"), s.get("debug_curves").get(2).get("accuracyMean"));
        assertEquals(3, s.get("debug_accuracy_minus_random").size());
        // every repeat's values, one row per ordering x fraction x repeat
        List<String> runs = Files.readAllLines(out.resolve("debugging_runs.csv"));
        assertTrue(runs.get(0).startsWith("ordering,fraction_inspected,repeat,found,test_accuracy,"), runs.get(0));
        assertEquals(1 + 4 * DemoCommand.DEBUG_FRACTIONS.length, runs.size());
        // the report says that one curve hides another, and its captions are readable (>= 13 px)
        assertTrue(html.contains("lies exactly on the representer curve"), "hidden curve explained");
        assertTrue(html.contains("figcaption{font-size:14px") && html.contains(".cell{text-align:center;font-size:13px}"));
        assertTrue(!html.contains("font-size:11px") && !html.contains("font-size:12px"));
        assertTrue(s.get("same_label_inhibitory").get("count").asInt() == 0
                || html.contains("Why some inhibitory digits share the explained class's label"));
    }

    @Test
    void mlpTrainSaveFeaturesAndRpsChainOnIdxInput() throws IOException {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 120;
        byte[] pixels = new byte[n * 16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 16; j++) {
                int base = j % 3 == labels[i] ? 200 : 30;
                pixels[i * 16 + j] = (byte) Math.min(255, base + rnd.nextInt(40));
            }
        }
        Path images = dir.resolve("images-idx3-ubyte.gz");
        Path labelFile = dir.resolve("labels-idx1-ubyte");
        Idx.writeImages(images, n, 4, 4, pixels);
        Idx.writeLabels(labelFile, labels);
        Path model = dir.resolve("model.npz");
        CliTestSupport.Run r = CliTestSupport.run("mlp", "train", "--train-features", images.toString(),
                "--train-labels", labelFile.toString(), "--scale", "0.00392156862745098", "--hidden", "8",
                "--epochs", "30", "--seed", "3", "--out", model.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        Mlp net = MlpFiles.load(model);
        assertArrayEquals(new int[] {16, 8, 3}, net.widths());

        Path feats = dir.resolve("F.npy");
        Path logits = dir.resolve("L.npy");
        Path last = dir.resolve("W.npy");
        r = CliTestSupport.run("mlp", "features", "--model", model.toString(), "--input", images.toString(), "--scale",
                "0.00392156862745098", "--append-ones", "--features-out", feats.toString(), "--logits-out",
                logits.toString(), "--last-layer-out", last.toString());
        assertEquals(0, r.exitCode(), r.toString());
        DenseMatrix f = Npy.read(feats).toMatrix();
        assertEquals(9, f.cols(), "8 hidden units plus the ones column");
        assertEquals(3, Npy.read(last).toMatrix().rows());

        Path labelsNpy = dir.resolve("y.npy");
        r = CliTestSupport.run("convert", labelFile.toString(), labelsNpy.toString(), "--labels");
        assertEquals(0, r.exitCode(), r.toString());
        assertArrayEquals(labels, Npy.read(labelsNpy).toIntArray());

        Path out = dir.resolve("rps");
        r = CliTestSupport.run("rps", "--train-features", feats.toString(), "--train-labels", labelsNpy.toString(),
                "--teacher-logits", logits.toString(), "--last-layer-weights", last.toString(), "--test-features",
                feats.toString(), "--test-teacher-logits", logits.toString(), "--out", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("converged").asBoolean());
        assertEquals("last-layer-weights", s.at("/settings/initialization").asText());

        // the same analysis straight from the network and its raw IDX inputs
        Path direct = dir.resolve("rps-model");
        r = CliTestSupport.run("rps", "--model", model.toString(), "--input-scale", "0.00392156862745098",
                "--train-features", images.toString(), "--train-labels", labelsNpy.toString(), "--test-features",
                images.toString(), "--out", direct.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode sd = Json.mapper().readTree(direct.resolve("summary.json").toFile());
        assertEquals("eq4-teacher-logits", sd.at("/settings/objective").asText());
        assertEquals("network-last-layer", sd.at("/settings/initialization").asText());
        assertEquals("teacher-logits", sd.get("fidelity_reference_test").asText());
        DenseMatrix v1 = Npy.read(out.resolve("values.npy")).toMatrix();
        DenseMatrix v2 = Npy.read(direct.resolve("values.npy")).toMatrix();
        // identical inputs, targets and start: the two runs do the same arithmetic
        assertArrayEquals(v1.data(), v2.data(), 1e-12);
    }

    @Test
    void loadingSomethingThatIsNotAModelFailsClearly() {
        Path notModel = dir.resolve("x.npy");
        Npy.write(notModel, new double[] {1, 2, 3});
        CliTestSupport.Run r = CliTestSupport.run("mlp", "features", "--model", notModel.toString(), "--input",
                notModel.toString(), "--features-out", dir.resolve("f.npy").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("x.npy"), r.err());
    }
}
