package org.exemplar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.CfRepresenter;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.cf.MfResult;
import org.exemplar.cf.MfTrainer;
import org.exemplar.cf.PairExplanation;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cf.SoftImpute;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.linalg.Blas;
import org.exemplar.linalg.DenseMatrix;

/**
 * Benchmark of the CF high-dimensional representer on MovieLens-100k (Tsai et al. 2023, App. F): (1) the
 * preprocessing, Algorithm 1 (three thin SVDs, O(max(|U|, |I|) k^2)) plus the global importances (O(|D| k)),
 * and (2) one Definition 1 explanation (user- and item-based scores, combined and sorted) per test pair, next to
 * a NumPy twin (exemplar-bench/python/cf_bench.py) doing the same on the same embeddings in the same run.
 * Medians over {@code repeats} after one warm-up. Arguments key=value: data (u.data path, default
 * ../shared/data/movielens-100k/ml-100k/u.data), rank, pairs, repeats, seed, python, work.
 */
public final class CfBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("data", "../shared/data/movielens-100k/ml-100k/u.data");
        a.put("rank", "16");
        a.put("pairs", "2000");
        a.put("repeats", "5");
        a.put("seed", "0");
        a.put("python", "python3");
        a.put("work", "");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        int rank = Integer.parseInt(a.get("rank"));
        int nPairs = Integer.parseInt(a.get("pairs"));
        int repeats = Integer.parseInt(a.get("repeats"));
        long seed = Long.parseLong(a.get("seed"));
        BenchData.require("data", a.get("data"), BenchData.MOVIELENS);
        Ratings r = RatingsFiles.read(Path.of(a.get("data"))).affine(0.5, -1.5);
        MfOptions o = MfOptions.squared(rank, seed);
        MfResult fit = MfTrainer.train(r, o, MfTrainer.Algorithm.SGD);
        Factorization f = fit.factors();
        SplittableRandom rng = new SplittableRandom(seed + 7);
        int[] pu = new int[nPairs];
        int[] pi = new int[nPairs];
        for (int p = 0; p < nPairs; p++) {
            pu[p] = rng.nextInt(r.numUsers());
            pi[p] = rng.nextInt(r.numItems());
        }
        double[] pre = new double[repeats + 1];
        CfRepresenter rep = null;
        for (int t = 0; t <= repeats; t++) {
            long t0 = System.nanoTime();
            rep = CfRepresenter.forFactorization(r, f, CfLoss.SQUARED, null);
            pre[t] = (System.nanoTime() - t0) / 1e9;
        }
        double[] per = new double[repeats + 1];
        double checksum = 0;
        for (int t = 0; t <= repeats; t++) {
            long t0 = System.nanoTime();
            for (int p = 0; p < nPairs; p++) {
                PairExplanation e = rep.explain(pu[p], pi[p]);
                checksum += e.attributions().isEmpty() ? 0 : e.attributions().get(0).score();
            }
            per[t] = (System.nanoTime() - t0) / 1e9 / nPairs;
        }
        // Soft-Impute (eq. 12; lambda 5e-4 per rating, rank cap 16, the paper's 20 iterations): the partial SVD
        // SoftImpute uses by default against a full LAPACK SVD per iteration, same fit otherwise
        SoftImpute.Options so = new SoftImpute.Options(5e-4, 16, 20, 1e-6);
        SoftImpute.Result siTrunc = null;
        SoftImpute.Result siFull = null;
        double[] siTruncS = new double[2];
        double[] siFullS = new double[2];
        for (int t = 0; t < 2; t++) {
            siTrunc = SoftImpute.fit(r, so, null, true);
            siTruncS[t] = siTrunc.seconds();
            siFull = SoftImpute.fit(r, so, null, false);
            siFullS[t] = siFull.seconds();
        }
        double siDiff = 0;
        for (int p = 0; p < siFull.theta().data().length; p++) {
            siDiff = Math.max(siDiff, Math.abs(siFull.theta().data()[p] - siTrunc.theta().data()[p]));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("softimpute_truncated_s", Math.min(siTruncS[0], siTruncS[1]));
        out.put("softimpute_full_svd_s", Math.min(siFullS[0], siFullS[1]));
        out.put("softimpute_rank_truncated_full", new int[] {siTrunc.rank(), siFull.rank()});
        out.put("softimpute_kkt_truncated_full", new double[] {siTrunc.kktResidual(), siFull.kktResidual()});
        out.put("softimpute_max_abs_theta_difference", siDiff);
        out.put("data", a.get("data"));
        out.put("users", r.numUsers());
        out.put("items", r.numItems());
        out.put("ratings", r.size());
        out.put("rank", rank);
        out.put("pairs", nPairs);
        out.put("repeats", repeats);
        out.put("backend", Blas.backend().description());
        out.put("java_preprocess_s", median(pre));
        out.put("java_per_pair_s", median(per));
        out.put("java_checksum", checksum / (repeats + 1));
        Path work = a.get("work").isEmpty() ? Files.createTempDirectory("cfbench") : Path.of(a.get("work"));
        Files.createDirectories(work);
        Npy.write(work.resolve("U.npy"), f.users());
        Npy.write(work.resolve("V.npy"), f.items());
        RatingsFiles.writeNpy(work.resolve("R.npy"), r);
        DenseMatrix pm = new DenseMatrix(nPairs, 2);
        for (int p = 0; p < nPairs; p++) {
            pm.set(p, 0, pu[p]);
            pm.set(p, 1, pi[p]);
        }
        Npy.write(work.resolve("pairs.npy"), pm);
        Path script = Files.exists(Path.of("exemplar-bench/python/cf_bench.py"))
                ? Path.of("exemplar-bench/python/cf_bench.py") : Path.of("python/cf_bench.py");
        Process proc = new ProcessBuilder(a.get("python"), script.toString(), work.toString(), String.valueOf(repeats))
                .redirectErrorStream(false).start();
        String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("python twin failed: " + stderr);
        }
        JsonNode py = Json.mapper().readTree(stdout);
        out.put("numpy", py);
        out.put("ratio_preprocess_numpy_over_java", py.get("preprocess_s").asDouble() / median(pre));
        out.put("ratio_per_pair_numpy_over_java", py.get("per_pair_s").asDouble() / median(per));
        System.out.print(Json.write(out));
    }

    private static double median(double[] x) {
        double[] s = Arrays.copyOfRange(x, 1, x.length);
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
