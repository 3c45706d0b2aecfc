package org.exemplar.representer;

import java.util.PriorityQueue;

/** Selection of the k largest / smallest entries of a row in O(n log k). */
final class TopK {
    private TopK() {
    }

    /** Indices of the k largest strictly positive values of v[off..off+n), largest first. */
    static int[] largestPositive(double[] v, int off, int n, int k) {
        return extreme(v, off, n, k, 1.0);
    }

    /** Indices of the k most negative values of v[off..off+n), most negative first. */
    static int[] mostNegative(double[] v, int off, int n, int k) {
        return extreme(v, off, n, k, -1.0);
    }

    /** The k entries with the largest sign * value among those with sign * value &gt; 0, best first. */
    private static int[] extreme(double[] v, int off, int n, int k, double sign) {
        // min-heap on sign * value: its head is the weakest of the k kept so far
        PriorityQueue<Integer> heap = new PriorityQueue<>(Math.max(1, k),
                (a, b) -> Double.compare(sign * v[off + a], sign * v[off + b]));
        for (int i = 0; i < n && k > 0; i++) {
            double x = sign * v[off + i];
            if (!(x > 0)) {
                continue;
            }
            if (heap.size() < k) {
                heap.add(i);
            } else if (x > sign * v[off + heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        int[] out = new int[heap.size()];
        for (int j = out.length - 1; j >= 0; j--) {
            out[j] = heap.poll();
        }
        return out;
    }
}
