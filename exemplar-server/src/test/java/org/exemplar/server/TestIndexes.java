package org.exemplar.server;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.Examples;
import org.exemplar.attribution.RepresenterAttributor;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.index.IndexBuildOptions;
import org.exemplar.linalg.DenseMatrix;

/**
 * A generated image data set for the server tests: 8 x 8 grey "digits" of 4 classes (a bright bar whose position
 * is the class, plus noise; a few training labels flipped), features = pixels / 255 and a ones column, RPS-L2 on
 * them, saved and built into an index with images and a 20-point test set.
 */
final class TestIndexes {
    static final int SIDE = 8;
    static final int CLASSES = 4;
    static final int TRAIN = 240;
    static final int TEST = 20;

    private TestIndexes() {
    }

    static byte[] image(int cls, SplittableRandom r) {
        byte[] px = new byte[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int v = (int) (40 * r.nextDouble());
                if (x == 2 * cls || x == 2 * cls + 1) {
                    v += 150 + (int) (60 * r.nextDouble());
                }
                px[y * SIDE + x] = (byte) Math.min(255, v);
            }
        }
        return px;
    }

    /** Builds the index into {@code dir} (which must not exist); the artifact goes to {@code dir + "-artifact"}. */
    static Path build(Path dir, boolean float32) {
        SplittableRandom r = new SplittableRandom(42);
        int n = TRAIN + TEST;
        byte[] all = new byte[n * SIDE * SIDE];
        int[] y = new int[n];
        DenseMatrix f = new DenseMatrix(n, SIDE * SIDE + 1);
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(CLASSES);
            byte[] px = image(y[i], r);
            System.arraycopy(px, 0, all, i * px.length, px.length);
            for (int j = 0; j < px.length; j++) {
                f.set(i, j, (px[j] & 0xff) / 255.0);
            }
            f.set(i, px.length, 1.0);
        }
        int[] ytr = java.util.Arrays.copyOf(y, TRAIN);
        for (int i = 0; i < 6; i++) {           // a few mislabels for the self-influence ranking
            ytr[i * 37] = (ytr[i * 37] + 1) % CLASSES;
        }
        RepresenterAttributor p = Attributors.representer().lambda(0.01)
                .prepare(Examples.labeled(f.rowRange(0, TRAIN), ytr));
        int sz = SIDE * SIDE;
        return fromArtifact(p, dir, IndexBuildOptions.defaults().withFloat32(float32)
                .withImages(java.util.Arrays.copyOf(all, TRAIN * sz), SIDE, SIDE)
                .withTestSet(f.rowRange(TRAIN, n), java.util.Arrays.copyOfRange(y, TRAIN, n),
                        java.util.Arrays.copyOfRange(all, TRAIN * sz, n * sz)));
    }

    /** The text snippet of training row i in {@link #buildText} (with markup characters the page must show as text). */
    static String snippet(int i) {
        return "doc " + i + " <b>&amp;</b> \"" + (char) ('a' + i % 26) + "\"";
    }

    /**
     * A text-payload index (no images): K-FAC of a softmax regression on 5 generated features, 150 training rows
     * with a text snippet each ({@link #snippet}) and a 10-point test set without images.
     */
    static Path buildText(Path dir) {
        SplittableRandom r = new SplittableRandom(7);
        int n = 150;
        int nt = 10;
        DenseMatrix f = new DenseMatrix(n + nt, 5);
        int[] y = new int[n + nt];
        for (int i = 0; i < n + nt; i++) {
            for (int j = 0; j < 5; j++) {
                f.set(i, j, r.nextGaussian());
            }
            y[i] = f.get(i, 0) + 0.5 * r.nextGaussian() > 0.4 ? 2 : f.get(i, 1) > 0 ? 1 : 0;
        }
        org.exemplar.attribution.KfacAttributor p = Attributors.kfac(org.exemplar.model.LinearModels.Kind.SOFTMAX)
                .l2(0.02).damping(0.01).prepare(Examples.labeled(f.rowRange(0, n), java.util.Arrays.copyOf(y, n)));
        return fromArtifact(p, dir, IndexBuildOptions.defaults()
                .withIds(java.util.stream.IntStream.range(0, n).mapToObj(TestIndexes::snippet).toList())
                .withTestSet(f.rowRange(n, n + nt), java.util.Arrays.copyOfRange(y, n, n + nt), null));
    }

    /**
     * Saves the prepared attributor beside {@code dir} ({@code dir}-artifact), builds the index from it into
     * {@code dir} and returns {@code dir}.
     */
    static Path fromArtifact(org.exemplar.attribution.PreparedAttributor<?> p, Path dir, IndexBuildOptions o) {
        Path art = dir.resolveSibling(dir.getFileName() + "-artifact");
        p.save(art);
        ExplanationIndex.build(art, dir, o);
        return dir;
    }

    /** n x d standard Gaussian entries, filled row by row. */
    static DenseMatrix gaussian(int n, int d, SplittableRandom r) {
        DenseMatrix m = new DenseMatrix(n, d);
        for (int i = 0; i < m.data().length; i++) {
            m.data()[i] = r.nextGaussian();
        }
        return m;
    }

    /** n x d Gaussian rows scaled to unit norm (the inputs an ntk attributor takes). */
    static DenseMatrix unitRows(int n, int d, SplittableRandom r) {
        DenseMatrix x = gaussian(n, d, r);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += x.get(i, j) * x.get(i, j);
            }
            for (int j = 0; j < d; j++) {
                x.set(i, j, x.get(i, j) / Math.sqrt(s));
            }
        }
        return x;
    }

    /**
     * An ntk index (closed-form NTK kernel ridge regression, lambda 0.01, on 40 unit-norm rows of width 3 with targets
     * sin(3 x_0) + noise) with a 6-point shipped test set (features only: an ntk index stores no test targets).
     */
    static Path buildNtk(Path dir) {
        SplittableRandom r = new SplittableRandom(8);
        DenseMatrix x = unitRows(40, 3, r);
        double[] y = new double[x.rows()];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.sin(3 * x.get(i, 0)) + 0.1 * r.nextGaussian();
        }
        org.exemplar.attribution.NtkAttributor p = Attributors.ntk().lambda(0.01).prepare(Examples.regression(x, y));
        return fromArtifact(p, dir, IndexBuildOptions.defaults().withTestSet(unitRows(6, 3, r), null, null));
    }

    /**
     * A CF index (cf-mf of random two-tower embeddings, 8 users x 9 items, about 60 % rated) whose payload is one
     * text line per training rating, "rating (u, i) = v".
     */
    static Path buildCf(Path dir) {
        SplittableRandom r = new SplittableRandom(13);
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        for (int u = 0; u < 8; u++) {
            for (int i = 0; i < 9; i++) {
                if (r.nextDouble() < 0.6) {
                    pairs.add(new int[] {u, i});
                }
            }
        }
        int n = pairs.size();
        int[] us = new int[n];
        int[] is = new int[n];
        double[] v = new double[n];
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int t = 0; t < n; t++) {
            us[t] = pairs.get(t)[0];
            is[t] = pairs.get(t)[1];
            v[t] = 1 + r.nextInt(5);
            names.add("rating (" + us[t] + ", " + is[t] + ") = " + (int) v[t]);
        }
        DenseMatrix a = new DenseMatrix(8, 3);
        DenseMatrix b = new DenseMatrix(9, 3);
        for (DenseMatrix m : new DenseMatrix[] {a, b}) {
            for (int j = 0; j < m.data().length; j++) {
                m.data()[j] = r.nextGaussian();
            }
        }
        org.exemplar.attribution.CfAttributor p = Attributors.cfTwoTower(new org.exemplar.cf.Factorization(a, b),
                org.exemplar.cf.CfLoss.SQUARED).prepare(new org.exemplar.cf.Ratings(8, 9, us, is, v));
        return fromArtifact(p, dir, IndexBuildOptions.defaults().withIds(names));
    }
}
