package org.exemplar.cli;

import org.exemplar.linalg.DenseMatrix;

/** A binary sub-task of the slice: digit a (label 0) vs digit b (label 1), pixels plus a ones column. */
record BinaryTask(DenseMatrix train, int[] trainLabels, DenseMatrix test, int[] testLabels, int a, int b) {
    static BinaryTask of(ShippedMnist d, int a, int b) {
        int[] tr = select(d.trainLabels(), a, b);
        int[] te = select(d.testLabels(), a, b);
        return new BinaryTask(d.trainImages().selectRows(tr).withOnesColumn(), relabel(d.trainLabels(), tr, b),
                d.testImages().selectRows(te).withOnesColumn(), relabel(d.testLabels(), te, b), a, b);
    }

    private static int[] select(int[] y, int a, int b) {
        return java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == a || y[i] == b).toArray();
    }

    private static int[] relabel(int[] y, int[] idx, int b) {
        int[] out = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = y[idx[k]] == b ? 1 : 0;
        }
        return out;
    }
}
