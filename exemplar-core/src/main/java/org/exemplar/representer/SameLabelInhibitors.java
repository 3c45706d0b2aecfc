package org.exemplar.representer;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.SoftmaxCrossEntropy;

/**
 * Why an explanation's inhibitory training points can carry the explained class's own label (Yeh et al. 2018,
 * Sec. 3, eq. 4). For a fit against a network's logits with the softmax loss,
 * alpha_ij = -(softmax_j(Theta f_i) - softmax_j(Phi_net(x_i))) / (2 lambda n), so a training point of label j has
 * alpha_ij &lt; 0 exactly when the network gives it a <i>lower</i> probability of its own label than the
 * L2-regularized refit does; with non-negative (ReLU) features and a ones column f_i^T f_t &gt; 0, so k &lt; 0
 * requires alpha_ij &lt; 0. This record measures that on the points shown.
 *
 * @param count                   distinct inhibitory points (over all explanations) whose label is the explained class
 * @param negativeAlpha           how many of them have alpha_ij &lt; 0
 * @param networkBelowRefit       how many of them the network gives a lower p_j than the refit
 * @param networkProbMedian       median network probability of their label
 * @param refitProbMedian         median refit probability of their label
 * @param classMedianNetworkProb  median network probability of the label over all training points of their classes
 * @param networkProbPercentile   median percentile of their network p_j among training points of the same label
 */
public record SameLabelInhibitors(int count, int negativeAlpha, int networkBelowRefit, double networkProbMedian,
                                  double refitProbMedian, double classMedianNetworkProb,
                                  double networkProbPercentile) {

    /**
     * @param explanations  explanations whose inhibitory points are examined
     * @param trainLabels   training labels
     * @param networkLogits the network's logits on the training points (n x c)
     * @param refitLogits   the refitted last layer's logits Theta f_i on the training points (n x c)
     */
    public static SameLabelInhibitors of(List<Explanation> explanations, int[] trainLabels, DenseMatrix networkLogits,
                                         DenseMatrix refitLogits) {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        int c = networkLogits.cols();
        int n = networkLogits.rows();
        double[] pn = new double[n * c];
        double[] pr = new double[n * c];
        for (int i = 0; i < n; i++) {
            ce.link(networkLogits.data(), i * c, pn, i * c, c);
            ce.link(refitLogits.data(), i * c, pr, i * c, c);
        }
        Set<Integer> seen = new LinkedHashSet<>();
        int negative = 0;
        int below = 0;
        java.util.ArrayList<Double> netP = new java.util.ArrayList<>();
        java.util.ArrayList<Double> refP = new java.util.ArrayList<>();
        java.util.ArrayList<Double> classMed = new java.util.ArrayList<>();
        java.util.ArrayList<Double> pct = new java.util.ArrayList<>();
        for (Explanation e : explanations) {
            int j = e.explainedClass();
            for (RepresenterPoint p : e.inhibitory()) {
                int i = p.trainIndex();
                if (trainLabels[i] != j || !seen.add(i)) {
                    continue;
                }
                negative += p.alpha() < 0 ? 1 : 0;
                below += pn[i * c + j] < pr[i * c + j] ? 1 : 0;
                netP.add(pn[i * c + j]);
                refP.add(pr[i * c + j]);
                int same = 0;
                int lower = 0;
                java.util.ArrayList<Double> cls = new java.util.ArrayList<>();
                for (int k = 0; k < n; k++) {
                    if (trainLabels[k] == j) {
                        same++;
                        cls.add(pn[k * c + j]);
                        lower += pn[k * c + j] < pn[i * c + j] ? 1 : 0;
                    }
                }
                classMed.add(median(cls));
                pct.add(100.0 * lower / same);
            }
        }
        return new SameLabelInhibitors(seen.size(), negative, below, median(netP), median(refP), median(classMed),
                median(pct));
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
