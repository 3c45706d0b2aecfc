package org.exemplar.cf;

import java.util.List;
import org.exemplar.linalg.Vectors;

/**
 * TracInCP (Pruthi et al. 2020; Tsai et al. 2023, eq. 20-21) for the MF model from saved SGD checkpoints, with
 * the prediction score f = &lt;U_i', V_j'&gt; on the test side (as the paper does):
 * <pre>
 *   I(z, (i', j')) = -sum_t eta_t grad_theta (w_z l_z)(theta_t)^T grad_theta f(theta_t)
 *                  = -sum_t eta_t w_z l'(y_ij, &lt;U_i^t, V_j^t&gt;) ([j = j'] &lt;U_i^t, U_i'^t&gt; + [i = i'] &lt;V_j^t, V_j'^t&gt;)
 * </pre>
 * with the raw checkpoint embeddings (the exact gradients; eq. 21 writes normalized embeddings, which are not
 * what the gradient gives). The sign follows this package: positive = the rating's SGD steps pushed f up.
 * eta_t is the epoch's learning rate; the 1/|B| of the minibatch mean is a common factor and is dropped.
 */
public final class TracInCp {
    private final Ratings train;
    private final List<MfResult.Checkpoint> checkpoints;
    private final CfLoss loss;
    private final double[] weights;

    public TracInCp(Ratings train, List<MfResult.Checkpoint> checkpoints, CfLoss loss, double[] weights) {
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("TracInCP needs at least one checkpoint (train with SGD and checkpoints)");
        }
        this.train = train;
        this.checkpoints = List.copyOf(checkpoints);
        this.loss = loss;
        this.weights = weights;
    }

    /** The factors of the last checkpoint: the parameters after the final epoch, the trained model. */
    public Factorization finalFactors() {
        return checkpoints.get(checkpoints.size() - 1).factors();
    }

    public double[] scores(int iu, int jv) {
        double[] out = new double[train.size()];
        for (MfResult.Checkpoint c : checkpoints) {
            Factorization f = c.factors();
            int k = f.rank();
            double[] ud = f.users().data();
            double[] vd = f.items().data();
            for (int t : train.ofUser(iu)) {
                double w = weights == null ? 1 : weights[t];
                double d = w * loss.derivative(train.value(t), f.predict(iu, train.item(t)));
                out[t] -= c.learningRate() * d * Vectors.dot(vd, train.item(t) * k, vd, jv * k, k);
            }
            for (int t : train.ofItem(jv)) {
                double w = weights == null ? 1 : weights[t];
                double d = w * loss.derivative(train.value(t), f.predict(train.user(t), jv));
                out[t] -= c.learningRate() * d * Vectors.dot(ud, train.user(t) * k, ud, iu * k, k);
            }
        }
        return out;
    }
}
