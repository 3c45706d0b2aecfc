package org.exemplar.influence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;

/**
 * The shipped WDBC data set (src/test/resources/org/exemplar/influence/breast_cancer.csv, scikit-learn's copy,
 * BSD-3; see README-breast-cancer.md): a seeded train/test split with features standardized by the training
 * mean and standard deviation.
 */
record BreastCancer(DenseMatrix trainX, int[] trainY, DenseMatrix testX, int[] testY) {

    static BreastCancer split(int nTest, long seed) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (InputStream in = BreastCancer.class.getResourceAsStream("breast_cancer.csv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String header = r.readLine();
            if (!header.startsWith("569,30,")) {
                throw new IllegalStateException("unexpected header " + header);
            }
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(",");
                double[] x = new double[30];
                for (int j = 0; j < 30; j++) {
                    x[j] = Double.parseDouble(f[j]);
                }
                rows.add(x);
                labels.add(Integer.parseInt(f[30].trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = rows.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int nTrain = n - nTest;
        DenseMatrix tr = new DenseMatrix(nTrain, 30);
        DenseMatrix te = new DenseMatrix(nTest, 30);
        int[] ytr = new int[nTrain];
        int[] yte = new int[nTest];
        for (int k = 0; k < n; k++) {
            int i = perm[k];
            if (k < nTrain) {
                tr.setRow(k, rows.get(i));
                ytr[k] = labels.get(i);
            } else {
                te.setRow(k - nTrain, rows.get(i));
                yte[k - nTrain] = labels.get(i);
            }
        }
        for (int j = 0; j < 30; j++) {
            double mean = 0;
            for (int i = 0; i < nTrain; i++) {
                mean += tr.get(i, j);
            }
            mean /= nTrain;
            double var = 0;
            for (int i = 0; i < nTrain; i++) {
                var += (tr.get(i, j) - mean) * (tr.get(i, j) - mean);
            }
            double sd = Math.sqrt(var / nTrain);
            for (int i = 0; i < nTrain; i++) {
                tr.set(i, j, (tr.get(i, j) - mean) / sd);
            }
            for (int i = 0; i < nTest; i++) {
                te.set(i, j, (te.get(i, j) - mean) / sd);
            }
        }
        return new BreastCancer(tr, ytr, te, yte);
    }
}
