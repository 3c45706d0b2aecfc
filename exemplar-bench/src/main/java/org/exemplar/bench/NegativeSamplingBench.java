package org.exemplar.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfResult;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.NegativeSampling;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;

/**
 * The negative-sampling use case of Tsai et al. (2023, App. C) on MovieLens-100k: ratings &gt;= 4 are positives,
 * a seeded 50 % of them train and the rest test; N = every other user-item pair, weighted 0.05 in the binary
 * cross-entropy; a base MF model is trained by SGD, the lowest p % of negatives by aggregated high-dim representer
 * importance (eq. 19), by loss, or at random are removed, the model is retrained with the same options and seed,
 * and the table reports the test positives found among the removed negatives and recall@20 before and after.
 * Arguments key=value: data, rank, reg, epochs, lr, batch, init, negweight, fractions, topk, seed.
 */
public final class NegativeSamplingBench {
    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("data", "../shared/data/movielens-100k/ml-100k/u.data");
        a.put("rank", "16");
        a.put("reg", "1.0");
        a.put("epochs", "30");
        a.put("lr", "20");
        a.put("batch", "10000");
        a.put("init", "0.1");
        a.put("negweight", "0.05");
        a.put("fractions", "0.01,0.02,0.03,0.04,0.05");
        a.put("topk", "20");
        a.put("seed", "0");
        a.put("methods", "high-dim,loss,random");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        System.out.println("settings: " + a);
        long seed = Long.parseLong(a.get("seed"));
        BenchData.require("data", a.get("data"), BenchData.MOVIELENS);
        Ratings all = RatingsFiles.read(Path.of(a.get("data")));
        int[] pos = IntStream.range(0, all.size()).filter(t -> all.value(t) >= 4).toArray();
        Ratings positives = all.subset(pos).affine(0, 1);       // value 1
        Ratings.Split split = positives.split(0.5, seed);
        Ratings d = NegativeSampling.withAllNegatives(split.train());
        int negatives = d.size() - split.train().size();
        MfOptions o = new MfOptions(CfLoss.LOGISTIC, Integer.parseInt(a.get("rank")), Double.parseDouble(a.get("reg")),
                Integer.parseInt(a.get("epochs")), Double.parseDouble(a.get("lr")), Integer.parseInt(a.get("batch")),
                Double.parseDouble(a.get("init")), Double.parseDouble(a.get("negweight")), seed);
        int topK = Integer.parseInt(a.get("topk"));
        long t0 = System.nanoTime();
        MfResult base = MfTrainer.train(d, o, MfTrainer.Algorithm.SGD);
        Factorization f = base.factors();
        System.out.printf("positives %d (train %d, test %d), negatives %d; base model: objective %.4f, %.1f s, "
                + "recall@%d %.4f%n", positives.size(), split.train().size(), split.test().size(), negatives,
                base.objective(), (System.nanoTime() - t0) / 1e9, topK,
                NegativeSampling.recallAt(f, d, split.test(), topK));
        double[] history = base.objectiveHistory();
        System.out.printf("objective by epoch: first %.4f, last-but-one %.6f, last %.6f%n", history[0],
                history[Math.max(0, history.length - 2)], history[history.length - 1]);
        System.out.println("| selection | removed (p % of N) | test positives among them | share of removed | "
                + "recall@" + topK + " before | after | change |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String m : a.get("methods").split(",")) {
            NegativeSampling.Selection how = switch (m) {
                case "high-dim" -> NegativeSampling.Selection.HIGH_DIM;
                case "loss" -> NegativeSampling.Selection.LOSS;
                case "random" -> NegativeSampling.Selection.RANDOM;
                default -> throw new IllegalArgumentException("unknown method " + m);
            };
            for (String fs : a.get("fractions").split(",")) {
                double p = Double.parseDouble(fs);
                NegativeSampling.Outcome out = NegativeSampling.run(d, split.test(), o, f, how, p, topK, seed + 1);
                System.out.printf("| %s | %d (%.0f %%) | %d | %.2f %% | %.4f | %.4f | %+.4f |%n", m, out.removed(),
                        100 * p, out.falseNegatives(), 100.0 * out.falseNegatives() / out.removed(),
                        out.recallBefore(), out.recallAfter(), out.recallAfter() - out.recallBefore());
            }
        }
        System.out.printf("base rate: test positives are %.2f %% of N%n", 100.0 * split.test().size() / negatives);
    }
}
