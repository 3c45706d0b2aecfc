package org.exemplar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.CsrMatrix;
import org.exemplar.data.Npy;
import org.exemplar.data.SparseData;
import org.exemplar.data.SvmLight;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden outputs of every documented command that runs on small generated data (issue 11: "each CLI command's
 * numbers on shipped data are identical, or within 1e-12, to what it wrote before the change"). The inputs are
 * generated here from fixed seeds by plain Java ({@link SplittableRandom}), written with {@code Npy.write} /
 * {@code SvmLight.write}; the expected numbers were captured from the code before the refactoring (see
 * {@link Golden} for what is compared, the tolerance and how to capture). {@code demo} is checked in
 * {@link DemoAndMlpCommandTest}, which already runs it.
 */
class GoldenOutputTest {
    @TempDir
    static Path dir;

    static Path x;
    static Path y;
    static Path xt;
    static Path yt;
    static Path ycls;
    static Path ytcls;
    static Path xOnes;
    static Path xtOnes;
    static Path teacher;
    static Path teacherTest;
    static Path svmTrain;
    static Path svmTest;
    static Path ratings;
    static Path pairs;
    static Path xs;
    static Path ys;
    static Path xts;
    static Path yts;

    @BeforeAll
    static void writeData() throws IOException {
        SplittableRandom rnd = new SplittableRandom(2026);
        int n = 60;
        int nt = 8;
        int d = 4;
        DenseMatrix a = gaussian(n, d, rnd);
        DenseMatrix b = gaussian(nt, d, rnd);
        int[] y01 = new int[n];
        int[] cls = new int[n];
        int[] yt01 = new int[nt];
        int[] ytc = new int[nt];
        for (int i = 0; i < n; i++) {
            double z = a.get(i, 0) - 0.5 * a.get(i, 1) + 0.7 * rnd.nextGaussian();
            y01[i] = z > 0 ? 1 : 0;
            cls[i] = z > 0.6 ? 2 : (z > -0.6 ? 1 : 0);
        }
        for (int t = 0; t < nt; t++) {
            double z = b.get(t, 0) - 0.5 * b.get(t, 1);
            yt01[t] = z > 0 ? 1 : 0;
            ytc[t] = z > 0.6 ? 2 : (z > -0.6 ? 1 : 0);
        }
        x = write("x.npy", a);
        xt = write("xt.npy", b);
        y = dir.resolve("y.npy");
        Npy.write(y, y01);
        yt = dir.resolve("yt.npy");
        Npy.write(yt, yt01);
        ycls = dir.resolve("ycls.npy");
        Npy.write(ycls, cls);
        ytcls = dir.resolve("ytcls.npy");
        Npy.write(ytcls, ytc);
        xOnes = write("x1.npy", a.withOnesColumn());
        xtOnes = write("xt1.npy", b.withOnesColumn());
        // a "network's" logits for eq. (4): a fixed linear map plus a tanh bend
        DenseMatrix w = gaussian(3, d, rnd);
        teacher = write("teacher.npy", logits(a, w));
        teacherTest = write("teacher_t.npy", logits(b, w));

        svmTrain = dir.resolve("train.svm");
        svmTest = dir.resolve("test.svm");
        SvmLight.write(svmTrain, sparse(80, rnd));
        SvmLight.write(svmTest, sparse(6, rnd));

        // ratings (user, item, rating) with 0-based ids from a rank-2 model, about half observed
        int nu = 9;
        int ni = 8;
        double[][] u = new double[nu][2];
        double[][] v = new double[ni][2];
        for (double[] r : u) {
            r[0] = rnd.nextGaussian();
            r[1] = rnd.nextGaussian();
        }
        for (double[] r : v) {
            r[0] = rnd.nextGaussian();
            r[1] = rnd.nextGaussian();
        }
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < nu; i++) {
            for (int j = 0; j < ni; j++) {
                if (rnd.nextDouble() < 0.55) {
                    rows.add(new double[] {i, j, Math.tanh(u[i][0] * v[j][0] + u[i][1] * v[j][1])});
                }
            }
        }
        ratings = write("R.npy", DenseMatrix.fromRows(rows.toArray(new double[0][])));
        pairs = write("P.npy", DenseMatrix.fromRows(new double[][] {{0, 1}, {3, 5}, {8, 0}}));

        // NTK: unit-norm inputs, targets in [-1, 1]
        DenseMatrix s = gaussian(30, 3, rnd);
        DenseMatrix st = gaussian(4, 3, rnd);
        double[] ysv = new double[30];
        double[] ytsv = new double[4];
        for (int i = 0; i < 30; i++) {
            ysv[i] = Math.tanh(s.get(i, 0) - s.get(i, 2));
        }
        for (int i = 0; i < 4; i++) {
            ytsv[i] = Math.tanh(st.get(i, 0) - st.get(i, 2));
        }
        xs = write("xs.npy", unit(s));
        xts = write("xts.npy", unit(st));
        ys = dir.resolve("ys.npy");
        Npy.write(ys, ysv);
        yts = dir.resolve("yts.npy");
        Npy.write(yts, ytsv);
    }

    static DenseMatrix gaussian(int r, int c, SplittableRandom rnd) {
        DenseMatrix m = new DenseMatrix(r, c);
        for (int i = 0; i < r * c; i++) {
            m.data()[i] = rnd.nextGaussian();
        }
        return m;
    }

    static DenseMatrix logits(DenseMatrix a, DenseMatrix w) {
        DenseMatrix l = new DenseMatrix(a.rows(), w.rows());
        for (int i = 0; i < a.rows(); i++) {
            for (int c = 0; c < w.rows(); c++) {
                double s = 0;
                for (int j = 0; j < a.cols(); j++) {
                    s += a.get(i, j) * w.get(c, j);
                }
                l.set(i, c, 2 * Math.tanh(s) + 0.1 * c);
            }
        }
        return l;
    }

    static DenseMatrix unit(DenseMatrix m) {
        DenseMatrix o = new DenseMatrix(m.rows(), m.cols());
        for (int i = 0; i < m.rows(); i++) {
            double s = 0;
            for (int j = 0; j < m.cols(); j++) {
                s += m.get(i, j) * m.get(i, j);
            }
            for (int j = 0; j < m.cols(); j++) {
                o.set(i, j, m.get(i, j) / Math.sqrt(s));
            }
        }
        return o;
    }

    static SparseData sparse(int n, SplittableRandom r) {
        DenseMatrix m = new DenseMatrix(n, 20);
        double[] lab = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 20; j++) {
                if (r.nextDouble() < 0.3) {
                    m.set(i, j, r.nextDouble());
                }
            }
            double z = 2 * m.get(i, 0) - 2 * m.get(i, 1) + m.get(i, 2) - 0.3 + 0.3 * r.nextGaussian();
            lab[i] = z > 0 ? 1 : 0;
        }
        return new SparseData(CsrMatrix.fromDense(m), lab, null);
    }

    static Path write(String name, DenseMatrix m) {
        Path p = dir.resolve(name);
        Npy.write(p, m);
        return p;
    }

    static Path run(String name, String... args) {
        Path out = dir.resolve("out-" + name);
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--out");
        all.add(out.toString());
        all.add("-q");
        CliTestSupport.Run r = CliTestSupport.run(all.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.toString());
        return out;
    }

    static String s(Path p) {
        return p.toString();
    }

    @Test
    void rpsOnLabels() {
        Path out = run("rps-labels", "rps", "--train-features", s(xOnes), "--train-labels", s(ycls), "--test-features",
                s(xtOnes), "--test-labels", s(ytcls), "--lambda", "0.01", "--top-k", "3");
        Golden.check("rps-labels", out, "values.npy", "alpha.npy", "theta.npy", "topk.csv", "summary.json");
    }

    @Test
    void rpsOnTeacherLogitsSigmoidClass() {
        Path out = run("rps-teacher", "rps", "--train-features", s(xOnes), "--train-labels", s(ycls),
                "--teacher-logits", s(teacher), "--test-features", s(xtOnes), "--test-teacher-logits",
                s(teacherTest), "--lambda", "0.003", "--top-k", "4", "--explain-class", "2");
        Golden.check("rps-teacher", out, "values.npy", "alpha.npy", "theta.npy", "topk.csv", "summary.json");
    }

    @Test
    void influenceLogisticExactWithLoo() {
        Path out = run("influence-logistic", "influence", "--model", "logistic", "--train-features", s(x),
                "--train-labels", s(y), "--test-features", s(xt), "--test-labels", s(yt), "--l2", "0.05",
                "--damping", "0.001", "--loo-indices", "0:5", "--top-k", "3");
        Golden.check("influence-logistic", out, "influence.npy", "self_influence.npy", "theta.npy", "loo.npy",
                "topk.csv", "summary.json");
    }

    @Test
    void influenceSoftmaxCgMarginGaussNewton() {
        Path out = run("influence-softmax", "influence", "--model", "softmax", "--train-features", s(x),
                "--train-labels", s(ycls), "--test-features", s(xt), "--test-labels", s(ytcls), "--l2", "0.02",
                "--hessian", "gauss-newton", "--solver", "cg", "--measure", "margin", "--top-k", "2");
        Golden.check("influence-softmax", out, "influence.npy", "self_influence.npy", "theta.npy", "topk.csv",
                "summary.json");
    }

    @Test
    void influenceArnoldiAndLastLayer() throws IOException {
        Path out = run("influence-arnoldi", "influence", "--model", "logistic", "--train-features", s(x),
                "--train-labels", s(y), "--test-features", s(xt), "--test-labels", s(yt), "--l2", "0.05",
                "--solver", "arnoldi", "--arnoldi-iterations", "5", "--arnoldi-top-k", "5", "--skip-self-influence");
        Golden.check("influence-arnoldi", out, "influence.npy", "theta.npy", "topk.csv", "summary.json");
        Path w = write("w_ll.npy", DenseMatrix.fromRows(new double[][] {{0.8, -0.4, 0.1, 0.0, 0.05},
            {-0.2, 0.3, 0.0, 0.1, 0.0}, {0.1, 0.2, -0.3, 0.2, -0.05}}));
        out = run("influence-last-layer", "influence", "--model", "softmax", "--train-features", s(x),
                "--train-labels", s(ycls), "--test-features", s(xt), "--test-labels", s(ytcls), "--l2", "0.01",
                "--last-layer-weights", s(w), "--fine-tune");
        Golden.check("influence-last-layer", out, "influence.npy", "self_influence.npy", "theta.npy", "topk.csv",
                "summary.json");
    }

    @Test
    void mlpTrainFeaturesAndInfluenceOnTheNetwork() throws IOException {
        Path model = dir.resolve("model.npz");
        CliTestSupport.Run r = CliTestSupport.run("mlp", "train", "--train-features", s(x), "--train-labels", s(ycls),
                "--hidden", "6", "--activation", "tanh", "--epochs", "5", "--batch-size", "16", "--lr", "0.01",
                "--l2", "0.01", "--seed", "3", "--out", s(model), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        Path feats = Files.createDirectories(dir.resolve("mlp-features"));
        r = CliTestSupport.run("mlp", "features", "--model", s(model), "--input", s(xt), "--append-ones",
                "--features-out", s(feats.resolve("F.npy")), "--logits-out", s(feats.resolve("L.npy")),
                "--last-layer-out", s(feats.resolve("W.npy")));
        assertEquals(0, r.exitCode(), r.toString());
        Golden.check("mlp-train", dir, "model.npz");
        Golden.check("mlp-features", feats, "F.npy", "L.npy", "W.npy");
        Path out = run("influence-mlp", "influence", "--model", "mlp:" + model, "--train-features", s(x),
                "--train-labels", s(ycls), "--test-features", s(xt), "--test-labels", s(ytcls), "--l2", "0.01",
                "--damping", "0.01", "--hessian", "gauss-newton", "--solver", "cg", "--top-k", "2",
                "--allow-unconverged");
        Golden.check("influence-mlp", out, "influence.npy", "self_influence.npy", "topk.csv", "summary.json");
        out = run("rps-model", "rps", "--model", s(model), "--train-features", s(x), "--train-labels", s(ycls),
                "--test-features", s(xt), "--lambda", "0.01", "--top-k", "2");
        Golden.check("rps-model", out, "values.npy", "alpha.npy", "theta.npy", "topk.csv", "summary.json");
    }

    @Test
    void hdrepL1WithBiasAndInfluence() {
        Path out = run("hdrep-l1", "hdrep", "l1", "--train", s(svmTrain), "--test", s(svmTest), "--lambda", "0.005",
                "--bias", "--influence", "--top-k", "3");
        Golden.check("hdrep-l1", out, "values.npy", "l2rep.npy", "influence.npy", "alpha.npy", "theta.npy",
                "topk.csv", "summary.json");
        out = run("hdrep-l1-nodense", "hdrep", "l1", "--train", s(svmTrain), "--test", s(svmTest), "--lambda", "0.01",
                "--no-dense");
        Golden.check("hdrep-l1-nodense", out, "alpha.npy", "theta.npy", "topk.csv", "summary.json");
    }

    @Test
    void hdrepCfVariants() {
        for (String train : new String[] {"als", "sgd", "soft-impute"}) {
            Path out = run("cf-" + train, "hdrep", "cf", "--ratings", s(ratings), "--train", train, "--rank", "2",
                    "--epochs", "6", "--learning-rate", "0.3", "--batch-size", "8", "--reg", "0.1", "--lambda", "0.01",
                    "--test-pairs", s(pairs), "--allow-unconverged");
            Golden.check("cf-" + train, out, "normalized_user.npy", "normalized_item.npy", "explanations.csv",
                    "summary.json");
        }
        Path u = write("U.npy", DenseMatrix.fromRows(new double[][] {{1, 0.5}, {2, -1}, {0.3, 0.2}, {0.1, 0.9},
            {-0.5, 0.4}, {0.7, 0.7}, {0.2, -0.3}, {1.1, 0.1}, {-0.6, -0.2}}));
        Path v = write("V.npy", DenseMatrix.fromRows(new double[][] {{1, 1}, {3, 0}, {-1, 2}, {0.5, 0.5},
            {0.2, -0.4}, {0.9, 0.3}, {-0.3, 0.8}, {0.4, 0.4}}));
        Path out = run("cf-embeddings", "hdrep", "cf", "--ratings", s(ratings), "--user-embeddings", s(u),
                "--item-embeddings", s(v), "--test-pairs", s(pairs), "--top-k", "3");
        Golden.check("cf-embeddings", out, "normalized_user.npy", "normalized_item.npy", "explanations.csv",
                "summary.json");
    }

    @Test
    void evaluateDeletionL1AndCf() {
        Path out = run("deletion-l1", "evaluate", "deletion", "l1", "--train", s(svmTrain), "--test", s(svmTest),
                "--lambda", "0.005", "--test-points", "3", "--ks", "2,4", "--threads", "1");
        Golden.check("deletion-l1", out, "deletion.csv", "per_test.csv", "summary.json");
        out = run("deletion-cf", "evaluate", "deletion", "cf", "--ratings", s(ratings), "--test-fraction", "0.2",
                "--test-points", "3", "--ks", "1,2", "--rank", "2", "--epochs", "5", "--learning-rate", "0.2",
                "--batch-size", "8", "--threads", "1");
        Golden.check("deletion-cf", out, "deletion.csv", "per_test.csv", "summary.json");
    }

    @Test
    void ntkClosedFormDynamicsAndValidate() {
        String[] common = {"--train-features", s(xs), "--train-targets", s(ys), "--test-features", s(xts),
            "--test-targets", s(yts)};
        Path out = run("ntk", concat(new String[] {"ntk", "--lambda", "0.1", "--top-k", "5", "--groups", "3"}, common));
        Golden.check("ntk", out, "influence.npy", "influence_ihvp.npy", "predictions.npy", "complexity.json",
                "summary.json");
        out = run("ntk-dynamics", concat(new String[] {"ntk", "dynamics", "--times", "0.1,1,10,inf"}, common));
        Golden.check("ntk-dynamics", out, "influence_t.npy", "predictions_t.npy", "dynamics.csv", "summary.json");
        out = run("ntk-validate", concat(new String[] {"ntk", "validate", "--widths", "50", "--top-k", "3",
            "--test-indices", "0,1", "--max-steps", "30", "--tolerance", "1e-6"}, common));
        // correlations.json repeats correlations.csv in header-less rows whose last entry is a time: the csv is compared
        Golden.check("ntk-validate", out, "correlations.csv", "pairs.csv", "summary.json");
    }

    @Test
    void pbrfLogistic() {
        Path out = run("pbrf", "pbrf", "--model", "logistic", "--train-features", s(x), "--train-labels", s(y),
                "--test-features", s(xt), "--test-labels", s(yt), "--points", "3", "--solver", "cg");
        Golden.check("pbrf", out, "decomposition.csv", "correlations.csv", "responses.npz", "summary.json");
    }

    static String[] concat(String[] a, String[] b) {
        String[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
