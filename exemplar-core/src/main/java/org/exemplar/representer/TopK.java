package org.exemplar.representer;

import java.util.PriorityQueue;

/** Selection of the k largest / smallest entries of a row in O(n log k). */
final class TopK {
    private TopK() {
    }

    /** Indices of the k largest strictly positive values of v[off..off+n), largest first. */
    static int[] largestPositive(double[] v, int off, int n, int k) {
        PriorityQueue<Integer> heap = new PriorityQueue<>(Math.max(1, k),
                (a, b) -> Double.compare(v[off + a], v[off + b]));
        for (int i = 0; i < n; i++) {
            double x = v[off + i];
            if (!(x > 0)) {
                continue;
            }
            if (heap.size() < k) {
                heap.add(i);
            } else if (k > 0 && x > v[off + heap.peek()]) {
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

    /** Indices of the k most negative values of v[off..off+n), most negative first. */
    static int[] mostNegative(double[] v, int off, int n, int k) {
        PriorityQueue<Integer> heap = new PriorityQueue<>(Math.max(1, k),
                (a, b) -> Double.compare(v[off + b], v[off + a]));
        for (int i = 0; i < n; i++) {
            double x = v[off + i];
            if (!(x < 0)) {
                continue;
            }
            if (heap.size() < k) {
                heap.add(i);
            } else if (k > 0 && x < v[off + heap.peek()]) {
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
