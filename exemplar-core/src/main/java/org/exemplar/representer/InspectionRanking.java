package org.exemplar.representer;

import java.util.SplittableRandom;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;

/**
 * An order in which a simulated user inspects training labels (dataset debugging, Yeh et al. 2018 Sec. 4.1).
 * Implementations see the model fitted on the noisy labels.
 */
public interface InspectionRanking {
    String name();

    /** Training indices, first inspected first. */
    int[] order(Context context);

    /** What a ranking may look at: features, the (noisy) targets, the fitted representer points, a seeded RNG. */
    record Context(DenseMatrix features, DenseMatrix targets, int[] labels, Loss loss, RepresenterPoints points,
                   SplittableRandom random) {
    }

    /** Largest |alpha_{i, y_i}| first ("ours" in Fig. 2). For a single sigmoid output, |alpha_i|. */
    InspectionRanking REPRESENTER = new InspectionRanking() {
        @Override
        public String name() {
            return "representer |alpha|";
        }

        @Override
        public int[] order(Context ctx) {
            DenseMatrix a = ctx.points().alpha();
            int c = a.cols();
            double[] score = new double[a.rows()];
            for (int i = 0; i < score.length; i++) {
                score[i] = Math.abs(a.get(i, c == 1 ? 0 : ctx.labels()[i]));
            }
            return descending(score);
        }
    };

    /** Largest training loss first. */
    InspectionRanking LOSS = new InspectionRanking() {
        @Override
        public String name() {
            return "training loss";
        }

        @Override
        public int[] order(Context ctx) {
            DenseMatrix phi = ctx.points().outputs(ctx.features());
            int c = phi.cols();
            double[] score = new double[phi.rows()];
            for (int i = 0; i < score.length; i++) {
                score[i] = ctx.loss().value(phi.data(), i * c, ctx.targets().data(), i * c, c);
            }
            return descending(score);
        }
    };

    /** A uniformly random order (the floor). */
    InspectionRanking RANDOM = new InspectionRanking() {
        @Override
        public String name() {
            return "random";
        }

        @Override
        public int[] order(Context ctx) {
            int n = ctx.features().rows();
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = ctx.random().nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            return idx;
        }
    };

    /** Indices sorted by score, largest first (stable for ties). */
    static int[] descending(double[] score) {
        return org.exemplar.linalg.Ranking.descending(score, null);
    }
}
