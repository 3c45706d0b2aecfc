package org.exemplar.response;

import java.util.SplittableRandom;

import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SigmoidCrossEntropy;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Activation;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;

/** Small generated problems for the response tests (no files needed). */
final class ResponseTestData {
    private ResponseTestData() {
    }

    /** n points in d dimensions from two shifted Gaussians with some label noise; labels 0/1. */
    static DenseMatrix features(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseMatrix x = new DenseMatrix(n, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x.set(i, j, r.nextGaussian() + (i % 2 == 0 ? 0.7 : -0.7) * (j == 0 ? 1 : 0.3));
            }
        }
        return x;
    }

    static int[] labels(int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.15 ? r.nextInt(classes) : (i % 2 == 0 ? 0 : 1 + (i / 2) % (classes - 1));
        }
        return y;
    }

    /** Binary logistic regression data with L2 strength l2. */
    static TrainingData logistic(int n, int d, double l2, long seed) {
        Loss loss = new SigmoidCrossEntropy();
        return new TrainingData(features(n, d, seed), loss.targetsFromLabels(labels(n, 2, seed), 1), loss, l2);
    }

    /** c-class softmax data. */
    static TrainingData softmax(int n, int d, int c, double l2, long seed) {
        Loss loss = new SoftmaxCrossEntropy();
        return new TrainingData(features(n, d, seed), loss.targetsFromLabels(labels(n, c, seed), c), loss, l2);
    }

    static Mlp mlp(int d, int hidden, int c, long seed) {
        return Mlp.initialize(d, new int[] {hidden, hidden}, Activation.TANH, c, seed);
    }

    static Mlp linear(int d, int c) {
        return LinearModels.zeros(d, c);
    }

    static double[] randomVector(int p, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[p];
        for (int k = 0; k < p; k++) {
            v[k] = scale * r.nextGaussian();
        }
        return v;
    }
}
